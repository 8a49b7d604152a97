"""phasegate's command line: reads options, calls one engine method, prints the result.

Everything a Python caller would need lives in `engine/`; this file only parses and formats.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
import unicodedata
from pathlib import Path

import click

from engine.errors import DIFFERENT, EXIT_CODES, PhasegateError
from engine.files import write_output
from engine.i18n import LANGUAGES, N_, resolve_language, translator
from processes.programme import LANGUAGE, ZONE

DEFAULT_DB = Path(".phasegate") / "phasegate.db"
_speaker = None  # the Translator of this command: --lang, PHASEGATE_LANG, the locale, the programme's language


def speaker():
    """The messages of the language this command speaks (decided once per command)."""
    global _speaker
    if _speaker is None:
        try:
            _speaker = translator(resolve_language(None, os.environ, LANGUAGE))
        except ValueError:  # a PHASEGATE_LANG phasegate cannot speak: refused by `cli`, said in the default
            _speaker = translator(LANGUAGE)
    return _speaker


def _(message: str, /, **params) -> str:
    """`message` (an English msgid of engine/locale) in the command's language, `{names}` filled in."""
    return speaker().format(message, **params)


def _n(singular: str, plural: str, n: int, /, **params) -> str:
    return speaker().nformat(singular, plural, n, **params)


def set_language(ctx, param, value):
    """`--lang`: eager, so that `phasegate --lang zh --help` is already Chinese."""
    global _speaker
    try:
        _speaker = translator(resolve_language(value, os.environ, LANGUAGE))
    except ValueError as err:
        _speaker = translator(LANGUAGE)
        raise click.BadParameter(str(err), param_hint="PHASEGATE_LANG")
    return value


class Refused(click.ClickException):
    """A PhasegateError on its way out: one line on stderr, its own exit code."""

    def __init__(self, error: PhasegateError):
        super().__init__(speaker().error(error))
        self.exit_code = error.exit_code
        self.reference = error.reference

    def show(self, file=None):
        for line in self.format_message().splitlines() or [""]:  # a refusal of several instances: a line each
            click.echo(f"phasegate: {self.reference}: {line}", err=True)


# click's own usage messages, as click 8 writes them in English: a message matching one is said through
# the catalog with the same parts ({names} holding what click wrote), so only the words around change.
CLICK_MESSAGES = (
    N_("Invalid value for {param}: {message}"), N_("Invalid value: {message}"),
    N_("Missing argument {param}."), N_("Missing option {param}."), N_("Missing parameter {param}."),
    N_("Missing command."),
    N_("No such option {name}. Did you mean {possibility}?"),
    N_("No such option {name}. (Did you mean one of: {possibilities}?)"), N_("No such option {name}."),
    N_("No such command {name}. Did you mean {possibility}?"),
    N_("No such command {name}. (Did you mean one of: {possibilities}?)"), N_("No such command {name}."),
    N_("Option {name} requires an argument."), N_("Option {name} requires {nargs} arguments."),
    N_("Option {name} does not take a value."),
    N_("Got unexpected extra argument ({args})"), N_("Got unexpected extra arguments ({args})"),
    N_("{value} is not one of {choices}."), N_("{value} is not {choice}."),
    N_("{value} is not in the range {range}."), N_("{value} is not a valid {number_type}."),
    N_("{value} does not match the format {format}."), N_("{value} does not match the formats {formats}."),
    N_("{kind} {filename} does not exist."), N_("{kind} {filename} is a directory."),
    N_("{kind} {filename} is a file."), N_("{kind} {filename} is not readable."),
    N_("{kind} {filename} is not writable."),
)
QUOTED = {"value", "name", "filename", "choice", "choices", "possibility", "possibilities", "format", "formats"}
CLICK_HELP_WORDS = (N_("default: "), N_("required"))
CLICK_WORDS = (N_("integer"), N_("integer range"), N_("float"), N_("float range"), N_("file"), N_("directory"),
               N_("path"))  # the {number_type} and the {kind} (click writes it "File") above


@functools.cache
def _click_patterns():
    import re

    def pattern(template):
        parts = re.split(r"\{(\w+)\}", template)
        out = []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                out.append(re.escape(part))
            else:
                out.append(f"(?P<{part}>['\"].*?)" if part in QUOTED else f"(?P<{part}>.+?)")
        return re.compile("".join(out) + r"\Z", re.S)

    return [(template, pattern(template)) for template in CLICK_MESSAGES]


def said_by_click(message: str) -> str:
    """A message click wrote in English, in the command's language (the message itself when none fits)."""
    if speaker().language == "en":
        return message
    for template, pattern in _click_patterns():
        found = pattern.match(message)
        if found:
            parts = found.groupdict()
            if "message" in parts:
                parts["message"] = said_by_click(parts["message"])
            for word in ("number_type", "kind"):
                if str(parts.get(word)).lower() in CLICK_WORDS:
                    parts[word] = _(parts[word].lower())
            return _(template, **parts)
    return message


class UsageRefused(click.UsageError):
    """A usage error shown as one line, like every other refusal (click prints three)."""

    def __init__(self, error: click.UsageError):
        super().__init__(error.format_message(), error.ctx)
        self.exit_code = error.exit_code

    def show(self, file=None):
        command = "phasegate"
        if self.ctx is not None:  # the command as a person types it, whatever the program was called
            root = self.ctx.find_root()
            command += self.ctx.command_path[len(root.command_path):]
        message = said_by_click(" ".join(self.format_message().split()))
        click.echo("phasegate: usage: " + _("{message} (see {command} --help)", message=message, command=command),
                   err=True)


# Words the engine stores in English that tables show: instance status, audit action, deadline kind.
WORDS = (N_("running"), N_("completed"), N_("start"), N_("complete"), N_("migrate"), N_("people-add"),
         N_("people-remove"), N_("timer"), N_("task"))


class Spoken:
    """Help in the command's language: the docstring, each option's help and the headings, translated
    while the help is written (the English texts in the code are the catalog's msgids)."""

    def format_help(self, ctx, formatter):
        tr, saved = speaker(), []

        def swap(obj, attr, text=None):
            value = getattr(obj, attr, None)
            if value:
                saved.append((obj, attr, value))
                setattr(obj, attr, text if text is not None else tr.gettext(value))

        swap(self, "help", tr.gettext(inspect.cleandoc(self.help)) if self.help else None)
        swap(self, "epilog", exit_codes_epilog(tr) if self.epilog == EXIT_EPILOG else None)
        for param in self.get_params(ctx):
            swap(param, "help")
        for sub in getattr(self, "commands", {}).values():
            swap(sub, "help", tr.gettext(inspect.cleandoc(sub.help)) if sub.help else None)
            swap(sub, "short_help")
        try:
            super().format_help(ctx, formatter)
        finally:
            for obj, attr, value in reversed(saved):
                setattr(obj, attr, value)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=_("Usage: "))

    def format_options(self, ctx, formatter):
        extras = {"[default: ": "[" + _("default: "), "[required]": "[" + _("required") + "]"} \
            if speaker().language != "en" else {}
        rows = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                text = record[1]
                for english, said in extras.items():  # click's own words after a help text
                    text = text.replace(english, said)
                rows.append((record[0], text))
        if rows:
            with formatter.section(_("Options")):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter):
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _cmd in commands)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])


class PhasegateCommand(Spoken, click.Command):
    """A command whose help speaks the command's language."""


class PhasegateGroup(Spoken, click.Group):
    """Turns domain errors into exit codes in one place."""

    command_class = PhasegateCommand
    group_class = type

    def parse_args(self, ctx, args):
        global _speaker
        if ctx.parent is None:
            _speaker = None  # a new command (tests run many in one process): its own language
        try:
            return super().parse_args(ctx, args)
        except UsageRefused:
            raise
        except click.UsageError as err:
            raise UsageRefused(err) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PhasegateError as err:
            raise Refused(err) from None
        except UsageRefused:
            raise
        except click.UsageError as err:
            raise UsageRefused(err) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as err:  # a bug: still one line unless asked for the traceback
            if os.environ.get("PHASEGATE_DEBUG"):
                raise
            click.echo("phasegate: unexpected: " + _("{kind}: {error} (set PHASEGATE_DEBUG=1 for the traceback)",
                                                       kind=type(err).__name__, error=err), err=True)
            ctx.exit(1)


class Settings:
    """Global options, turned into an engine on first use and closed at the end of the command.

    Nothing is opened until a command asks: `lint`, `render`, `diff` and `layout` never open the store.
    """

    def __init__(self, db, user, now, models, zone, data_dirs=()):
        self.db, self.user, self.now, self.models, self.zone = db, user, now, models, zone
        self.data_dirs = tuple(data_dirs)
        self._store = None
        self._engine = None
        self._programme = None
        self.reading = False  # a read command: a SQLite store that is not there yet is not created

    def store(self):
        if self._store is None:
            from engine.store.store import Store, is_postgres, sqlite_path

            missing = not is_postgres(self.db) and not sqlite_path(self.db).exists()
            # a write command's store file appears when its first write commits, not on a refusal
            self._store = Store(":memory:" if self.reading and missing else self.db, lazy=True)
        return self._store

    def clock(self):
        from engine.clock import FixedClock, SystemClock, checked_instant

        if not self.now:
            return SystemClock()
        zone = zone_or_usage_error(self.zone)
        try:
            return FixedClock(checked_instant(self.now, zone))
        except ValueError as err:
            reason = speaker().gettext(err.args[0]) if "outside the years" in str(err) else \
                _("'{now}' is not an ISO 8601 instant", now=self.now)
            raise click.BadParameter(reason, param_hint="--now")

    def programme(self):
        if self._programme is None:
            from processes.programme import build

            self._programme = build(Path(self.models) if self.models else None, self.data_dirs)
        return self._programme

    def engine(self):
        if self._engine is None:
            from engine.api import Engine

            clock = self.clock()
            self._engine = Engine.open(self.store(), self.programme(), clock, self.zone)
        return self._engine

    def reader(self):
        """What the read commands read: the store's tables and stored states without importing the engine
        (SpiffWorkflow, lxml, pydantic), which it asks only for what the store does not hold, or the
        engine itself when the store first needs it (issue 17)."""
        if self._engine is None:
            from engine.reader import Reader

            found = Reader.open(self.store(), self.clock(), self.zone, self.engine, self.programme, _models_dir(self))
            if found is not None:
                return found
        return self.engine()

    def close(self):
        if self._store is not None:
            self._store.close()


INSTANCE_ID = click.IntRange(1, 2**63 - 1)   # what the store's integer keys hold


def _finite(value: float, hint: str) -> float:
    if value != value:  # NaN passes every range check
        raise click.BadParameter(_("is not a number"), param_hint=hint)
    return value


def zone_or_usage_error(name: str):
    """The time zone `--tz` names, or a usage error naming it."""
    from engine.clock import zone_named

    try:
        return zone_named(name)
    except PhasegateError as err:
        raise click.BadParameter(speaker().error(err), param_hint="--tz")


def _passing(func, opened, reading: bool = False):
    """Call the command with what `opened(settings)` gives; a reading command creates no store file."""

    @click.pass_obj
    @functools.wraps(func)
    def wrapper(settings: Settings, *args, **kwargs):
        if reading:
            settings.reading = True
        return func(opened(settings), *args, **kwargs)

    return wrapper


def pass_engine(func):
    """Give the command the engine built from the global options (opened once, closed after)."""
    return _passing(func, Settings.engine)


def pass_reader(func):
    """`pass_engine` for a command that only reads: it creates no store file where there is none, and
    gets the store's reader (the engine only when needed)."""
    return _passing(func, Settings.reader, reading=True)


def pass_reading_engine(func):
    """The whole engine for a command that only reads but needs more than the store's reader (documents
    drawn from models and measured from the audit log): it creates no store file where there is none."""
    return _passing(func, Settings.engine, reading=True)


def pass_user(func):
    @click.pass_obj
    @functools.wraps(func)
    def wrapper(settings: Settings, *args, **kwargs):
        return func(*args, user=settings.user, **kwargs)

    return wrapper


def output_options(func):
    """`--json` for scripts; a readable table by default."""
    return click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of a table."))(func)


def emit(result, as_json: bool, table=None) -> None:
    if as_json:
        if isinstance(result, list):
            payload = [item.model_dump(mode="json") for item in result]
        else:
            payload = result.model_dump(mode="json")
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif table is not None:
        click.echo(table(result))


def render_table(rows: list[list], headers: list[str]) -> str:
    """A plain table that lines up Chinese (double-width) text."""
    def width(text: str) -> int:
        if text.isascii():  # most cells (ids, instants, guids): no per-character lookup
            return len(text)
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out) if cells else line(headers) + "\n" + _("(none)")


def local(engine, text: str | None) -> str:
    """A stored UTC instant shown in the engine's zone, to the minute (or second when it has them)."""
    if not text:
        return ""
    from datetime import datetime

    instant = datetime.fromisoformat(text).astimezone(engine.zone)
    return instant.strftime("%Y-%m-%d %H:%M" + (":%S" if instant.second else "") + " %Z")


def read_values(data: str | None, sets: tuple[str, ...]) -> dict:
    """Form values from `--data` (JSON, @file or - for stdin) and `--set key=value` pairs."""
    from engine.files import MEGABYTE, Unreadable, read_regular

    values: dict = {}
    if data:
        try:
            if data == "-":
                raw = sys.stdin.buffer.read(16 * MEGABYTE + 1) if hasattr(sys.stdin, "buffer") else \
                    sys.stdin.read(16 * MEGABYTE + 1).encode("utf-8", "surrogateescape")
                if len(raw) > 16 * MEGABYTE:
                    raise click.BadParameter(_("standard input holds more than 16 MB"), param_hint="--data")
                text = raw.decode("utf-8")
            elif data.startswith("@"):
                text = read_regular(data[1:], 16 * MEGABYTE).decode("utf-8")
            else:
                text = data
        except Unreadable as err:
            raise click.BadParameter(speaker().error(err), param_hint="--data")
        except UnicodeDecodeError:
            raise click.BadParameter(_("{source}: not UTF-8 text", source=data[1:] or _("standard input")),
                                     param_hint="--data")
        try:
            values = json.loads(text)
        except json.JSONDecodeError as err:
            raise click.BadParameter(_("not valid JSON: {error}", error=err), param_hint="--data")
        except RecursionError:
            raise click.BadParameter(_("JSON nested too deeply"), param_hint="--data")
        if not isinstance(values, dict):
            raise click.BadParameter(_("must be a JSON object"), param_hint="--data")
    for item in sets:
        if "=" not in item:
            raise click.BadParameter(_("'{item}' is not key=value", item=item), param_hint="--set")
        key, raw = item.split("=", 1)
        try:
            values[key.strip()] = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            values[key.strip()] = raw
    return values


def value_options(func):
    func = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                        help="One form value; VALUE is read as JSON when it parses, else as text. Repeatable.")(func)
    return click.option("--data", metavar="JSON|@FILE|-", help="Form values as a JSON object, a file or stdin.")(func)


def exit_codes_epilog(tr=None) -> str:
    say = tr.gettext if tr is not None else str
    return say(N_("Exit codes: ")) + "; ".join(f"{k} {say(v)}" for k, v in EXIT_CODES.items())


EXIT_EPILOG = exit_codes_epilog()


@click.group(cls=PhasegateGroup, epilog=EXIT_EPILOG)
@click.option("--db", envvar="PHASEGATE_DB", default=str(DEFAULT_DB), show_default=True,
              help="The store: a SQLite file path or sqlite:///PATH URL, or a postgresql:// URL. Env: PHASEGATE_DB.")
@click.option("--as", "user", envvar="PHASEGATE_USER", metavar="NAME",
              help="Who is acting. Env: PHASEGATE_USER.")
@click.option("--now", envvar="PHASEGATE_NOW", metavar="ISO",
              help="Run at a simulated instant, e.g. 2023-10-09T09:00:00+08:00. Env: PHASEGATE_NOW.")
@click.option("--models", envvar="PHASEGATE_MODELS", metavar="DIR",
              help="Folder of BPMN/DMN files instead of the programme's bpmn/. Env: PHASEGATE_MODELS.")
@click.option("--tz", "zone", envvar="PHASEGATE_TZ", default=ZONE, show_default=True,
              help="Time zone for dates without one (timers, --now). Env: PHASEGATE_TZ.")
@click.option("--data-dir", "data_dirs", multiple=True, envvar="PHASEGATE_DATA_DIRS", metavar="DIR",
              type=click.Path(file_okay=False),
              help="A folder service tasks may read files from, besides processes/data/. Repeatable. "
                   f"Env: PHASEGATE_DATA_DIRS (separated by '{os.pathsep}').")
@click.option("--draw-seconds", type=click.FloatRange(0.1, 3600), envvar="PHASEGATE_DRAW_SECONDS", metavar="S",
              callback=lambda ctx, param, value: value if value is None else _finite(value, "--draw-seconds"),
              help="Time one drawing (render, layout, diff -o, proposal) may take in Graphviz [default: 10]. "
                   "Env: PHASEGATE_DRAW_SECONDS.")
@click.option("--draw-elements", type=click.IntRange(1, 10**7), envvar="PHASEGATE_DRAW_ELEMENTS", metavar="N",
              help="Nodes plus flows a model may have to be drawn [default: 2500]. Env: PHASEGATE_DRAW_ELEMENTS.")
@click.option("--lang", type=click.Choice(LANGUAGES), expose_value=False, is_eager=True, callback=set_language,
              help=N_("The language of messages and help (default: PHASEGATE_LANG, else the locale, else the "
                      "programme's, zh). --json keys and exit codes are the same in every language."))
@click.version_option(package_name="phasegate")
@click.pass_context
def cli(ctx, db, user, now, models, zone, data_dirs, draw_seconds, draw_elements):
    """phasegate: run BPMN processes of an organisational change programme from a terminal.

    Example: phasegate --as 陈静 tasks
    """
    from engine.names import LONGEST_NAME, is_person_name, is_text

    for value, hint in ((user, "--as"), (db, "--db"), (models, "--models"), (now, "--now"), (zone, "--tz"),
                        *((d, "--data-dir") for d in data_dirs)):
        if value is not None and not is_text(value):
            raise click.BadParameter(_("is not valid UTF-8 text"), param_hint=hint)
    if user is not None and not is_person_name(user):
        raise click.BadParameter(_("a person's name is 1 to {n} characters", n=LONGEST_NAME), param_hint="--as")
    if zone != ZONE:
        zone_or_usage_error(zone)
    for folder in (d for d in data_dirs if d.strip()):  # an empty entry of PHASEGATE_DATA_DIRS names nothing
        if not Path(folder).is_dir():
            raise click.BadParameter(_("'{folder}' is not a folder", folder=folder), param_hint="--data-dir")
    if models is not None and not Path(models).is_dir():
        raise click.BadParameter(_("'{models}' is not a folder of models", models=models), param_hint="--models")
    settings = Settings(db, user, now, models, zone, data_dirs)
    if draw_seconds is not None or draw_elements is not None:
        from dataclasses import replace

        from engine.diagrams import limits

        chosen = {k: v for k, v in (("seconds", draw_seconds), ("max_elements", draw_elements)) if v is not None}
        ctx.with_resource(limits.applied(replace(limits.DrawingLimits(), **chosen)))
    ctx.obj = settings
    ctx.call_on_close(settings.close)


@cli.command()
@click.option("--versions", "every_version", is_flag=True, help="Every version, each with what it changed.")
@output_options
@pass_reader
def processes(engine, every_version, as_json):
    """List the process models, their current versions and the files that do not run.

    Example: phasegate processes --versions
    """
    def table(rows):
        lines = []
        for p in rows:
            if p.status != "ready":
                lines.append([p.process_id or "-", _("not run"), "-", "-", "-", p.reason])
                continue
            shown = p.history if every_version else p.history[-1:]
            for v in shown:
                lines.append([p.process_id, p.name, f"v{v.version}" + (_(" (current)") if v.version == p.version else ""),
                              v.instances, " / ".join(p.lanes), f"{p.source}: {_(v.changes)}"])
        return render_table(lines, [_("process"), _("name"), _("version"), _("instances"), _("lanes"),
                                    _("file: what changed")])
    emit(engine.processes(), as_json, table)


@cli.command()
@click.argument("process_id")
@value_options
@output_options
@pass_user
@pass_engine
def start(engine, process_id, data, sets, as_json, user):
    """Start an instance of PROCESS_ID.  Example: phasegate --as 陈静 start business_adjustment --set pilot_start=2023-10-09"""
    instance = engine.start(process_id, user, read_values(data, sets))
    emit(instance, as_json, lambda i: _("started instance {id} of {process} v{version} ({status})",
                                                id=i.id, process=i.process_id, version=i.model_version, status=_(i.status)))


@cli.command()
@click.option("--process", "process_id", help="Only instances of this process.")
@click.option("--status", type=click.Choice(["running", "completed"]), help="Only instances in this status.")
@click.option("--version", "version", type=click.IntRange(1, 2**31), help="Only instances on this model version.")
@output_options
@pass_reader
def instances(engine, process_id, status, version, as_json):
    """List instances.  Example: phasegate instances --process service_loop_before --version 1"""
    emit(engine.instances(process_id, status, version), as_json, lambda rows: render_table(
        [[i.id, i.process_id, f"v{i.model_version}", _(i.status), i.started_by, local(engine, i.started_at),
          local(engine, i.updated_at)] for i in rows],
        [_("id"), _("process"), _("version"), _("status"), _("started by"), _("started"), _("updated")]))


@cli.command()
@click.option("--instance", "instance_id", type=INSTANCE_ID, help="Only tasks of this instance.")
@click.option("--all", "every_lane", is_flag=True, help="Tasks of every lane, not only yours.")
@output_options
@pass_user
@pass_reader
def tasks(engine, instance_id, every_lane, as_json, user):
    """List open user tasks in your lanes (or --all).  Example: phasegate --as 王建国 tasks"""
    emit(engine.tasks(user, instance_id, every_lane or not user), as_json, lambda rows: render_table(
        [[t.instance_id, t.task_id, t.name, t.lane, local(engine, t.ready_at), local(engine, t.due_at), t.task_guid[:8]] for t in rows],
        [_("instance"), _("task"), _("name"), _("lane"), _("ready since"), _("due"), _("guid")]))


@cli.command()
@click.argument("instance_id", type=INSTANCE_ID)
@output_options
@pass_reader
def show(engine, instance_id, as_json):
    """Show an instance: open, waiting and completed steps, and its data.  Example: phasegate show 1"""
    def text(d):
        lines = [_("instance {id}  {process} v{version}  {status}  revision {revision}", id=d.id,
                   process=d.process_id, version=d.model_version, status=_(d.status), revision=d.revision),
                 _("started by {person} at {started}; updated {updated}", person=d.started_by,
                   started=d.started_at, updated=d.updated_at), ""]
        for title, steps in ((_("ready:"), d.ready), (_("waiting:"), d.waiting)):
            lines.append(title)
            lines += [f"  {s.task_id}  {s.name}  [{s.lane or '-'}]" for s in steps] or ["  " + _("(none)")]
        lines.append(_("completed: {count} steps, last: {last}", count=len(d.completed),
                       last=", ".join(s.task_id for s in d.completed[-5:]) or _("(none)")))
        lines.append(_("data: {data}", data=json.dumps(d.data, ensure_ascii=False, sort_keys=True)[:2000]))
        return "\n".join(lines)
    emit(engine.show(instance_id), as_json, text)


@cli.command()
@click.argument("instance_id", type=INSTANCE_ID)
@click.argument("task")
@output_options
@pass_reader
def form(engine, instance_id, task, as_json):
    """Show the fields a READY task asks for.  Example: phasegate form 1 review_draft"""
    def rows_of(fields, indent=""):
        for x in fields:
            limits = ", ".join(f"{k} {v}" for k, v in (x.limits or {}).items())
            yield [indent + x.name, x.type, _("yes") if x.required else "",
                   "" if x.default is None else json.dumps(x.default, ensure_ascii=False),
                   " | ".join(map(str, x.choices or [])),
                   x.title + (f" — {x.description}" if x.description else "") + (f" ({limits})" if limits else "")]
            yield from rows_of(x.fields or [], indent + "  · ")

    def text(f):
        head = f"{f.task_id}  {f.name}  [{f.lane or '-'}]"
        rows = list(rows_of(f.fields))
        return head + "\n" + render_table(rows, [_("field"), _("type"), _("required"), _("default"), _("choices"),
                                                _("meaning")])
    emit(engine.form(instance_id, task), as_json, text)


@cli.command()
@click.argument("instance_id", type=INSTANCE_ID, required=False)
@click.option("--process", "process_id", help="Every running instance of this process, instead of one.")
@click.option("--map", "mappings", multiple=True, metavar="OLD=NEW",
              help="Send the open task OLD (a BPMN id) to NEW in the new version. Repeatable.")
@click.option("--yes", is_flag=True, help="Migrate; without it, only print what would happen (a dry run).")
@output_options
@pass_user
@pass_engine
def migrate(engine, instance_id, process_id, mappings, yes, as_json, user):
    """Move running instances to the current version of their model (a dry run without --yes).

    Example: phasegate --as 孙志强 migrate --process business_adjustment --map draft_proposal=write_draft --yes
    """
    if (instance_id is None) == (process_id is None):
        raise click.UsageError(_("name one INSTANCE_ID or --process PROCESS_ID"))
    mapping = {}
    for item in mappings:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise click.UsageError(_("--map takes OLD=NEW, not {item!r}", item=item))
        mapping[old] = new
    result = engine.migrate(user, instance_id=instance_id, process_id=process_id, mapping=mapping, apply=yes)
    verb = _("migrated: {line}") if yes else _("would migrate (dry run; --yes to migrate): {line}")
    emit(result, as_json, lambda rows: "\n".join(verb.format(line=r.line) for r in rows)
         or _("every instance is on the current version"))


@cli.command()
@click.argument("instance_id", type=INSTANCE_ID)
@click.argument("task")
@value_options
@output_options
@pass_user
@pass_engine
def complete(engine, instance_id, task, data, sets, as_json, user):
    """Complete TASK (BPMN id or guid prefix) of INSTANCE_ID with form values.

    Example: phasegate --as 王建国 complete 1 review_draft --set decision=approve
    """
    result = engine.complete(instance_id, task, read_values(data, sets), user)
    emit(result, as_json, lambda r: _("completed {task} ({name}) of instance {id}; now {status}",
                                      task=r.completed.task_id, name=r.completed.name, id=r.instance.id,
                                      status=_(r.instance.status)) + "".join(
             "\n  " + _("ready: {task}  {name}  [{lane}]", task=s.task_id, name=s.name, lane=s.lane or "-")
             for s in r.ready))


@cli.command()
@click.argument("instance_id", type=INSTANCE_ID)
@output_options
@pass_reader
def history(engine, instance_id, as_json):
    """The audit log of an instance: who did what, when, with which data.  Example: phasegate history 1"""
    emit(engine.history(instance_id), as_json, lambda rows: render_table(
        [[a.id, local(engine, a.at), a.actor, _(a.action), a.task_id or "", json.dumps(a.data, ensure_ascii=False)[:80]]
         for a in rows],
        ["#", _("at"), _("who"), _("action"), _("task"), _("data")]))


@cli.group(cls=PhasegateGroup, invoke_without_command=True)
@output_options
@click.pass_context
def people(ctx, as_json):
    """Who is in which lane. Lists memberships; `add` and `remove` change them.  Example: phasegate people"""
    if ctx.invoked_subcommand is None:
        ctx.obj.reading = True
        result = ctx.obj.reader().people()
        emit(result, as_json, lambda rows: render_table([[m.lane, m.person] for m in rows], [_("lane"), _("person")]))


@people.command("add")
@click.argument("person")
@click.argument("lane")
@pass_user
@pass_engine
def people_add(engine, person, lane, user):
    """Put PERSON into LANE (administrators only).  Example: phasegate --as 周明 people add 赵磊 技术部"""
    m = engine.add_member(person, lane, user)
    click.echo(_("{person} is in lane {lane}", person=m.person, lane=m.lane))


@people.command("remove")
@click.argument("person")
@click.argument("lane")
@pass_user
@pass_engine
def people_remove(engine, person, lane, user):
    """Take PERSON out of LANE (administrators only).  Example: phasegate --as 周明 people remove 赵磊 技术部"""
    m = engine.remove_member(person, lane, user)
    click.echo(_("{person} is no longer in lane {lane}", person=m.person, lane=m.lane))


@people.command("token")
@click.argument("person")
@output_options
@pass_user
@pass_engine
def people_token(engine, person, as_json, user):
    """Issue PERSON a personal access token for `phasegate serve` (administrators only); it is shown once.

    Example: phasegate --as 孙志强 people token 周涛
    """
    t = engine.issue_token(person, user)
    emit(t, as_json, lambda t: _("token {id} for {person} (shown once; the store keeps only its hash):",
                                 id=t.token_id, person=t.person) + "\n" + t.token)


@people.command("revoke")
@click.argument("name_or_token_id", metavar="NAME|TOKEN-ID")
@output_options
@pass_user
@pass_engine
def people_revoke(engine, name_or_token_id, as_json, user):
    """Revoke one token by its id, or every token of a person (administrators only).

    Example: phasegate --as 孙志强 people revoke 周涛
    """
    emit(engine.revoke_tokens(name_or_token_id, user), as_json,
         lambda rows: "\n".join(_("revoked token {id} of {person}", id=t.token_id, person=t.person) for t in rows))


LOOPBACK = ("127.0.0.1", "localhost", "::1")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.option("--public", is_flag=True, help="Allow an address other than loopback (the pages then reach the network).")
@click.pass_obj
def serve(settings, host, port, public):
    """Serve the web tasklist, task forms, instances and programme view, with a JSON API under /api/.

    People sign in with a personal access token (`phasegate people token NAME`).
    Example: phasegate serve --port 8080
    """
    import uvicorn

    loopback = host in LOOPBACK or host.startswith("127.")
    if not loopback and not public:
        raise click.BadParameter(_("{host} is not a loopback address; add --public to listen there", host=host),
                                 param_hint="--host")
    if not loopback:
        click.echo(_("phasegate: warning: listening on {host}:{port}, reachable from the network; put HTTPS in "
                     "front of it (the session cookie travels with every request)", host=host, port=port), err=True)
    from engine.store.store import Store

    settings.clock()  # a --now that is no instant is refused here, as by any other command
    store = Store(settings.db)  # so is a store that cannot be opened
    shown = str(store)
    store.close()
    for name, value in (("PHASEGATE_DB", settings.db), ("PHASEGATE_MODELS", settings.models),
                        ("PHASEGATE_NOW", settings.now), ("PHASEGATE_TZ", settings.zone),
                        ("PHASEGATE_DATA_DIRS", os.pathsep.join(map(str, settings.data_dirs)))):
        if value:  # the web app reads the same variables as this command line (web/app.py)
            os.environ[name] = value
    url = "http://" + (f"[{host}]" if ":" in host else host) + f":{port}/"
    click.echo(_("phasegate: serving {store} on {url} (Ctrl-C stops)", store=shown, url=url), err=True)
    uvicorn.run("web.app:from_environment", factory=True, host=host, port=port, log_level="warning")


@cli.command()
@click.option("--overdue", is_flag=True, help="Only what is due by now.")
@click.option("--within", metavar="SPAN", help="Only what is due within SPAN from now: 2d, 36h, 90m, 1w or P2D.")
@output_options
@pass_reader
def deadlines(engine, overdue, within, as_json):
    """Waiting timers and due tasks, soonest first, from the deadline table.  Example: phasegate deadlines --within 2d"""
    span = None
    if within:
        from engine.clock import parse_span

        try:
            span = parse_span(within)
        except ValueError as err:
            raise click.BadParameter(speaker().gettext(err.args[0]), param_hint="--within")
    emit(engine.deadlines(overdue, span), as_json, lambda rows: render_table(
        [[local(engine, d.due_at), _("OVERDUE") if d.overdue else "", _(d.kind), d.instance_id, d.task_id,
          d.name, d.lane or "", d.attached_to or ""] for d in rows],
        [_("due"), "", _("kind"), _("instance"), _("id"), _("name"), _("lane"), _("on task")]))


@cli.command()
@output_options
@pass_engine
def tick(engine, as_json):
    """Fire every timer that is due, across all instances, once.  Example: phasegate --now 2023-10-12T09:00 tick"""
    emit(engine.tick(), as_json, lambda t: _("tick at {at}: {fired} timer(s) fired", at=local(engine, t.at),
                                             fired=len(t.fired))
         + (_(", {skipped} instance(s) left to another worker", skipped=t.skipped) if t.skipped else "")
         + "".join("\n  " + _("instance {id}: {task} ({name}) due {due}", id=f.instance_id, task=f.task_id,
                                name=f.name, due=local(engine, f.due_at)) for f in t.fired))


@cli.command()
@click.argument("name")
@click.option("--instance", "instance_id", type=INSTANCE_ID, help="Only this instance (else every running one that catches NAME).")
@output_options
@pass_user
@pass_engine
def signal(engine, name, instance_id, as_json, user):
    """Send the BPMN signal NAME: event sub-processes that catch it start beside what is open.

    Example: phasegate --as 杨磊 signal 系统故障 --instance 1
    """
    result = engine.signal(name, user, instance_id)
    emit(result, as_json, lambda r: _("signal {signal} reached {count} instance(s)", signal=r.signal,
                                      count=len(r.instances)) + "".join(
        "\n  " + _("instance {instance}: caught {count}", instance=i.instance_id, count=i.caught) + "".join(
            "\n    " + _("ready: {task}  {name}  [{lane}]", task=s.task_id, name=s.name, lane=s.lane or "-")
            for s in i.started) for i in r.instances))


@cli.command()
@click.option("--interval", default=30.0, show_default=True, type=click.FloatRange(0, 86400),
              callback=lambda ctx, param, value: _finite(value, "--interval"), help="Seconds between ticks.")
@click.option("--ticks", "max_ticks", type=click.IntRange(1, 10**9), help="Stop after this many ticks.")
@pass_engine
def worker(engine, interval, max_ticks):
    """Tick in a loop until Ctrl-C or SIGTERM, then stop cleanly.  Example: phasegate worker --interval 60"""
    import signal
    import threading

    from engine.runtime.worker import run_worker

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    ticks = iter(range(1, 1 << 62))

    def report(result):
        for f in result.fired:
            click.echo(_("{at} fired {task} of instance {id} (due {due})", at=result.at, task=f.task_id,
                         id=f.instance_id, due=f.due_at))
        click.echo("worker: " + _("tick {tick} at {at}: {fired} fired", tick=next(ticks), at=result.at,
                                  fired=len(result.fired)), err=True)

    click.echo("worker: " + _("ticking every {interval:g}s; Ctrl-C or SIGTERM stops", interval=interval), err=True)
    count = run_worker(engine, interval, stop, report, max_ticks)
    click.echo("worker: " + _("stopped after {count} tick(s)", count=count), err=True)


def _models_dir(settings) -> Path:
    from processes.programme import BPMN_DIR

    return Path(settings.models) if settings.models else BPMN_DIR


@cli.command("render")
@click.argument("source")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The picture to write: .svg, .png or .pdf.")
@click.option("--instance", "instance_id", type=INSTANCE_ID,
              help="Overlay this instance: completed path, READY tasks, waiting timers (overdue in red).")
@click.pass_obj
def render_command(settings, source, out, instance_id):
    """Draw SOURCE (a .bpmn file or a process id) as swimlanes.  Example: phasegate render business_adjustment -o ba.png"""
    from engine.bpmn.folder import resolve_source
    from engine.diagrams import render as drawing

    path = resolve_source(source, _models_dir(settings))
    fmt = drawing.format_of(out)
    if instance_id is None:
        data = drawing.render(path, fmt)
    else:
        engine = settings.engine()
        data = drawing.instance_picture(path, fmt, engine.show(instance_id), engine.clock.now())
    write_output(out, data)
    click.echo(_("wrote {path}", path=out))


@cli.command("diff")
@click.argument("before", type=click.Path(path_type=Path))
@click.argument("after", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True,
              help="How to print the change list.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the comparison (.svg, .png or .pdf).")
@click.option("--arrange", type=click.Choice(["auto", "side", "stacked"]), default="auto", show_default=True,
              help="Put the two versions side by side or one above the other.")
@output_options
@click.pass_context
def diff_command(ctx, before, after, fmt, out, arrange, as_json):
    """Compare two BPMN files; exit 0 same, 11 different, 2 error.  Example: phasegate diff bpmn/service_loop_before.bpmn bpmn/service_loop_after.bpmn --format md"""
    from engine.bpmn.diff import diff_files, to_text

    if out is None:
        result = diff_files(before, after)
    else:
        from engine.diagrams.compare import compared
        from engine.diagrams.render import format_of, to_image

        result, dot = compared(before, after, arrange, ctx.obj.programme().wording)
        write_output(out, to_image(dot, format_of(out)))
    if as_json or fmt == "json":
        emit(result, True)
    else:
        click.echo(to_text(result, markdown=fmt == "md", say=speaker().format))
    if out is not None:
        click.echo(_("wrote {path}", path=out), err=True)
    ctx.exit(0 if result.same else DIFFERENT)


@cli.command("layout")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The BPMN file to write, with a new diagram.")
def layout_command(source, out):
    """Write SOURCE with diagram interchange (pool, lanes, shapes, edges) from the swimlane layout.

    Example: phasegate layout model_without_diagram.bpmn -o model.bpmn
    """
    from engine.diagrams.autolayout import with_layout

    write_output(out, with_layout(source))
    click.echo(_("wrote {path}", path=out))


@cli.command("proposal")
@click.option("--instance", "instance_id", type=INSTANCE_ID,
              help="The programme instance whose draft to write (default: the one whose draft is newest).")
@click.option("-o", "--output", "out_dir", default=Path("out") / "proposal", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The folder to write the draft into.")
@output_options
@pass_reading_engine
def proposal_command(engine, instance_id, out_dir, as_json):
    """Write the whole 《业务调整草案》 (draft.md, draft.pdf): swimlanes before/after, key technical
    dependencies, per-quarter ROI table against the budget, from the draft form kept in the store.

    Example: phasegate proposal --instance 1 -o out/proposal
    """
    from processes.proposal import build

    emit(build(engine, out_dir, instance_id, progress=_progress), as_json, _written)


@cli.group("report")
def report_group():
    """The monthly 《业务调整成效报告》 and the yearly summary, written from the store.  Example: phasegate report monthly -o out/reports"""


@report_group.command("monthly")
@click.option("--month", metavar="YYYY-MM", help="The month to report (default: the last one kept).")
@click.option("--instance", "instance_id", type=INSTANCE_ID, help="The programme instance (default: the newest with a report).")
@click.option("-o", "--output", "out_dir", default=Path("out") / "reports", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The folder to write into.")
@output_options
@pass_reading_engine
def report_monthly(engine, month, instance_id, out_dir, as_json):
    """Write one month's report (Markdown, PDF, trend plots) with every month so far.  Example: phasegate report monthly --month 2024-02 -o out/reports"""
    from processes.reports import monthly

    emit(monthly(engine, out_dir, month, instance_id, progress=_progress), as_json, _written)


@report_group.command("yearly")
@click.option("--instance", "instance_id", type=INSTANCE_ID, help="The programme instance (default: the newest summarised).")
@click.option("-o", "--output", "out_dir", default=Path("out") / "reports", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The folder to write into.")
@output_options
@pass_reading_engine
def report_yearly(engine, instance_id, out_dir, as_json):
    """Write the yearly summary: trends, totals, departments ranked, the best-team award.  Example: phasegate report yearly -o out/reports"""
    from processes.reports import yearly

    emit(yearly(engine, out_dir, instance_id, progress=_progress), as_json, _written)


def _progress(line: str) -> None:
    """Progress of a long report, on stderr (stdout stays the result, or its JSON)."""
    click.echo(_("phasegate: {line}", line=line), err=True)


def _written(view) -> str:
    return "\n".join(_("wrote {path}", path=f) for f in view.files)


@cli.command("lint")
@click.argument("paths", nargs=-1, metavar="[FILE|DIR]...")
@click.option("--preset", metavar="NAME", help="recommended (default), correctness or all; overrides the config's extends.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="A bpmnlint-style JSON config (default: .phasegaterc or .bpmnlintrc here, if present).")
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule. Repeatable.")
@click.option("--list-rules", is_flag=True, help="List every rule with its level in each preset, and exit.")
@output_options
@click.pass_obj
def lint(settings, paths, preset, config_path, rules, list_rules, as_json):
    """Check BPMN and DMN files: XSD, bpmnlint's rules, and what the engine needs to run them.

    One line per finding: FILE:LINE RULE SEVERITY MESSAGE (ID "NAME"). Without FILE, lints the
    models folder. Exits 9 when a finding is an error, 10 when a rule crashed, 2 when a file
    cannot be read. Lane members come from the store if there is one (read only), else from the
    programme's roster.

    Example: phasegate lint bpmn/ --preset all
    """
    from engine.lint import lint_paths, rule_catalogue

    if list_rules:
        return emit(rule_catalogue(), as_json, lambda rows: "\n".join(r.text() for r in rows))
    from engine.api import lint_context

    programme = settings.programme()
    report = lint_paths(paths or [programme.bpmn_dir], preset=preset, config_path=config_path,
                        context=lint_context(programme, settings.db), rules=set(rules) or None)
    emit(report.findings, as_json, lambda _: speaker().gettext(report.text(say=speaker().format)))
    report.raise_for_status()


def main():
    cli(prog_name="phasegate")


if __name__ == "__main__":
    main()

"""`python -m bench.corpus DIR...`: run every .bpmn file under DIR through phasegate as a designer would.

For each file: `lint FILE`, `render FILE -o x.svg`, `layout FILE -o x.bpmn`, `diff FILE FILE` (must say
same), then, in a temporary models folder holding the file and its sibling .dmn/.form files, with a
fresh store and a roster where one person (`tester`) is in every lane: `start` each executable
process and drive it — complete every READY task with minimal valid form values, fire timers by
moving `--now` forward — until it completes or a step limit is reached.

Each command runs in a child process with a timeout (20 s), so a hang is counted, not suffered: by
default a fork of this warm process running the CLI in-process (fast), or with `--subprocess` the
installed `phasegate` command. Every failure keeps its exit code, the first line of stderr and a
reason category. Writes a Markdown summary (-o, default bench/CORPUS.md) and the same path with
.json holding every file's record.

Example: python -m bench.corpus ../shared/corpus/miwg tests/corpus -o bench/CORPUS.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ADMIN = "孙志强"          # in 管理层, the programme's admin lane, seeded from processes/roster.toml
TESTER = "tester"         # put into every lane of the file under test
T0 = datetime.fromisoformat("2024-01-01T09:00:00+00:00")
SIBLINGS = (".dmn", ".form")
PHASEGATE = str(Path(sys.executable).with_name("phasegate"))


@dataclass
class Outcome:
    """One command's result as a person sees it."""

    code: int | None           # None: killed after the timeout
    stdout: str = ""
    stderr: str = ""

    @property
    def first_line(self) -> str:
        if self.code is None:
            return "(timeout)"
        return next((line.strip() for line in self.stderr.splitlines() if line.strip()), "")


@dataclass
class Step:
    """One command of the story: ok or not, and why not."""

    ok: bool
    code: int | None = 0
    reason: str | None = None
    stderr: str | None = None


@dataclass
class Process:
    process_id: str
    start: Step | None = None
    end: Step | None = None     # ok: the instance reached `completed`
    steps: int = 0


@dataclass
class FileRecord:
    path: str
    source: str
    lint: Step | None = None
    lint_clean: bool = False
    render: Step | None = None
    layout: Step | None = None
    diff: Step | None = None
    catalog: Step | None = None  # `processes`: does the models folder load, and what is executable
    processes: list[Process] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# Running one command with a timeout
# ----------------------------------------------------------------------------------------------
class Phasegate:
    """Runs `phasegate ARGS` in a child process, killed after `timeout` seconds."""

    def __init__(self, timeout: float = 20.0, subprocess_mode: bool = False, cwd: Path | None = None):
        self.timeout = timeout
        self.subprocess_mode = subprocess_mode
        self.cwd = cwd

    def __call__(self, *args: str) -> Outcome:
        args = [str(a) for a in args]
        return self._subprocess(args) if self.subprocess_mode else self._fork(args)

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
        env["PHASEGATE_TZ"] = "UTC"
        return env

    def _subprocess(self, args: list[str]) -> Outcome:
        try:
            done = subprocess.run([PHASEGATE, *args], capture_output=True, text=True, timeout=self.timeout,
                                  cwd=self.cwd, env=self._env(), stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return Outcome(None)
        return Outcome(done.returncode, done.stdout, done.stderr)

    def _fork(self, args: list[str]) -> Outcome:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run the CLI in-process, send the result back, never return
            code = 1
            try:
                os.close(read_end)
                os.setpgid(0, 0)
                if self.cwd:
                    os.chdir(self.cwd)
                result = _invoke(args)
                payload = json.dumps({"code": result.exit_code, "stdout": result.stdout,
                                      "stderr": result.stderr}).encode()
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        chunks, deadline, timed_out = [], time.monotonic() + self.timeout, False
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                ready, _, _ = select.select([pipe], [], [], left)
                if ready:
                    chunk = os.read(pipe.fileno(), 1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
        if timed_out:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
        if timed_out:
            return Outcome(None)
        if not chunks:
            return Outcome(-abs(os.waitstatus_to_exitcode(status)) or 1, "", "child died without an answer")
        data = json.loads(b"".join(chunks))
        return Outcome(data["code"], data["stdout"], data["stderr"])


def _invoke(args: list[str]):
    from click.testing import CliRunner

    from cli import cli

    env = {"PHASEGATE_USER": None, "PHASEGATE_DB": None, "PHASEGATE_NOW": None, "PHASEGATE_MODELS": None,
           "PHASEGATE_TZ": "UTC", "PHASEGATE_DEBUG": None}
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=True)


WARM_UP_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="warm" targetNamespace="x">
  <bpmn:process id="warm_up" name="Warm up" isExecutable="true">
    <bpmn:startEvent id="start" name="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="task" name="Task"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end" name="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def warm_up() -> None:
    """Run each command once in this process, so every fork starts with its imports and caches warm."""
    with tempfile.TemporaryDirectory(prefix="corpus-warm-") as work:
        folder = Path(work) / "models"
        folder.mkdir()
        model = folder / "warm_up.bpmn"
        model.write_text(WARM_UP_MODEL, encoding="utf-8")
        head = ["--db", str(Path(work) / "store" / "phasegate.db"), "--models", str(folder)]
        for args in (["lint", model], ["render", model, "-o", Path(work) / "x.svg"],
                     ["layout", model, "-o", Path(work) / "x.bpmn"], ["diff", model, model],
                     [*head, "processes", "--json"], [*head, "--as", ADMIN, "people", "add", TESTER, "管理层"],
                     [*head, "--as", TESTER, "start", "warm_up"], [*head, "show", "1", "--json"],
                     [*head, "form", "1", "task", "--json"], [*head, "--as", TESTER, "complete", "1", "task"],
                     [*head, "tick"]):
            _invoke([str(a) for a in args])


# ----------------------------------------------------------------------------------------------
# Reasons
# ----------------------------------------------------------------------------------------------
# (pattern on the first stderr line, category): the first match wins; otherwise a normalised line.
CATEGORIES = [
    (r"\(timeout\)", "hang (timeout)"),
    (r"raise_validation_exception\(\) got an unexpected keyword", "crash: TypeError in the parser's validation"),
    (r"phasegate: unexpected: ", None),  # a bug: its own category below
    (r"Service Task must have an operator|service task|operator", "service task needs an operator"),
    (r"Data Store with name .* has no implementation", "data store has no implementation"),
    (r"multiinstance task must specify a cardinality", "multi-instance without cardinality or input"),
    (r"The process '.*' was not found", "called process not in the models folder"),
    (r"Exactly one start event is required", "sub-process needs exactly one start event"),
    (r"Cannot resolve data(Input|Output)Association", "data association cannot be resolved"),
    (r"size too small for label", "Graphviz warning taken as failure: size too small for label"),
    (r"no such file", "file not found"),
    (r"The attribute .* is required but missing", "XSD: a required attribute is missing"),
    (r"Missing child element", "XSD: a required child element is missing"),
    (r"This element is not expected", "XSD: an element where the schema allows none"),
    (r"is not a valid value|not an element of the set|not accepted by the pattern", "XSD: an invalid value"),
    (r"No start event found", "no start event"),
    (r"Non-default exclusive outgoing sequence flow without condition", "exclusive flow without condition"),
    (r"Multiple outgoing flows are not supported", "task with several outgoing flows refused"),
    (r"not executable|no executable", "not executable"),
    (r"timer|duration|cycle|time date|ISO 8601|Time Specification", "timer expression"),
    (r"unknown-process", "unknown process"),
    (r"expression-refused", "expression refused by the sandbox"),
    (r"expression-stopped", "expression ran out of time or memory"),
    (r"XMLSyntaxError|not well-formed|malformed XML", "malformed XML"),
    (r"invalid-form", "form values refused"),
    (r"not-allowed|unknown-person", "lane or person refused"),
]


def categorise(outcome: Outcome, command: str) -> str:
    """A reason category for a failed command: a known one, or the normalised first stderr line."""
    line = outcome.first_line
    for pattern, category in CATEGORIES:
        if re.search(pattern, line, re.IGNORECASE):
            if category is None:
                break
            return category
    if not line:
        return f"{command}: exit {outcome.code}, no message"
    line = re.sub(r"^phasegate: ", "", line)
    line = re.sub(r"^([\w-]+: )\S+?\.(bpmn|dmn|form)(:\d+)?: (process '[^']*': )?", r"\1", line)
    line = re.sub(r"unexpected: (\w+):.*", r"crash: \1", line)
    line = re.sub(r"'[^']*'|\"[^\"]*\"|«[^»]*»", "'…'", line)
    line = re.sub(r"\([^)]*\)", "", line)
    line = re.sub(r"\S*/\S+", "FILE", line)          # paths
    line = re.sub(r"\b\d+\b", "N", line)
    line = re.sub(r"\s+", " ", line).strip(" :")
    return line[:90]


def step(outcome: Outcome, command: str, ok_codes=(0,)) -> Step:
    if outcome.code in ok_codes:
        return Step(ok=True, code=outcome.code)
    return Step(ok=False, code=outcome.code, reason=categorise(outcome, command), stderr=outcome.first_line[:300])


# ----------------------------------------------------------------------------------------------
# The story for one file
# ----------------------------------------------------------------------------------------------
def value_for(spec: dict):
    """A simple valid value for one form field, from `form --json`'s description."""
    if spec.get("default") is not None:
        return spec["default"]
    if spec.get("choices"):
        return spec["choices"][0]
    kind = (spec.get("type") or "string").split(" | ")[0]
    limits = spec.get("limits") or {}
    if kind.startswith("list["):
        return [value_for({"type": kind[5:-1]})] * int(limits.get("minItems", 0))
    low = limits.get("minimum", limits.get("exclusiveMinimum", 0))
    return {
        "integer": int(low) + (1 if "exclusiveMinimum" in limits else 0),
        "number": float(low) + (1 if "exclusiveMinimum" in limits else 0),
        "boolean": True,
        "date": "2024-01-01",
        "date-time": "2024-01-01T09:00:00+00:00",
        "time": "09:00:00",
        "object": {},
    }.get(kind, "x" * max(1, int(limits.get("minLength", 1))))


def form_data(fields: list[dict], every: bool) -> dict:
    return {f["name"]: value_for(f) for f in fields if every or f.get("required")}


class Story:
    """Drives one file through phasegate in a private folder (models, store, outputs)."""

    def __init__(self, path: Path, source: str, work: Path, timeout: float, subprocess_mode: bool,
                 step_limit: int):
        self.path, self.work, self.step_limit = path, work, step_limit
        self.pg = Phasegate(timeout, subprocess_mode, cwd=work)
        self.record = FileRecord(path=os.path.relpath(path), source=source)
        self.models = work / "models"
        self.db = work / "store" / "phasegate.db"

    def as_of(self, now: datetime, *args: str, user: str | None = None) -> Outcome:
        head = ["--db", str(self.db), "--models", str(self.models), "--now", now.isoformat(), "--tz", "UTC"]
        if user:
            head += ["--as", user]
        return self.pg(*head, *args)

    def run(self) -> FileRecord:
        r, f = self.record, str(self.path)
        lint = self.pg("lint", f)
        r.lint, r.lint_clean = step(lint, "lint", ok_codes=(0, 9)), lint.code == 0   # 9: findings
        r.render = step(self.pg("render", f, "-o", str(self.work / "x.svg")), "render")
        r.layout = step(self.pg("layout", f, "-o", str(self.work / "x.bpmn")), "layout")
        r.diff = step(self.pg("diff", f, f), "diff")
        if r.diff.code == 1:
            r.diff.reason = "diff against itself says different"
        self.models.mkdir()
        shutil.copy(self.path, self.models / self.path.name)
        for sibling in self.path.parent.iterdir():
            if sibling.suffix.lower() in SIBLINGS and sibling.is_file():
                shutil.copy(sibling, self.models / sibling.name)
        listed = self.as_of(T0, "processes", "--json")
        r.catalog = step(listed, "processes")
        if not r.catalog.ok:
            return r
        every = json.loads(listed.stdout)
        views = [view for view in every if view.get("status", "ready") == "ready"]
        refused = [view for view in every if view.get("status") == "skipped"
                   and "is not executable" not in (view.get("reason") or "")]
        if not views and refused:   # `processes` lists what does not run, with the reason start gives
            r.catalog = step(Outcome(2, stderr=f"phasegate: model-invalid: {refused[0]['reason']}"), "start")
            return r
        if not views:
            r.catalog = Step(ok=False, code=0, reason="not executable")
            return r
        for lane in sorted({lane for view in views for lane in view.get("lanes") or [] if lane}):
            self.as_of(T0, "people", "add", TESTER, lane, user=ADMIN)
        if not any(view.get("lanes") for view in views):
            self.as_of(T0, "people", "add", TESTER, "管理层", user=ADMIN)  # so `tester` is somebody
        for view in views:
            r.processes.append(self.drive(view["process_id"]))
        return r

    def drive(self, process_id: str) -> Process:
        proc = Process(process_id)
        started = self.as_of(T0, "start", process_id, "--json", user=TESTER)
        proc.start = step(started, "start")
        if not proc.start.ok:
            return proc
        instance = json.loads(started.stdout)["id"]
        now, tried_all = T0, set()
        while proc.steps < self.step_limit:
            proc.steps += 1
            shown = self.as_of(now, "show", str(instance), "--json")
            if shown.code != 0:
                proc.end = step(shown, "show")
                return proc
            view = json.loads(shown.stdout)
            if view["status"] == "completed":
                proc.end = Step(ok=True)
                return proc
            if view["ready"]:
                task = view["ready"][0]
                guid = task["task_guid"]
                asked = self.as_of(now, "form", str(instance), guid, "--json")
                fields = json.loads(asked.stdout)["fields"] if asked.code == 0 else []
                done = self.as_of(now, "complete", str(instance), guid, "--data",
                                  json.dumps(form_data(fields, guid in tried_all)), "--json", user=TESTER)
                if done.code == 6 and guid not in tried_all:
                    tried_all.add(guid)  # try again with every field filled in
                    continue
                if done.code != 0:
                    proc.end = step(done, "complete")
                    return proc
                continue
            dues = [w["due_at"] for w in view["waiting"] if w.get("due_at")]
            if not dues:
                waits = ", ".join(sorted({w["task_id"] for w in view["waiting"]}))[:80]
                proc.end = Step(ok=False, code=0, reason="stuck: waits for an event nothing sends"
                                if view["waiting"] else "stuck: running, nothing ready or waiting",
                                stderr=f"waiting: {waits}" if waits else None)
                return proc
            now = max(now, min(datetime.fromisoformat(d) for d in dues)) + timedelta(seconds=1)
            ticked = self.as_of(now, "tick", "--json")
            if ticked.code != 0:
                proc.end = step(ticked, "tick")
                return proc
        proc.end = Step(ok=False, code=0, reason=f"step limit ({self.step_limit}) reached")
        return proc


def run_file(job: tuple) -> FileRecord:
    path, source, timeout, subprocess_mode, step_limit = job
    with tempfile.TemporaryDirectory(prefix="corpus-") as work:
        try:
            return Story(Path(path), source, Path(work), timeout, subprocess_mode, step_limit).run()
        except Exception as err:  # the runner's own bug: count it, keep going
            record = FileRecord(path=str(path), source=source)
            record.catalog = Step(ok=False, code=None, reason=f"runner error: {type(err).__name__}",
                                  stderr=str(err)[:300])
            return record


def find_files(folders: list[Path]) -> list[tuple[Path, str]]:
    """Every .bpmn file under each folder, with its source: the first folder below the argument,
    or the argument's own name for files directly in it."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() == ".bpmn" and path.is_file():
                rel = path.relative_to(folder)
                found.append((path.resolve(), rel.parts[0] if len(rel.parts) > 1 else folder.resolve().name))
    return found


# ----------------------------------------------------------------------------------------------
# The results
# ----------------------------------------------------------------------------------------------
COLUMNS = ("files", "lint ran", "lint clean", "render", "layout", "diff-self same",
           "executable", "start ok", "ran to end")


def counts(records: list[FileRecord]) -> dict[str, int]:
    """File counts: a file starts when one of its processes starts, runs to its end when one completes."""
    return {
        "files": len(records),
        "lint ran": sum(bool(r.lint and r.lint.ok) for r in records),
        "lint clean": sum(r.lint_clean for r in records),
        "render": sum(bool(r.render and r.render.ok) for r in records),
        "layout": sum(bool(r.layout and r.layout.ok) for r in records),
        "diff-self same": sum(bool(r.diff and r.diff.ok) for r in records),
        "executable": sum(bool(r.processes) for r in records),
        "start ok": sum(any(p.start and p.start.ok for p in r.processes) for r in records),
        "ran to end": sum(any(p.end and p.end.ok for p in r.processes) for r in records),
    }


def failures(records: list[FileRecord]):
    """(command, reason, file, first stderr line) for every failed step."""
    for r in records:
        for name in ("lint", "render", "layout", "diff", "catalog"):
            s = getattr(r, name)
            if s is not None and not s.ok:
                yield ("start" if name == "catalog" else name), s.reason, r.path, s.stderr
        for p in r.processes:
            for name, s in (("start", p.start), ("run", p.end)):
                if s is not None and not s.ok:
                    yield name, s.reason, r.path, s.stderr


def is_bug(reason: str) -> bool:
    """A failure that is phasegate's fault whatever the file holds: a crash or a hang."""
    return reason == "hang (timeout)" or reason.startswith(("crash:", "runner error"))


def summary(records: list[FileRecord]) -> dict:
    sources = sorted({r.source for r in records})
    reasons = Counter((cmd, reason) for cmd, reason, _, _ in failures(records))
    procs = [p for r in records for p in r.processes]
    return {
        "total": counts(records),
        "by_source": {s: counts([r for r in records if r.source == s]) for s in sources},
        "processes": {"executable": len(procs), "started": sum(bool(p.start and p.start.ok) for p in procs),
                      "completed": sum(bool(p.end and p.end.ok) for p in procs)},
        "reasons": [{"command": c, "reason": why, "count": n} for (c, why), n in reasons.most_common()],
        "crashes_and_hangs": [{"command": c, "file": f, "stderr": line} for c, why, f, line in failures(records)
                              if is_bug(why)],
    }


def pct(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.0f} %)" if total else "0"


def markdown(summary_: dict, folders: list[str], seconds: float, top: int = 25) -> str:
    total = summary_["total"]
    lines = ["# phasegate on real BPMN files", "",
             f"`python -m bench.corpus {' '.join(folders)}`" + (f" ({seconds:.0f} s)" if seconds else "") + ". Each file is linted, drawn, "
             "laid out, diffed against itself, and each executable process is started and driven to its "
             "end (READY tasks completed with minimal form values, timers fired by moving `--now`). "
             "A file counts as started / ran to end when one of its processes did. `lint ran` counts exit "
             "0 or 1 (findings reported); `lint clean` only exit 0.", "",
             "| source | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for source, row in summary_["by_source"].items():
        lines.append(f"| {source} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
    lines.append("| **all** | " + " | ".join(pct(total[c], total["files"]) if c != "files" else str(total[c])
                                           for c in COLUMNS) + " |")
    p = summary_["processes"]
    lines += ["", f"Processes: {p['executable']} executable, {pct(p['started'], p['executable'])} started, "
              f"{pct(p['completed'], p['executable'])} ran to their end.", "",
              f"## Top reasons (of {sum(x['count'] for x in summary_['reasons'])} failed steps)", "",
              "| command | reason | count |", "|---|---|---|"]
    for item in summary_["reasons"][:top]:
        lines.append(f"| {item['command']} | {item['reason'].replace('|', '/')} | {item['count']} |")
    bugs = summary_["crashes_and_hangs"]
    lines += ["", f"## Crashes and hangs ({len(bugs)})", ""]
    lines += [f"- `{b['command']}` on `{b['file']}`: {b['stderr']}" for b in bugs[:40]] or ["None."]
    return "\n".join(lines) + "\n"


def run(folders: list[Path], timeout: float = 20.0, subprocess_mode: bool = False, step_limit: int = 60,
        jobs: int = 1, progress=None) -> list[FileRecord]:
    """Every file's record, in file order."""
    found = find_files(folders)
    work = [(str(p), s, timeout, subprocess_mode, step_limit) for p, s in found]
    if not subprocess_mode:
        warm_up()
    records = []
    if jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for record in pool.imap(run_file, work, chunksize=4):
                records.append(record)
                progress and progress(len(records), len(work), record)
    else:
        for job in work:
            records.append(run_file(job))
            progress and progress(len(records), len(work), records[-1])
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", metavar="DIR")
    parser.add_argument("-o", "--output", default="bench/CORPUS.md", help="the Markdown summary (and .json)")
    parser.add_argument("--json", action="store_true", help="print the JSON summary instead of the table")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds a command may take")
    parser.add_argument("--steps", type=int, default=60, help="step limit per instance")
    parser.add_argument("--jobs", type=int, default=1, help="files run at once")
    parser.add_argument("--subprocess", action="store_true", help="run the installed `phasegate` command")
    parser.add_argument("--from-json", metavar="FILE", help="rewrite the summary of earlier runs' .json or "
                        ".partial.jsonl files (comma-separated) with today's reason categories, running nothing")
    args = parser.parse_args(argv)
    if args.from_json:
        records = [load_record(r) for name in args.from_json.split(",") for r in saved_records(Path(name))]
        return write(records, args.folders, 0.0, Path(args.output), args.json)
    folders = [Path(f) for f in args.folders if Path(f).is_dir()]
    for missing in sorted(set(args.folders) - {str(f) for f in folders}):
        print(f"skipping {missing}: no such folder", file=sys.stderr)
    began = time.monotonic()

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial.jsonl").open("w", encoding="utf-8")  # each record as it comes

    def progress(done, total, record):
        partial.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
        partial.flush()
        if done % 25 == 0 or done == total:
            print(f"{done}/{total} files", file=sys.stderr, flush=True)

    records = run(folders, args.timeout, args.subprocess, args.steps, args.jobs, progress)
    partial.close()
    out.with_suffix(".partial.jsonl").unlink()
    return write(records, [str(f) for f in folders], time.monotonic() - began, Path(args.output), args.json)


def saved_records(path: Path) -> list[dict]:
    """The file records of a run's .json, or of a .partial.jsonl left by a run still going or stopped."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)["files"]


KEPT_REASONS = ("stuck", "step limit", "runner error", "diff against", "not executable")


def load_record(data: dict) -> FileRecord:
    """A file's record from the .json, with each failure's reason worked out again from its stderr."""
    def again(s: dict | None) -> Step | None:
        if s is None:
            return None
        kept = Step(**s)
        if not kept.ok and kept.stderr and not kept.reason.startswith(KEPT_REASONS):
            kept.reason = categorise(Outcome(kept.code, stderr=kept.stderr), "")
        return kept

    record = FileRecord(**{k: again(v) if isinstance(v, dict) else v for k, v in data.items() if k != "processes"})
    record.processes = [Process(p["process_id"], again(p["start"]), again(p["end"]), p["steps"])
                        for p in data["processes"]]
    return record


def write(records: list[FileRecord], folders: list[str], seconds: float, out: Path, as_json: bool) -> int:
    result = summary(records)
    text = markdown(result, folders, seconds)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(
        {"summary": result, "files": [asdict(r) for r in records]}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1) if as_json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

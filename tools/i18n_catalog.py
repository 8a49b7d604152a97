#!/usr/bin/env python3
"""Keeps phasegate's message catalogs (engine/locale/{zh,en}/LC_MESSAGES/phasegate.po) in step with
the source, and says what is missing.

    python tools/i18n_catalog.py update   add new msgids (zh empty for a translator, en = the source
                                          text), mark vanished ones obsolete, then report
    python tools/i18n_catalog.py check    exit 1 when a msgid lacks its Chinese or English text

Where messages come from:
- Babel's Python extractor over the files and keywords in pyproject.toml's [tool.babel] table:
  `_`/`_n` (cli.py), `N_`, and every error class (its first argument is the English msgid);
- the `hint=` of those error calls (a string constant; Babel reads positional arguments only);
- the command line's help: every command's docstring and every option's help, read from the click
  tree itself, so a new option cannot slip past;
- engine/errors.py's EXIT_CODES meanings (the `--help` epilog; the README's table stays English).
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PO = "engine/locale/{lang}/LC_MESSAGES/phasegate.po"
LANGUAGES = ("zh", "en")
PLURALS = {"zh": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    places: set[str] = field(default_factory=set)


@dataclass
class Extraction:
    messages: dict[str, Message]
    unmarked: list[str]   # "file:line keyword": a call whose message is no literal (an f-string, a variable)


def babel_config() -> tuple[list[str], dict]:
    from babel.messages.frontend import parse_keywords

    table = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["babel"]["mappings"][0]
    return table["pattern"], parse_keywords(table["keywords"].split())


def source_files(patterns: list[str]) -> list[Path]:
    files: set[Path] = set()
    for pattern in patterns:
        files.update(REPO.glob(pattern.replace("**.py", "**/*.py")))
    return sorted(f for f in files if f.is_file())


def extract() -> Extraction:
    from babel.messages.extract import extract, extract_python

    patterns, keywords = babel_config()
    error_names = {k for k in keywords if k[:1].isupper()}  # ClassName:1
    messages: dict[str, Message] = {}
    unmarked: list[str] = []

    def add(msgid, plural, place):
        msg = messages.setdefault(msgid, Message(msgid, plural))
        msg.plural = msg.plural or plural
        msg.places.add(place)

    for path in source_files(patterns):
        rel = path.relative_to(REPO).as_posix()
        with open(path, "rb") as handle:  # the raw calls: those whose message is no literal
            for line, funcname, text, _comments in extract_python(handle, keywords, [], {}):
                spec = keywords.get(funcname) or (1,)
                index = spec[0] - 1 if isinstance(spec[0], int) else 0
                first = (text[index] if index < len(text) else None) if isinstance(text, tuple) else text
                if first is None:
                    unmarked.append(f"{rel}:{line} {funcname}")
        with open(path, "rb") as handle:  # the messages, each keyword's spec applied (`Class:1`)
            for _line, text, _comments, _context in extract("python", handle, keywords=keywords):
                singular, plural = (text[0], text[1]) if isinstance(text, tuple) else (text, None)
                if singular.strip():  # not "\n".join(...) of several messages
                    add(singular, plural, rel)
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in error_names:
                for kw in node.keywords:
                    if kw.arg == "hint":
                        if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                            add(kw.value.value, None, rel)
                        elif not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
                            unmarked.append(f"{rel}:{node.lineno} {_name(node.func)} hint=")
    for msgid in help_texts():
        add(msgid, None, "cli.py (help)")
    from engine.errors import EXIT_CODES

    for meaning in EXIT_CODES.values():
        add(meaning, None, "engine/errors.py (EXIT_CODES)")
    return Extraction(messages, unmarked)


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def help_texts() -> list[str]:
    """Every help text the command line can show: command docstrings and option helps."""
    sys.path.insert(0, str(REPO))
    import click

    from cli import cli

    found: list[str] = []

    def walk(command):
        for text in (command.help, command.short_help):
            if text:
                found.append(inspect.cleandoc(text))  # as click shows it, and as cli.Spoken looks it up
        ctx = click.Context(command, info_name=command.name)
        for param in command.get_params(ctx):
            if getattr(param, "help", None):
                found.append(param.help)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(cli)
    return found


def po_path(lang: str) -> Path:
    return REPO / PO.format(lang=lang)


def read(lang: str):
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as handle:
        return read_po(handle, locale=lang, domain="phasegate")


def update(found: Extraction) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    for lang in LANGUAGES:
        old = read(lang) if po_path(lang).exists() else Catalog(locale=lang)
        stamp = old.creation_date if po_path(lang).exists() else None  # a fixed header: no churn per update
        new = Catalog(locale=lang, domain="phasegate", project="phasegate", version="catalog", charset="utf-8",
                      creation_date=stamp, revision_date=stamp, fuzzy=False, last_translator="phasegate",
                      language_team="phasegate", msgid_bugs_address="issues")
        new.header_comment = f"# phasegate's messages ({lang}). Kept in step with the source by tools/i18n_catalog.py."
        for msgid in sorted(found.messages):
            msg = found.messages[msgid]
            key = msgid
            before = old.get(key)
            if msg.plural:
                strings = list(before.string) if before is not None and isinstance(before.string, (tuple, list)) \
                    else [""] * (1 if lang == "zh" else 2)
                if lang == "en" and not any(strings):
                    strings = [msgid, msg.plural]
                new.add((msgid, msg.plural), tuple(strings), auto_comments=sorted(msg.places))
            else:
                string = before.string if before is not None and isinstance(before.string, str) else ""
                if lang == "en" and not string:
                    string = msgid
                new.add(msgid, string, auto_comments=sorted(msg.places))
        for message in old:  # a msgid gone from the source: kept as obsolete for a translator to reuse
            if message.id and message.id not in found.messages and any(
                    [message.string] if isinstance(message.string, str) else message.string):
                new.obsolete[message.id] = message
        with open(po_path(lang), "wb") as handle:
            write_po(handle, new, width=100, no_location=True, omit_header=False, include_previous=False)
        text = po_path(lang).read_text("utf-8")
        text = re.sub(r'"Plural-Forms: [^"]*\\n"', f'"Plural-Forms: {PLURALS[lang]}\\\\n"', text)
        po_path(lang).write_text(text, "utf-8")


FIELD = re.compile(r"\{([^{}!:]*)[^{}]*\}")


def fields(text: str) -> set[str]:
    return set(FIELD.findall(text.replace("{{", "").replace("}}", "")))


def problems(found: Extraction) -> list[str]:
    """Every msgid that lacks a language, and every translation whose `{names}` differ from the source."""
    out = []
    for lang in LANGUAGES:
        catalog = read(lang)
        for msgid, msg in sorted(found.messages.items()):
            entry = catalog.get(msgid)
            strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
            if entry is None or not strings or not all(strings) or entry.fuzzy:
                out.append(f"{lang}: no text for {msgid!r} ({', '.join(sorted(msg.places))})")
                continue
            wanted = fields(msgid) | (fields(msg.plural) if msg.plural else set())
            for string in strings:
                if fields(string) - wanted or (not msg.plural and fields(string) != wanted):
                    out.append(f"{lang}: {msgid!r} → {string!r}: the {{names}} differ")
    return out


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    found = extract()
    if command == "update":
        update(found)
    missing = problems(found)
    for line in missing:
        print(line)
    print(f"{len(found.messages)} msgids; {len(missing)} problems; {len(found.unmarked)} calls with no literal message"
          + "".join(f"\n  unmarked: {u}" for u in found.unmarked) * (command == "unmarked"))
    return 1 if missing and command == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

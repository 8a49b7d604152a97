#!/usr/bin/env python3
"""Rewrites error calls built with f-strings into catalog templates with named parameters:

    raise UnknownTask(f"instance {instance_id} has no task {task!r}")
→   raise UnknownTask("instance {instance_id} has no task {task!r}", instance_id=instance_id, task=task)

The English text stays byte for byte what it was (PhasegateError fills the template with str.format,
which reads the same fields, conversions and format specs), and the template becomes a msgid the
face can translate. A call whose f-string nests a field in a format spec is left alone and listed.

    python tools/i18n_templates.py FILE...     rewrite in place, print what was left
"""

from __future__ import annotations

import ast
import keyword
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from i18n_catalog import babel_config  # noqa: E402

RESERVED = {"message", "hint", "problems", "self", "kwargs", "target", "line", "params"}
CONVERSIONS = {-1: "", 115: "!s", 114: "!r", 97: "!a"}


def message_calls() -> dict[str, int]:
    """Each call whose message is a template → the index of that argument (pyproject's keywords:
    every error class, `Name:1`, and lint's `report:2`)."""
    _patterns, keywords = babel_config()
    calls = {k: 0 for k in keywords if k[:1].isupper()}
    calls.update({k: spec[0] - 1 for k, spec in keywords.items() if k == "report"})
    return calls


def literal(text: str) -> str:
    body = repr(text)
    if body.startswith("'") and '"' not in text:
        body = '"' + body[1:-1].replace("\\'", "'") + '"'
    return body


class Fields:
    """The named parameters of one call: one name per distinct expression."""

    def __init__(self, taken: set[str]):
        self.by_source: dict[str, str] = {}
        self.taken = set(taken) | RESERVED

    def name(self, expr: ast.expr) -> str:
        source = ast.unparse(expr)
        if source in self.by_source:
            return self.by_source[source]
        if isinstance(expr, ast.Name):
            base = expr.id
        elif isinstance(expr, ast.Attribute):
            base = expr.attr
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "len" and expr.args:
            inner = expr.args[0]
            base = "count" if not isinstance(inner, (ast.Name, ast.Attribute)) else \
                f"{inner.id if isinstance(inner, ast.Name) else inner.attr}_count"
        elif isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            base = expr.value.id
        else:
            base = "value"
        base = base.strip("_") or "value"
        if keyword.iskeyword(base):
            base += "_"
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}{n}", n + 1
        self.taken.add(name)
        self.by_source[source] = name
        return name

    def kwargs(self) -> str:
        return ", ".join(f"{name}={source}" for source, name in self.by_source.items())


def template(node: ast.JoinedStr, fields: Fields) -> str | None:
    if not any(isinstance(v, ast.FormattedValue) for v in node.values):
        return "".join(v.value for v in node.values)
    out = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            out.append(value.value.replace("{", "{{").replace("}", "}}"))
            continue
        spec = ""
        if value.format_spec is not None:
            parts = value.format_spec.values
            if not all(isinstance(p, ast.Constant) for p in parts):
                return None
            spec = ":" + "".join(p.value for p in parts)
        out.append("{" + fields.name(value.value) + CONVERSIONS[value.conversion] + spec + "}")
    return "".join(out)


def offsets(source: str):
    starts, pos = [0], 0
    for line in source.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    lines = source.splitlines(keepends=True)

    def at(lineno: int, col: int) -> int:  # ast columns count UTF-8 bytes
        return starts[lineno - 1] + len(lines[lineno - 1].encode("utf-8")[:col].decode("utf-8"))

    return at


def rewrite(path: Path, names: dict[str, int]) -> list[str]:
    source = path.read_text("utf-8")
    tree = ast.parse(source)
    at = offsets(source)
    edits: list[tuple[int, int, str]] = []
    left: list[str] = []
    for node in ast.walk(tree):
        name = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else \
            getattr(getattr(node, "func", None), "attr", None)
        if not (isinstance(node, ast.Call) and name in names and len(node.args) > names[name]):
            continue
        targets = [node.args[names[name]]] + [kw.value for kw in node.keywords if kw.arg == "hint"]
        if not any(isinstance(t, ast.JoinedStr) for t in targets):
            continue
        fields = Fields({kw.arg for kw in node.keywords if kw.arg})
        replaced = []
        for target in targets:
            if isinstance(target, ast.JoinedStr):
                text = template(target, fields)
                if text is None:
                    left.append(f"{path}:{node.lineno}: a format spec with a field")
                    replaced = None
                    break
                replaced.append((target, text))
        if not replaced:
            continue
        for target, text in replaced:
            edits.append((at(target.lineno, target.col_offset), at(target.end_lineno, target.end_col_offset),
                          literal(text)))
        if fields.by_source:
            close = at(node.end_lineno, node.end_col_offset) - 1
            before = source[:close].rstrip()
            sep = " " if before.endswith(",") else ", "
            edits.append((close, close, sep + fields.kwargs()))
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    ast.parse(source)  # still Python
    path.write_text(source, "utf-8")
    return left


def main(argv: list[str]) -> int:
    names = message_calls()
    for name in argv[1:]:
        for line in rewrite(Path(name), names):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""phasegate/engine-accepts: what `phasegate start` would refuse about a file, reported by lint first,
in the same words: the parser's refusals (a non-default exclusive flow without a condition, an
element the engine cannot run, a service task without an implementation, ...), a script task
without a script, a call activity that calls itself round a cycle.

The file is parsed the way `start` parses it, together with the sibling files whose processes it
calls and the decision and form files beside it.
"""

import re

from engine.bpmn.catalog import Catalog
from engine.bpmn.loader import parse_file
from engine.bpmn.namespaces import BPMN
from engine.errors import ModelInvalid

DESCRIPTION = "The engine accepts every executable process of the file: what `start` refuses, lint reports."

NOT_EXECUTABLE = "is not executable (isExecutable="
LINE = re.compile(r"^(?:[^:]*/)?[^/:]+\.(?:bpmn|dmn|form):(\d+): ")
ELEMENT = re.compile(r"\(line (\d+), element '([^']+)'\)$|element '([^']+)'\)$")


def check(model, report):
    if model.kind != "bpmn":
        return
    for item in _skipped(model):
        if item.source != model.path.name or NOT_EXECUTABLE in item.reason:
            continue
        message, line, element = _placed(item.reason, model)
        report(element, message, line=line)


def _skipped(model) -> list:
    key = ("engine-accepts", str(model.path.resolve()))
    if key not in model.workspace.memo:
        files = [model.path] + _called_files(model)
        model.workspace.memo[key] = Catalog(model.path.parent, bpmn_files=files).skipped()
    return model.workspace.memo[key]


def _called_files(model) -> list:
    """The sibling BPMN files that define a process this file calls."""
    called = {el.get("calledElement") for el in model.root.iter(f"{{{BPMN}}}callActivity") if el.get("calledElement")}
    own = {p.get("id") for p in model.root.iter(f"{{{BPMN}}}process")}
    wanted, found = called - own, []
    if not wanted:
        return found
    for sibling in sorted(model.path.parent.glob("*.bpmn")):
        if sibling.resolve() == model.path.resolve():
            continue
        try:
            ids = {p.get("id") for p in parse_file(sibling).getroot().iter(f"{{{BPMN}}}process")}
        except ModelInvalid:
            continue
        if ids & wanted:
            found.append(sibling)
    return found


def _placed(reason: str, model) -> tuple[str, int | None, str | None]:
    """The message without its file prefix, and the line and element it names, when it names them."""
    line, element = None, None
    match = LINE.match(reason)
    if match:
        line, reason = int(match.group(1)), reason[match.end():]
    elif reason.startswith(f"{model.path}: ") or reason.startswith(f"{model.path.name}: "):
        reason = reason.split(": ", 1)[1]
    placed = ELEMENT.search(reason)
    if placed:
        line = int(placed.group(1)) if placed.group(1) else line
        element = placed.group(2) or placed.group(3)
    if element is None:   # the engine's own refusals name the element in quotes
        named = re.search(r"(?:task|activity|gateway|event|flow|the id) '([^']+)'", reason)
        element = named.group(1) if named else None
    if element is not None and element not in model.by_id:
        element = None
    return reason, line, element

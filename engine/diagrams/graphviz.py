"""Running the Graphviz programs: output bytes plus the warnings they printed; only a failure raises.

Graphviz prints warnings ("size too small for label", "pos attribute ... doesn't have 3n+1 points")
on stderr and still draws. Those are collected and returned with the output (and logged at INFO on
the `engine.diagrams` logger), never fatal. A non-zero exit is a real failure: `RenderFailed` names
Graphviz's error lines, not whatever warning happened to come last.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass, field

from engine.errors import RenderFailed

TIMEOUT = 120
log = logging.getLogger("engine.diagrams")


@dataclass
class GraphvizOutput:
    """What one Graphviz run produced: its stdout and the warnings it printed."""

    data: bytes
    warnings: list[str] = field(default_factory=list)


def q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def run_graphviz(program: str, source: str, fmt: str, *flags: str) -> GraphvizOutput:
    """Run `program` (dot, neato) on DOT source; raises RenderFailed only when it exits with an error."""
    try:
        proc = subprocess.run([program, *flags, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=TIMEOUT)
    except FileNotFoundError:
        raise RenderFailed("Graphviz '{program}' is not installed",
                           hint="install the Debian package graphviz (make setup does)", program=program) from None
    except subprocess.TimeoutExpired:
        raise RenderFailed("Graphviz '{program}' took longer than {TIMEOUT} s", program=program, TIMEOUT=TIMEOUT) from None
    warnings, errors = split_messages(proc.stderr.decode("utf-8", "replace"))
    if proc.returncode != 0:
        detail = " ".join(errors) or (warnings[-1] if warnings else f"exit status {proc.returncode}")
        raise RenderFailed("Graphviz '{program}' failed: {detail}", program=program, detail=detail)
    for warning in warnings:
        log.info("Graphviz '%s': %s", program, warning)
    return GraphvizOutput(proc.stdout, [f"{program}: {w}" for w in warnings])


def split_messages(stderr: str) -> tuple[list[str], list[str]]:
    """(warnings, error lines) of Graphviz's stderr; an error's context lines stay with it."""
    warnings: list[str] = []
    errors: list[str] = []
    current = None
    for line in stderr.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("Warning:"):
            warnings.append(line[len("Warning:"):].strip())
            current = None
        elif line.startswith("Error:"):
            errors.append(line[len("Error:"):].strip())
            current = errors
        elif current is errors:
            errors.append(line)
        else:
            warnings.append(line)
    return warnings, errors

"""Running the Graphviz programs: output bytes plus the warnings they printed; only a failure raises.

Graphviz prints warnings ("size too small for label", "pos attribute ... doesn't have 3n+1 points")
on stderr and still draws. Those are collected and returned with the output (and logged at INFO on
the `engine.diagrams` logger), never fatal. A non-zero exit is a real failure: `RenderFailed` names
Graphviz's error lines, not whatever warning happened to come last.
"""

from __future__ import annotations

import logging
import math
import resource
import signal
import subprocess
from dataclasses import dataclass, field

from engine.diagrams import limits
from engine.errors import DrawingTooLarge, RenderFailed

TIMEOUT = 120   # any single run, whatever the drawing's limits say
WALL = 4        # a run may take this many times its CPU seconds of wall time (a loaded machine)
log = logging.getLogger("engine.diagrams")


@dataclass
class GraphvizOutput:
    """What one Graphviz run produced: its stdout and the warnings it printed."""

    data: bytes
    warnings: list[str] = field(default_factory=list)


def q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def run_graphviz(program: str, source: str, fmt: str, *flags: str, seconds: float | None = None) -> GraphvizOutput:
    """Run `program` (dot, neato) on DOT source; raises RenderFailed only when it exits with an error,
    DrawingTooLarge when it needs more than `seconds` or the drawing's time left (`limits.remaining`).

    The time is CPU time, held by the kernel (RLIMIT_CPU) and counted from the child's own usage, so a
    busy machine slows a drawing but does not change what is drawn; wall time is bounded too (`WALL`)."""
    allowed = min(TIMEOUT, limits.remaining(), seconds if seconds is not None else TIMEOUT)
    if allowed <= 0:
        raise _out_of_time(program)
    cpu = max(1, math.ceil(allowed))

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run([program, *flags, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=min(TIMEOUT, allowed * WALL + 2), preexec_fn=cap)
    except FileNotFoundError:
        raise RenderFailed("Graphviz '{program}' is not installed",
                           hint="install the Debian package graphviz (make setup does)", program=program) from None
    except subprocess.TimeoutExpired:  # subprocess.run kills the program before it raises
        limits.spend(allowed)
        raise _out_of_time(program) from None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    limits.spend(used)
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL) or used > allowed:
        raise _out_of_time(program)
    warnings, errors = split_messages(proc.stderr.decode("utf-8", "replace"))
    if proc.returncode != 0:
        detail = " ".join(errors) or (warnings[-1] if warnings else f"exit status {proc.returncode}")
        raise RenderFailed("Graphviz '{program}' failed: {detail}", program=program, detail=detail)
    for warning in warnings:
        log.info("Graphviz '%s': %s", program, warning)
    return GraphvizOutput(proc.stdout, [f"{program}: {w}" for w in warnings])


def _out_of_time(program: str) -> DrawingTooLarge:
    return DrawingTooLarge("Graphviz '{program}' did not finish within the {seconds:g} s of Graphviz time a drawing may take; the model is too large to draw in time",
                           hint="raise the limit with --draw-seconds", program=program, seconds=limits.current().seconds)


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

"""The sandbox's time and memory budget: what stops an expression or script that runs too long or
grows too big, and which expressions are too simple to need it (see engine/sandbox.py)."""

from __future__ import annotations

import ast
import os
import sys
import time
from functools import lru_cache

TIME_LIMIT = 0.5          # seconds one expression or script may run
MEMORY_LIMIT = 256 << 20  # bytes of address space one expression or script may add (Linux)
FILENAME = "<phasegate-sandbox>"


class Stop(BaseException):
    """Raised inside the sandboxed code when its time is up; code there cannot catch it."""


DEADLINE = [float("inf")]  # the innermost running budget's deadline


def tick() -> None:
    """Called at the top of every loop turn of sandboxed code: stop it when its time is up."""
    if time.monotonic() > DEADLINE[0]:
        raise Stop()


def guarded_iter(iterable):
    """Iterate for a comprehension, checking the deadline on every item."""
    for item in iterable:
        if time.monotonic() > DEADLINE[0]:
            raise Stop()
        yield item


class Budget:
    """Stops sandboxed code at a deadline (loop turns, lines, calls) and caps its address space."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        self.deadline = time.monotonic() + self.seconds
        self.outer_deadline = DEADLINE[0]
        DEADLINE[0] = min(self.deadline, self.outer_deadline)
        self.previous = sys.gettrace()
        self.memory = lower_memory_limit()
        sys.settrace(self._on_call)
        return self

    def __exit__(self, *exc):
        sys.settrace(self.previous)
        DEADLINE[0] = self.outer_deadline
        restore_memory_limit(self.memory)
        return False

    def _on_call(self, frame, event, arg):
        if time.monotonic() > self.deadline:
            raise Stop()
        return self._on_line if frame.f_code.co_filename == FILENAME else None

    def _on_line(self, frame, event, arg):
        if time.monotonic() > self.deadline:
            raise Stop()
        return self._on_line


_STATM = [None, None]  # (pid, file descriptor of /proc/self/statm): read again at offset 0 each time


def _address_space() -> int:
    """This process's address space in pages (from one kept-open file: ~10× cheaper than opening it)."""
    pid = os.getpid()
    if _STATM[0] != pid:  # first call, or a forked child: /proc/self named the parent when it was opened
        _STATM[:] = [pid, os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)]
    return int(os.pread(_STATM[1], 64, 0).split()[0])


def lower_memory_limit():
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        size = _address_space() * resource.getpagesize()
        limit = size + MEMORY_LIMIT
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or limit < soft:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            return soft, hard
    except (ImportError, OSError, ValueError):
        pass
    return None


def restore_memory_limit(saved) -> None:
    if saved is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, saved)


# An expression made only of these nodes calls nothing and builds nothing larger than its own text;
# over names that hold plain data its time is bounded by the size of that data, so it runs without
# the budget's trace function and memory limit (most gateway conditions: `decision == "approve"`).
_BOUNDED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.Name,
    ast.Load, ast.Constant, ast.Tuple, ast.List,
)
# What those names may hold: values whose comparisons and `in` never run code or iterate lazily
# (a `map` or `range` in task data would: `"x" in m` runs the map). Containers hold data already made.
PLAIN_TYPES = frozenset({str, int, float, bool, type(None), list, tuple, dict, set, frozenset})


@lru_cache(maxsize=2048)
def _bounded_names(source: str) -> frozenset | None:
    tree = ast.parse(source.strip(), filename=FILENAME, mode="eval")
    if not all(isinstance(node, _BOUNDED_NODES) for node in ast.walk(tree)):
        return None
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))


def bounded(source: str, namespace: dict) -> bool:
    """Whether an expression (already accepted by the sandbox) needs no time or memory budget: only
    comparisons, over names that hold plain data (a container's items are compared, never run)."""
    names = _bounded_names(source)
    return names is not None and all(type(namespace.get(name)) in PLAIN_TYPES for name in names)

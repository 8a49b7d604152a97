"""How large a drawing may be and how long Graphviz may work on it, so no model hangs a command.

A generated model of 20,000 tasks (19 MB) kept `render` and `layout` busy past 20 s: Graphviz's
layering grows faster than the model, and routing flows as polylines around every shape grows
faster still (a chain of 200 tasks already takes 10 s). Three bounds hold every drawing command
(`render`, `layout`, `diff -o`, `proposal`):

* a model with more than `max_elements` nodes and flows is refused before any layout
  (`DrawingTooLarge`, exit 2, one line naming the count and the limit);
* flows are routed as polylines around the shapes only while nodes × flows is at most `max_routed`
  (the routing's cost grows with that product: about 3 s for the largest reference model, 8,633,
  and 10 s for a chain of 200 tasks, 40,602) and for at most `route_seconds`; beyond either they are
  drawn straight (a warning says so) instead of waiting;
* all Graphviz runs of one drawing share `seconds`; a run that would go past it is stopped and the
  drawing refused in one line.

The seconds are Graphviz's CPU time (the kernel stops a run at its limit; `graphviz.run_graphviz`),
so a loaded machine takes longer but draws the same picture, as the reference models' tests expect.

`DrawingLimits()` holds the defaults; `with limits.applied(DrawingLimits(...)):` sets others for
what runs inside (the command line's `--draw-seconds` and `--draw-elements`), like
`decimal.localcontext`: scoped to the caller, never a module-wide setting.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from engine.errors import DrawingTooLarge


@dataclass(frozen=True)
class DrawingLimits:
    """Bounds of one drawing.

    Attributes:
        max_elements: nodes plus flows a model may have to be drawn.
        seconds: what all Graphviz runs of one drawing may take together.
        max_routed: nodes × flows up to which flows are routed around the shapes (else straight).
        route_seconds: what routing flows as polylines may take before they are drawn straight.
    """

    max_elements: int = 2500
    seconds: float = 10.0
    max_routed: int = 12_000
    route_seconds: float = 6.0


_current: ContextVar[DrawingLimits] = ContextVar("drawing_limits", default=DrawingLimits())
_budget: ContextVar[list | None] = ContextVar("drawing_budget", default=None)   # [CPU seconds left]


def current() -> DrawingLimits:
    """The limits in force here."""
    return _current.get()


@contextmanager
def applied(limits: DrawingLimits):
    """Run the block with `limits` in force."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


@contextmanager
def drawing():
    """One drawing: its Graphviz runs share `seconds` of CPU time (an outer drawing's budget is kept)."""
    if _budget.get() is not None:
        yield
        return
    token = _budget.set([current().seconds])
    try:
        yield
    finally:
        _budget.reset(token)


def remaining() -> float:
    """CPU seconds left for Graphviz in this drawing (the whole budget outside one)."""
    budget = _budget.get()
    return current().seconds if budget is None else max(0.0, budget[0])


def spend(seconds: float) -> None:
    """Count `seconds` of Graphviz CPU time against this drawing."""
    budget = _budget.get()
    if budget is not None:
        budget[0] -= seconds


def check(model) -> None:
    """Refuse a model with more nodes and flows than a drawing may hold, before any layout."""
    count = len(model.nodes) + len(model.flows)
    limit = current().max_elements
    if count > limit:
        name = getattr(model, "path", None) or "the model"
        raise DrawingTooLarge("{name}: {count} nodes and flows, more than the {limit} a drawing may hold",
                              hint="split the model, or raise the limit with --draw-elements", name=name, count=count, limit=limit)

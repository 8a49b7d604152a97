"""Timer text as designers write it in a modeler (bare `P3D`), turned into what SpiffWorkflow evaluates.

SpiffWorkflow evaluates timer bodies as Python expressions, so a bare `P3D` fails at run time.
A body that is an ISO 8601 literal (duration, repeating interval, date-time) is quoted here; any
other body stays an expression over the task data (e.g. `review_due`).
"""

from __future__ import annotations

from engine.bpmn.namespaces import BPMN as BPMN_NS
from engine.clock import is_iso_literal

TIMER_TAGS = ("timeDuration", "timeDate", "timeCycle")
__all__ = ["TIMER_TAGS", "is_iso_literal", "quote_bare_timers"]


def quote_bare_timers(tree) -> int:
    """Quote every bare ISO timer body in a BPMN tree in place; returns how many were quoted."""
    count = 0
    for tag in TIMER_TAGS:
        for node in tree.iter(f"{{{BPMN_NS}}}{tag}"):
            text = (node.text or "").strip()
            if text and is_iso_literal(text):
                node.text = repr(text)
                count += 1
    return count

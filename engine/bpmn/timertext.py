"""Timer text as designers write it in a modeler (bare `P3D`), turned into what SpiffWorkflow evaluates.

SpiffWorkflow evaluates timer bodies as Python expressions, so a bare `P3D` fails at run time.
A body that is an ISO 8601 literal (duration, repeating interval, date-time) is quoted here; any
other body stays an expression over the task data (e.g. `review_due`).
"""

from __future__ import annotations

import re

from engine.bpmn.namespaces import BPMN as BPMN_NS

TIMER_TAGS = ("timeDuration", "timeDate", "timeCycle")

_ISO = re.compile(
    r"""^(
        R\d*/.+                                   # repeating interval R/P1W, R3/2024-01-01T00:00/P1D
      | P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?   # duration
      | \d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?    # date / date-time
    )$""",
    re.VERBOSE,
)


def is_iso_literal(text: str) -> bool:
    """True when `text` is a bare ISO 8601 duration, cycle or instant."""
    return bool(_ISO.match(text.strip()))


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

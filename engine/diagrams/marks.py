"""How an element is emphasised on a drawing (instance overlay, diff colours): one small value type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Mark:
    """How one element is emphasised: outline colour, fill, line width, dashes, a note under it."""

    color: str | None = None
    fill: str | None = None
    penwidth: float | None = None
    dashed: bool = False
    note: str | None = None
    css: str = ""

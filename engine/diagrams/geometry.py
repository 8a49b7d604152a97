"""Where everything of a drawn model sits: boxes of nodes, lanes, pools and lane headers, and flow routes.

Made by engine/diagrams/lanelayout.py (boxes) and routing.py (routes); read by render, compare and
autolayout. Points, y pointing down (as in BPMN DI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.bpmn.model import Bounds


@dataclass
class Route:
    """One routed flow: a cubic B-spline (3n+1 control points) with optional arrow tips and label spot."""

    points: list[tuple[float, float]]
    start: tuple[float, float] | None = None  # arrow-tail tip, when the tail has a marker
    end: tuple[float, float] | None = None    # arrow-head tip
    label_pos: tuple[float, float] | None = None

    def waypoints(self) -> list[tuple[float, float]]:
        """Corners of the polyline from tip to tip (for BPMN DI)."""
        pts = [self.start or self.points[0]] + self.points[3:-1:3] + [self.points[-1]]
        if self.end:
            pts.append(self.end)
        out: list[tuple[float, float]] = []
        for p in pts:
            if not out or abs(out[-1][0] - p[0]) + abs(out[-1][1] - p[1]) > 0.5:
                out.append(p)
        return out if len(out) >= 2 else [pts[0], pts[-1]]


@dataclass
class Geometry:
    """The layout of one model, plus the Graphviz warnings met while computing it."""

    nodes: dict[str, Bounds] = field(default_factory=dict)
    lanes: dict[str, Bounds] = field(default_factory=dict)      # every lane, band incl. header
    headers: dict[str, Bounds] = field(default_factory=dict)    # lane id -> its header box
    pools: dict[str, Bounds] = field(default_factory=dict)      # pool frame incl. pool header
    routes: dict[str, Route] = field(default_factory=dict)
    width: float = 0
    height: float = 0
    expanded: set[str] = field(default_factory=set)             # sub-processes drawn as frames
    warnings: list[str] = field(default_factory=list)

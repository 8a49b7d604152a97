"""Pass 2 of the swimlane layout: every node pinned, flows routed by `neato -n2` as polylines.

Boundary events, expanded sub-processes and black-box pools are replaced by tiny port nodes on
their borders for the routing, so no routed nodes overlap (neato falls back to straight lines when
any do). The BPMN markers of a flow are decided here too, because they shorten the routed line.
"""

from __future__ import annotations

import json

from engine.bpmn.model import Flow, Model
from engine.diagrams.fonts import CJK_FONT as FONT, fit
from engine.diagrams.geometry import Geometry, Route
from engine.diagrams import limits
from engine.diagrams.graphviz import q, run_graphviz
from engine.errors import DrawingTooLarge

PORT = 0.02   # inches


def flow_label(flow: Flow) -> str:
    """What a flow shows: its name (at most three lines), else its condition (shortened)."""
    if flow.name:
        return "\n".join(fit(flow.name, 150, 10, 3))
    if flow.condition:
        cond = flow.condition
        return "[" + (cond if len(cond) <= 28 else cond[:26] + "…") + "]"
    return ""


def flow_arrows(flow: Flow, model: Model) -> dict[str, str]:
    """Graphviz attributes for the BPMN look of a flow (markers at both ends, line style)."""
    if flow.kind == "message":
        return {"style": "dashed", "dir": "both", "arrowhead": "onormal", "arrowtail": "odot"}
    if flow.kind == "association":
        return {"style": "dotted", "arrowhead": "none"}
    if flow.kind == "data":
        return {"style": "dotted", "arrowhead": "vee"}
    source = model.nodes.get(flow.source)
    from_activity = source is not None and source.kind in ("task", "subprocess")
    if flow.default:
        return {"dir": "both", "arrowhead": "normal", "arrowtail": "tee"}
    if flow.condition is not None and from_activity:
        return {"dir": "both", "arrowhead": "normal", "arrowtail": "odiamond"}
    return {"arrowhead": "normal"}


def _attr_list(attrs: dict[str, str]) -> str:
    return " ".join(f"{k}={q(v)}" for k, v in attrs.items())


def route(model: Model, geo: Geometry) -> dict[str, Route]:
    """One route per drawable flow; Graphviz's warnings go to `geo.warnings`."""
    height = geo.height

    def up(x: float, y: float) -> str:
        return f"{x:.2f},{height - y:.2f}"

    lines = ["digraph pass2 {", "splines=polyline; outputorder=edgesfirst;",
             f"node [shape=box fixedsize=true label=\"\" fontname={q(FONT)}];",
             f"edge [fontname={q(FONT)} fontsize=10 arrowsize=0.7];"]
    for nid, box in geo.nodes.items():
        node = model.nodes[nid]
        if nid in geo.expanded or node.host:
            continue
        shape = {"gateway": "diamond", "event": "circle"}.get(node.kind, "box")
        lines.append(f"{q(nid)} [shape={shape} pos={q(up(box.cx, box.cy) + '!')} "
                     f"width={box.w / 72:.3f} height={box.h / 72:.3f}];")
    ports: dict[str, tuple[float, float]] = {}
    for nid in geo.expanded:
        b = geo.nodes[nid]
        ports["in:" + nid] = (b.x - 3, b.cy)
        ports["out:" + nid] = (b.x + b.w + 3, b.cy)
    for node in model.nodes.values():
        if node.host and node.id in geo.nodes:
            b = geo.nodes[node.id]
            ports["bport:" + node.id] = (b.cx, b.y + b.h + 5)

    def end(ref: str, side: str, other: str, flow_id: str) -> str | None:
        node = model.nodes.get(ref)
        if node is None:
            pool = geo.pools.get(ref)
            if pool is None:
                return None
            ob = geo.nodes.get(other) or geo.pools.get(other)
            ox, oy = (ob.cx, ob.cy) if ob else (pool.cx, pool.y - 10)
            ox = min(max(ox, pool.x + 40), pool.x + pool.w - 10)
            y = pool.y - 3 if oy < pool.y else pool.y + pool.h + 3
            name = f"pport:{side}:{flow_id}"
            ports[name] = (ox, y)
            return name
        if ref not in geo.nodes:
            return None
        if node.host:
            return "bport:" + ref
        if ref in geo.expanded:
            return f"{side}:{ref}"
        return ref

    edges = []
    for flow in model.flows.values():
        s = end(flow.source, "out", flow.target, flow.id)
        t = end(flow.target, "in", flow.source, flow.id)
        if s is None or t is None:
            continue
        attrs = {"id": flow.id, **flow_arrows(flow, model)}
        label = flow_label(flow)
        if label:
            attrs["label"] = label
        edges.append(f"{q(s)} -> {q(t)} [{_attr_list(attrs)}];")
    for name, (x, y) in ports.items():
        lines.append(f"{q(name)} [shape=point width={PORT} pos={q(up(x, y) + '!')}];")
    lines += edges
    lines.append("}")
    source = "\n".join(lines)
    bounds = limits.current()
    allowed = min(bounds.route_seconds, limits.remaining() / 2)
    straight = "flows drawn straight: "
    cost = len(geo.nodes) * len(edges)
    try:
        if cost > bounds.max_routed:
            straight += f"{len(geo.nodes)} nodes × {len(edges)} flows are more than {bounds.max_routed} to route around"
            raise DrawingTooLarge(straight)
        out = run_graphviz("neato", source, "json0", "-n2", seconds=allowed)
    except DrawingTooLarge:  # routing around every shape grows fast: draw the flows straight instead
        out = run_graphviz("neato", source.replace("splines=polyline", "splines=line", 1), "json0", "-n2")
        if cost <= bounds.max_routed:
            straight += f"routing them around the shapes took longer than {allowed:.3g} s"
        geo.warnings.append(straight)
    geo.warnings += out.warnings
    data = json.loads(out.data)
    # neato moves the drawing to the origin: measure that shift on the pinned nodes and undo it.
    given = {**{nid: (b.cx, b.cy) for nid, b in geo.nodes.items()}, **ports}
    sx = sy = 0.0
    for obj in data.get("objects", []):
        if obj.get("name") in given and "pos" in obj:
            x, y = map(float, obj["pos"].split(","))
            gx, gy = given[obj["name"]]
            sx, sy = gx - x, (height - gy) - y
            break
    routes: dict[str, Route] = {}
    for edge in data.get("edges", []):
        fid = edge.get("id")
        if not fid or "pos" not in edge:
            continue
        routes[fid] = _parse_pos(edge["pos"], edge.get("lp"), height, sx, sy)
    for fid, r in routes.items():
        src = model.nodes.get(model.flows[fid].source)
        if src is not None and src.host and src.id in geo.nodes and r.points:   # start on the circle
            b = geo.nodes[src.id]
            r.points = _line((b.cx, b.y + b.h), r.points[0]) + r.points[1:]
            r.start = None
    return routes


def _line(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """A straight cubic segment from a to b (its first three control points)."""
    return [a, (a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3),
            (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3), b]


def _parse_pos(pos: str, lp: str | None, height: float, sx: float = 0, sy: float = 0) -> Route:
    def point(x: str, y: str) -> tuple[float, float]:
        return float(x) + sx, height - (float(y) + sy)

    start = end = None
    points = []
    for token in pos.split():
        parts = token.split(",")
        if parts[0] == "e":
            end = point(parts[1], parts[2])
        elif parts[0] == "s":
            start = point(parts[1], parts[2])
        else:
            points.append(point(parts[0], parts[1]))
    label = point(*lp.split(",")) if lp else None
    return Route(points=points, start=start, end=end, label_pos=label)


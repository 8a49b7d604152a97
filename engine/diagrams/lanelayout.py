"""Swimlane layout with Graphviz in two passes; lane order holds by construction.

Pass 1 runs `dot` (rankdir=LR, newrank) with one cluster per lane band, a tiny header node per
band and an invisible tail, and reads positions back with `-Tjson0`. Then every node moves right
until none reaches into the lane-header column (dot puts start events in the headers' rank), the
bands are re-stacked in the file's order with equal widths, every node moves with its band, and
pass 2 (engine/diagrams/routing.py) pins everything and lets `neato -n2` route the flows.
Activities with boundary events keep room around them, so no two routed nodes touch.

`layout(model)` returns a `Geometry` (engine/diagrams/geometry.py) in points with y pointing down
(as in BPMN DI), with the Graphviz warnings of both passes. Both the pictures (render, compare) and
the diagram interchange (autolayout) are made from it. Long task names and text annotations are
cut to a bounded box (`task_label`, `annotation_label`), so no label makes a drawing grow without end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from engine.bpmn.model import Bounds, Model, Node
from engine.diagrams import limits
from engine.diagrams.fonts import CJK_FONT as FONT, fit
from engine.diagrams.geometry import Geometry
from engine.diagrams.graphviz import q, run_graphviz
from engine.diagrams.routing import route

SIZES = {"task": (100, 80), "subprocess": (100, 80), "gateway": (50, 50), "event": (36, 36),
         "data": (36, 50), "annotation": (100, 40)}
LANE_HEADER = 64          # one header column per lane depth (DI keeps bpmn-js's 30 px offsets)
POOL_HEADER = 30
BAND_MIN = 120
POOL_GAP = 40
BOUNDARY_R = 18
HEADER_GAP = 24           # clear space between the lane headers and the first node
TASK_LINES = 6            # a task shows at most this many lines of its name (140 pt wide)
NOTE_LINES = 14           # a text annotation shows at most this many lines (240 pt wide)


@dataclass
class Label:
    """The lines a box shows and the box size they need."""

    lines: list[str]
    w: float
    h: float


def task_label(name: str) -> Label:
    """A task's name in lines: 100 pt wide, 140 pt when it needs more than four lines."""
    w, h = SIZES["task"]
    lines = fit(name, w - 12, 12, TASK_LINES)
    if len(lines) > 4:
        w = 140
        lines = fit(name, w - 12, 12, TASK_LINES)
    return Label(lines, w, max(h, 16 * len(lines) + 24))


def annotation_label(text: str) -> Label:
    """A text annotation in lines: 100 pt wide, wider (up to 240 pt) and cut with … when long."""
    for w in (100, 160, 240):
        lines = fit(text, w - 10, 11, NOTE_LINES)
        if len(lines) <= 6 or w == 240:
            break
    return Label(lines, w, max(SIZES["annotation"][1], 15 * len(lines) + 10))


def node_size(node: Node) -> tuple[float, float]:
    w, h = SIZES[node.kind]
    if node.kind == "data" and node.tag == "dataStoreReference":
        w, h = 50, 50
    if node.kind in ("task", "subprocess"):
        label = task_label(node.name)
        w, h = label.w, label.h
    elif node.kind == "annotation":
        label = annotation_label(node.name)
        w, h = label.w, label.h
    return w, h


def _bands(model: Model) -> list[tuple[str, str]]:
    """(band id, pool id) for every band in drawing order: leaf lanes, or the pool itself."""
    out = []
    for pool in model.pools:
        leaves = pool.leaf_lanes
        out += [(lane.id, pool.id) for lane in leaves] if leaves else [(pool.id, pool.id)]
    return out


def _band_of(model: Model, node: Node) -> str:
    return node.lane or node.pool


def _expanded(model: Model) -> set[str]:
    return {n.id for n in model.nodes.values() if n.kind == "subprocess" and model.children(n.id)}


def _host_pad() -> float:
    """Room kept around an activity for the boundary events on its border (and their flows' ports)."""
    return BOUNDARY_R + 16


def _header_width(model: Model) -> float:
    depth = max([lane.depth for lane in model.lanes.values()] or [-1]) + 1
    return LANE_HEADER * depth


def _pass1(model: Model, expanded: set[str], warnings: list[str]) -> dict:
    lines = ["digraph pass1 {", "rankdir=LR; newrank=true; splines=false; nodesep=0.45; ranksep=0.55;",
             f"node [shape=box fixedsize=true label=\"\" fontname={q(FONT)}];"]
    boundary_hosts = {n.host for n in model.nodes.values() if n.host}

    def emit_node(node: Node, indent: str):
        if node.id in expanded:
            margin = 18 + (_host_pad() if node.id in boundary_hosts else 0)
            lines.append(f"{indent}subgraph {q('cluster_sp_' + node.id)} {{ margin={margin}; label={q(node.name or ' ')};"
                         f" fontsize=12;")
            lines.append(f"{indent}  {q('in:' + node.id)} [shape=point width=0.01 style=invis];")
            lines.append(f"{indent}  {q('out:' + node.id)} [shape=point width=0.01 style=invis];")
            for child in model.children(node.id):
                if not child.host:
                    emit_node(child, indent + "  ")
            lines.append(f"{indent}}}")
            return
        w, h = node_size(node)
        if node.id in boundary_hosts:
            h += 2 * _host_pad()
        lines.append(f"{indent}{q(node.id)} [width={w / 72:.3f} height={h / 72:.3f}];")

    for band, pool in _bands(model):
        lines.append(f"subgraph {q('cluster_band_' + band)} {{ margin=16;")
        lines.append(f"  {q('head:' + band)} [width={1 / 72:.3f} height=0.2 style=invis];")
        lines.append(f"  {q('tail:' + band)} [shape=point width=0.01 style=invis];")
        for node in model.nodes.values():
            if node.parent is None and not node.host and _band_of(model, node) == band:
                emit_node(node, "  ")
        lines.append("}")
    bands = [b for b, _p in _bands(model)]
    lines.append("{rank=min; " + " ".join(q("head:" + b) for b in bands) + "}")
    lines.append("{rank=max; " + " ".join(q("tail:" + b) for b in bands) + "}")
    for a, b in zip(bands, bands[1:]):
        lines.append(f"{q('head:' + a)} -> {q('head:' + b)} [style=invis];")
    for flow in model.flows.values():
        s, t = _layout_end(model, flow.source, expanded, "out"), _layout_end(model, flow.target, expanded, "in")
        if s is None or t is None or s == t:
            continue
        attrs = {"sequence": "weight=3", "message": "constraint=false", "association": "weight=0",
                 "data": "weight=1"}[flow.kind]
        lines.append(f"{q(s)} -> {q(t)} [{attrs}];")
    for sp in expanded:
        kids = [c.id for c in model.children(sp) if not c.host and c.id not in expanded]
        incoming = {f.target for f in model.flows.values() if f.kind == "sequence"}
        outgoing = {f.source for f in model.flows.values() if f.kind == "sequence"}
        for kid in kids:
            if kid not in incoming:
                lines.append(f"{q('in:' + sp)} -> {q(kid)} [weight=2];")
            if kid not in outgoing:
                lines.append(f"{q(kid)} -> {q('out:' + sp)} [weight=2];")
    lines.append("}")
    out = run_graphviz("dot", "\n".join(lines), "json0")
    warnings += out.warnings
    return json.loads(out.data)


def _layout_end(model: Model, ref: str, expanded: set[str], side: str) -> str | None:
    node = model.nodes.get(ref)
    if node is None:
        return None if ref not in {p.id for p in model.pools} else _pool_anchor(model, ref)
    while node.host and node.host in model.nodes:
        node = model.nodes[node.host]
    return f"{side}:{node.id}" if node.id in expanded else node.id


def _pool_anchor(model: Model, pool_id: str) -> str:
    return "tail:" + _bands(model)[[p for _b, p in _bands(model)].index(pool_id)][0]


def _read_pass1(data: dict) -> tuple[dict, dict]:
    top = float(data["bb"].split(",")[3])
    clusters, nodes = {}, {}
    for obj in data.get("objects", []):
        name = obj.get("name", "")
        if "bb" in obj and name.startswith("cluster_"):
            x1, y1, x2, y2 = map(float, obj["bb"].split(","))
            clusters[name] = Bounds(x1, top - y2, x2 - x1, y2 - y1)
        elif "pos" in obj:
            x, y = map(float, obj["pos"].split(","))
            w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
            nodes[name] = Bounds(x - w / 2, top - y - h / 2, w, h)
    return clusters, nodes


def layout(model: Model) -> Geometry:
    """Lay out every pool, lane, node and flow of `model` (see the module docstring); a model larger
    than the drawing limits allow is refused first (`limits.check`)."""
    limits.check(model)
    with limits.drawing():
        return _layout(model)


def _layout(model: Model) -> Geometry:
    geo = Geometry(expanded=_expanded(model))
    if not model.nodes and not model.pools:
        return geo
    clusters, pos = _read_pass1(_pass1(model, geo.expanded, geo.warnings))
    bands = _bands(model)
    band_boxes = {b: clusters.get("cluster_band_" + b) for b, _p in bands}
    known = [bx for bx in band_boxes.values() if bx is not None]
    x_left = min(bx.x for bx in known)
    header_w = _header_width(model)
    _clear_headers(clusters, pos, x_left + header_w + HEADER_GAP if header_w else x_left)
    x_right = max([bx.x + bx.w for bx in known] + [b.x + b.w + 16 for b in pos.values()]
                  + [c.x + c.w + 16 for name, c in clusters.items() if name.startswith("cluster_sp_")])
    pool_x = x_left - POOL_HEADER
    shift: dict[str, float] = {}
    band_new: dict[str, Bounds] = {}
    y = 0.0
    for pool in model.pools:
        pool_top = y
        for band, owner in bands:
            if owner != pool.id:
                continue
            old = band_boxes[band]
            height = max(BAND_MIN, old.h if old else BAND_MIN)
            band_new[band] = Bounds(x_left, y, x_right - x_left, height)
            shift[band] = (y + (height - old.h) / 2 - old.y) if old else 0.0
            y += height
        geo.pools[pool.id] = Bounds(pool_x, pool_top, x_right - pool_x, y - pool_top)
        y += POOL_GAP
    geo.height, geo.width = y - POOL_GAP, x_right - pool_x

    def place(name: str, band: str, size: tuple[float, float] | None = None) -> Bounds:
        b = pos[name]
        w, h = size or (b.w, b.h)
        return Bounds(b.cx - w / 2, b.cy + shift[band] - h / 2, w, h)

    hosts = {n.host for n in model.nodes.values() if n.host}
    for node in model.nodes.values():
        band = _band_of(model, node)
        if node.id in geo.expanded:
            c = clusters["cluster_sp_" + node.id]
            pad = _host_pad() if node.id in hosts else 0     # room for its boundary events to sit on the frame
            geo.nodes[node.id] = Bounds(c.x + pad, c.y + shift[band] + pad, c.w - 2 * pad, c.h - 2 * pad)
        elif not node.host and node.id in pos:
            geo.nodes[node.id] = place(node.id, band, node_size(node))
    _place_boundaries(model, geo)
    _lane_boxes(model, geo, band_new, header_w)
    _translate(geo, -pool_x, 0)
    geo.routes = route(model, geo)
    return geo


def _clear_headers(clusters: dict, pos: dict, left: float) -> None:
    """Move every node right until none reaches into the lane-header column (pass 1 knows no headers)."""
    drawn = [b for name, b in pos.items() if not name.startswith(("head:", "tail:"))]
    drawn += [c for name, c in clusters.items() if name.startswith("cluster_sp_")]
    if not drawn:
        return
    dx = left - min(b.x for b in drawn)
    if dx <= 0:
        return
    for table, skip in ((pos, ("head:", "tail:")), (clusters, ("cluster_band_",))):
        for name, b in table.items():
            if not name.startswith(skip):
                table[name] = Bounds(b.x + dx, b.y, b.w, b.h)


def _translate(geo: Geometry, dx: float, dy: float) -> None:
    for table in (geo.nodes, geo.lanes, geo.headers, geo.pools):
        for key, b in table.items():
            table[key] = Bounds(b.x + dx, b.y + dy, b.w, b.h)


def _place_boundaries(model: Model, geo: Geometry) -> None:
    per_host: dict[str, list[Node]] = {}
    for node in model.nodes.values():
        if node.host:
            per_host.setdefault(node.host, []).append(node)
    for host, events in per_host.items():
        hb = geo.nodes.get(host)
        if hb is None:
            continue
        for i, ev in enumerate(events):
            cx = hb.x + hb.w * (i + 1) / (len(events) + 1)
            geo.nodes[ev.id] = Bounds(cx - BOUNDARY_R, hb.y + hb.h - BOUNDARY_R, 2 * BOUNDARY_R, 2 * BOUNDARY_R)


def _lane_boxes(model: Model, geo: Geometry, band_new: dict[str, Bounds], header_w: float) -> None:
    for pool in model.pools:
        def span(lane_id: str) -> tuple[float, float]:
            if lane_id in band_new:
                b = band_new[lane_id]
                return b.y, b.y + b.h
            kids = [span(l.id) for l in pool.lanes if l.parent == lane_id]
            return (min(k[0] for k in kids), max(k[1] for k in kids)) if kids else (0.0, 0.0)
        for lane in pool.lanes:
            top, bottom = span(lane.id)
            x = geo.pools[pool.id].x + POOL_HEADER + LANE_HEADER * lane.depth
            geo.lanes[lane.id] = Bounds(x, top, geo.pools[pool.id].x + geo.pools[pool.id].w - x, bottom - top)
            hw = LANE_HEADER if not lane.leaf else header_w - LANE_HEADER * lane.depth
            geo.headers[lane.id] = Bounds(x, top, hw, bottom - top)



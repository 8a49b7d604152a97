"""Swimlane layout with Graphviz in two passes; lane order holds by construction.

Pass 1 runs `dot` (rankdir=LR, newrank) with one cluster per lane band, a header node per band in
the first rank and an invisible tail in the last, and reads positions back with `-Tjson0`.
Then the bands are re-stacked in the file's order with equal widths, every node moves with its band,
and pass 2 pins everything and lets `neato -n2` route the flows (`splines=polyline`).
Boundary events and the borders of expanded sub-processes and black-box pools take part in the
routing as small port nodes, so no two routed nodes overlap.

`layout(model)` returns a `Geometry` in points with y pointing down (as in BPMN DI): boxes of
nodes, lanes, pools and lane headers, and one `Route` per flow. Both the pictures (render, compare)
and the diagram interchange (autolayout) are made from it.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from dataclasses import dataclass, field

from engine.bpmn.model import Bounds, Model, Node
from engine.errors import RenderFailed

FONT = "Noto Sans CJK SC"
SIZES = {"task": (100, 80), "subprocess": (100, 80), "gateway": (50, 50), "event": (36, 36),
         "data": (36, 50), "annotation": (100, 40)}
LANE_HEADER = 64          # one header column per lane depth (DI keeps bpmn-js's 30 px offsets)
POOL_HEADER = 30
BAND_MIN = 120
POOL_GAP = 40
BOUNDARY_R = 18
TIMEOUT = 120


@dataclass
class Route:
    points: list[tuple[float, float]]        # cubic B-spline control points (3n+1), y down
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
    nodes: dict[str, Bounds] = field(default_factory=dict)
    lanes: dict[str, Bounds] = field(default_factory=dict)      # every lane, band incl. header
    headers: dict[str, Bounds] = field(default_factory=dict)    # lane id -> its header box
    pools: dict[str, Bounds] = field(default_factory=dict)      # pool frame incl. pool header
    routes: dict[str, Route] = field(default_factory=dict)
    width: float = 0
    height: float = 0
    expanded: set[str] = field(default_factory=set)             # sub-processes drawn as frames


def text_width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.58 for c in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of at most `width` points: words for Latin text, characters for Chinese."""
    lines, cur = [], ""
    for token in _tokens(text):
        if cur and text_width(cur + token, size) > width:
            lines.append(cur.rstrip())
            cur = token.lstrip()
        else:
            cur += token
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def _tokens(text: str) -> list[str]:
    out, word = [], ""
    for c in " ".join(text.split()):
        if unicodedata.east_asian_width(c) in "WF":
            if word:
                out.append(word)
                word = ""
            out.append(c)
        elif c == " ":
            out.append(word + " ")
            word = ""
        else:
            word += c
    if word:
        out.append(word)
    return out


def node_size(node: Node) -> tuple[float, float]:
    w, h = SIZES[node.kind]
    if node.kind == "data" and node.tag == "dataStoreReference":
        w, h = 50, 50
    if node.kind in ("task", "subprocess"):
        lines = wrap(node.name, w - 12, 12)
        if len(lines) > 4:
            w = 140
            lines = wrap(node.name, w - 12, 12)
        h = max(h, 16 * len(lines) + 24)
    elif node.kind == "annotation":
        lines = wrap(node.name, w - 10, 11)
        h = max(h, 15 * len(lines) + 10)
    return w, h


def run_graphviz(engine: str, source: str, fmt: str, *flags: str) -> bytes:
    """Run a Graphviz program on DOT source; raises RenderFailed with its message."""
    try:
        proc = subprocess.run([engine, *flags, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=TIMEOUT)
    except FileNotFoundError:
        raise RenderFailed(f"Graphviz '{engine}' is not installed",
                           hint="install the Debian package graphviz (make setup does)") from None
    except subprocess.TimeoutExpired:
        raise RenderFailed(f"Graphviz '{engine}' took longer than {TIMEOUT} s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderFailed(f"Graphviz '{engine}' failed: {msg[-1] if msg else proc.returncode}")
    return proc.stdout


def q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


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


def _header_width(model: Model) -> float:
    depth = max([lane.depth for lane in model.lanes.values()] or [-1]) + 1
    return LANE_HEADER * depth


def _pass1(model: Model, expanded: set[str]) -> dict:
    header_w = _header_width(model)
    lines = ["digraph pass1 {", "rankdir=LR; newrank=true; splines=false; nodesep=0.45; ranksep=0.55;",
             f"node [shape=box fixedsize=true label=\"\" fontname={q(FONT)}];"]
    boundary_hosts = {n.host for n in model.nodes.values() if n.host}

    def emit_node(node: Node, indent: str):
        if node.id in expanded:
            lines.append(f"{indent}subgraph {q('cluster_sp_' + node.id)} {{ margin=18; label={q(node.name or ' ')};"
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
            h += 2 * (BOUNDARY_R + 16)
        lines.append(f"{indent}{q(node.id)} [width={w / 72:.3f} height={h / 72:.3f}];")

    for band, pool in _bands(model):
        lines.append(f"subgraph {q('cluster_band_' + band)} {{ margin=16;")
        width = header_w if band != pool or model.lanes.get(band) else 0.1
        lines.append(f"  {q('head:' + band)} [width={max(width, 1) / 72:.3f} height=0.2 style=invis];")
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
    return json.loads(run_graphviz("dot", "\n".join(lines), "json0"))


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
    """Lay out every pool, lane, node and flow of `model` (see the module docstring)."""
    geo = Geometry(expanded=_expanded(model))
    if not model.nodes and not model.pools:
        return geo
    clusters, pos = _read_pass1(_pass1(model, geo.expanded))
    bands = _bands(model)
    band_boxes = {b: clusters.get("cluster_band_" + b) for b, _p in bands}
    known = [bx for bx in band_boxes.values() if bx is not None]
    x_left = min(bx.x for bx in known)
    x_right = max(bx.x + bx.w for bx in known)
    header_w = _header_width(model)
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

    for node in model.nodes.values():
        band = _band_of(model, node)
        if node.id in geo.expanded:
            c = clusters["cluster_sp_" + node.id]
            geo.nodes[node.id] = Bounds(c.x, c.y + shift[band], c.w, c.h)
        elif not node.host and node.id in pos:
            geo.nodes[node.id] = place(node.id, band, node_size(node))
    _place_boundaries(model, geo)
    _lane_boxes(model, geo, band_new, header_w)
    _translate(geo, -pool_x, 0)
    geo.routes = _route(model, geo)
    return geo


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


from engine.diagrams.routing import route as _route  # noqa: E402  (routing needs the names above)

"""Generic BPMN diagram-interchange (DI) generator for swimlane processes.

``add_diagram(tree)`` takes a BPMN document that has a ``collaboration`` with
participants (pools) whose processes carry a ``laneSet``, but no (or a stale)
``BPMNDiagram``, and writes a complete diagram:

* columns: longest-path rank over the sequence flows, after dropping the back
  edges a depth-first search from the start nodes finds (loops point back);
* rows: one horizontal band per lane, in file order; when two nodes of one lane
  fall into the same column the band grows a sub-row;
* one ``BPMNPlane`` on the collaboration, pool and lane shapes with
  ``isHorizontal="true"`` (lane x = pool x + 30), standard sizes (task 100x80,
  gateway 50x50, event 36x36), boundary events on the bottom border of their
  host, every sequence flow an edge with orthogonal waypoints, labels for
  events, gateways and named flows.

The module knows nothing about any particular process or department.
Limits: sub-processes are drawn collapsed (their content is not laid out);
data objects, text annotations and associations get no shapes.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

TASK_TAGS = {
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask",
    "manualTask", "sendTask", "receiveTask", "callActivity", "subProcess",
    "transaction", "adHocSubProcess",
}
EVENT_TAGS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent",
}
GATEWAY_TAGS = {
    "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "complexGateway",
}
FLOW_NODE_TAGS = TASK_TAGS | EVENT_TAGS | GATEWAY_TAGS

SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}

# Geometry (pixels).
ORIGIN_X = 160          # pool x
ORIGIN_Y = 80           # first pool y
POOL_GAP = 60           # vertical gap between pools
POOL_HEADER = 30        # pool name band (lane x = pool x + POOL_HEADER)
LANE_HEADER = 30        # lane name band
CONTENT_PAD = 30        # gap between the lane header and the first column
COL_W = 160             # column pitch
ROW_H = 150             # sub-row height inside a lane band
CHAR_W = 13             # rough width of one CJK character in the modeler font
LINE_H = 14


def _local(el) -> str:
    return etree.QName(el).localname


def _kind(tag: str) -> str:
    if tag in TASK_TAGS:
        return "task"
    if tag in GATEWAY_TAGS:
        return "gateway"
    return "event"


class _Box:
    __slots__ = ("x", "y", "w", "h")

    def __init__(self, x, y, w, h):
        self.x, self.y, self.w, self.h = x, y, w, h

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2

    @property
    def right(self):
        return self.x + self.w

    @property
    def bottom(self):
        return self.y + self.h


def _label_size(text: str) -> tuple[int, int]:
    text = text or ""
    width = max(40, min(len(text) * CHAR_W, 130))
    per_line = max(1, width // CHAR_W)
    lines = max(1, -(-len(text) // per_line))
    return width, lines * LINE_H


def _ranks(nodes: list[str], edges: list[tuple[str, str, int]]):
    """Longest-path rank after removing DFS back edges.

    ``edges`` are (source, target, weight); returns (rank, visit_order, back_edges).
    """
    out = defaultdict(list)
    indeg = defaultdict(int)
    for s, t, w in edges:
        out[s].append((t, w))
        indeg[t] += 1
    roots = [n for n in nodes if indeg[n] == 0] + nodes  # the rest for unreachable cycles
    state: dict[str, int] = {}            # 1 = on stack, 2 = done
    order: list[str] = []
    back: set[tuple[str, str]] = set()
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        order.append(root)
        stack = [(root, iter(out[root]))]
        while stack:
            node, it = stack[-1]
            for t, _w in it:
                st = state.get(t)
                if st == 1:
                    back.add((node, t))
                elif st is None:
                    state[t] = 1
                    order.append(t)
                    stack.append((t, iter(out[t])))
                    break
            else:
                state[node] = 2
                stack.pop()
    # Longest path on the remaining DAG (Kahn).
    dag = [(s, t, w) for s, t, w in edges if (s, t) not in back]
    succ = defaultdict(list)
    deg = {n: 0 for n in nodes}
    for s, t, w in dag:
        succ[s].append((t, w))
        deg[t] += 1
    rank = {n: 0 for n in nodes}
    queue = [n for n in order if deg[n] == 0]
    i = 0
    while i < len(queue):
        n = queue[i]
        i += 1
        for t, w in succ[n]:
            rank[t] = max(rank[t], rank[n] + w)
            deg[t] -= 1
            if deg[t] == 0:
                queue.append(t)
    return rank, order, back


def _leaf_lanes(lane_set, depth=0, out=None):
    """Yield (lane element, depth, is_leaf) in document order."""
    if out is None:
        out = []
    if lane_set is None:
        return out
    for lane in lane_set.findall("bpmn:lane", NS):
        child = lane.find("bpmn:childLaneSet", NS)
        has_children = child is not None and child.find("bpmn:lane", NS) is not None
        out.append((lane, depth, not has_children))
        if has_children:
            _leaf_lanes(child, depth + 1, out)
    return out


def _sub(parent, tag, **attrib):
    ns, name = tag.split(":")
    el = etree.SubElement(parent, f"{{{NS[ns]}}}{name}")
    for k, v in attrib.items():
        el.set(k, str(v))
    return el


def _fmt(v: float) -> str:
    return str(int(round(v)))


def _bounds(parent, box: _Box):
    _sub(parent, "dc:Bounds", x=_fmt(box.x), y=_fmt(box.y),
         width=_fmt(box.w), height=_fmt(box.h))


def _layout_pool(process, pool_y: float):
    """Compute boxes for one pool. Returns (pool_box, lane_boxes, node_boxes, meta)."""
    nodes = []          # non-boundary flow nodes, document order
    boundaries = []     # boundary events
    tags = {}
    names = {}
    for el in process:
        if not isinstance(el.tag, str) or el.tag.split("}")[0][1:] != BPMN:
            continue
        tag = _local(el)
        if tag not in FLOW_NODE_TAGS:
            continue
        nid = el.get("id")
        tags[nid] = tag
        names[nid] = el.get("name", "")
        if tag == "boundaryEvent":
            boundaries.append(el)
        else:
            nodes.append(nid)

    flows = [
        (f.get("id"), f.get("sourceRef"), f.get("targetRef"), f.get("name", ""))
        for f in process.findall("bpmn:sequenceFlow", NS)
    ]
    host_of = {b.get("id"): b.get("attachedToRef") for b in boundaries}
    graph_nodes = nodes + list(host_of)
    edges = [(h, b, 0) for b, h in host_of.items() if h in tags]
    edges += [(s, t, 1) for _fid, s, t, _n in flows if s in tags and t in tags]
    rank, order, back = _ranks(graph_nodes, edges)

    # Lanes and node -> lane.
    lane_entries = _leaf_lanes(process.find("bpmn:laneSet", NS))
    leaf_ids = [lane.get("id") for lane, _d, leaf in lane_entries if leaf]
    lane_of = {}
    for lane, _d, leaf in lane_entries:
        if leaf:
            for ref in lane.findall("bpmn:flowNodeRef", NS):
                lane_of[(ref.text or "").strip()] = lane.get("id")
    rows = leaf_ids or [None]
    default_row = rows[0]

    # Sub-rows, in DFS visit order: a node keeps the sub-row of a predecessor in
    # its lane when that cell is free (chains stay straight), else the lowest free one.
    preds = defaultdict(list)
    for _fid, s, t, _n in flows:
        preds[t].append(host_of.get(s, s))
    cells = defaultdict(set)
    sub_row = {}
    for nid in order:
        if nid in host_of:
            continue
        lane_id = lane_of.get(nid, default_row)
        used = cells[(lane_id, rank[nid])]
        wanted = [sub_row[p] for p in preds[nid]
                  if p in sub_row and lane_of.get(p, default_row) == lane_id]
        row = next((r for r in wanted if r not in used), None)
        if row is None:
            row = next(r for r in range(len(used) + 1) if r not in used)
        sub_row[nid] = row
        used.add(row)
    n_sub = defaultdict(lambda: 1)
    for nid, row in sub_row.items():
        lane_id = lane_of.get(nid, default_row)
        n_sub[lane_id] = max(n_sub[lane_id], row + 1)

    ncols = (max(rank.values()) + 1) if rank else 1
    max_depth = max([d for _l, d, _leaf in lane_entries] or [0])
    content_x0 = ORIGIN_X + POOL_HEADER + LANE_HEADER * (max_depth + 1) + CONTENT_PAD
    pool_w = content_x0 - ORIGIN_X + ncols * COL_W + CONTENT_PAD

    band_y = {}
    y = pool_y
    for lane_id in rows:
        band_y[lane_id] = y
        y += n_sub[lane_id] * ROW_H
    pool_box = _Box(ORIGIN_X, pool_y, pool_w, y - pool_y)

    # Lane boxes (parents span their leaves).
    lane_boxes = {}
    leaf_span = {lid: (band_y[lid], band_y[lid] + n_sub[lid] * ROW_H) for lid in leaf_ids}

    def span(lane):
        if lane.get("id") in leaf_span:
            return leaf_span[lane.get("id")]
        child = lane.find("bpmn:childLaneSet", NS)
        spans = [span(c) for c in child.findall("bpmn:lane", NS)]
        return min(s[0] for s in spans), max(s[1] for s in spans)

    for lane, depth, _leaf in lane_entries:
        top, bottom = span(lane)
        x = ORIGIN_X + POOL_HEADER + LANE_HEADER * depth
        lane_boxes[lane.get("id")] = _Box(x, top, ORIGIN_X + pool_w - x, bottom - top)

    boxes = {}
    for nid in nodes:
        w, h = SIZES[_kind(tags[nid])]
        lane_id = lane_of.get(nid, default_row)
        cx = content_x0 + rank[nid] * COL_W + SIZES["task"][0] / 2
        cy = band_y[lane_id] + sub_row.get(nid, 0) * ROW_H + ROW_H / 2
        boxes[nid] = _Box(cx - w / 2, cy - h / 2, w, h)

    per_host = defaultdict(list)
    for b in boundaries:
        per_host[b.get("attachedToRef")].append(b.get("id"))
    for host, bids in per_host.items():
        hb = boxes.get(host)
        if hb is None:
            continue
        for i, bid in enumerate(bids):
            cx = hb.x + hb.w * (i + 1) / (len(bids) + 1)
            boxes[bid] = _Box(cx - 18, hb.bottom - 18, 36, 36)

    band = {}
    for nid in nodes:
        top = boxes[nid].cy - ROW_H / 2
        band[nid] = (top, top + ROW_H)
    for bid, host in host_of.items():
        if host in band:
            band[bid] = band[host]
    meta = {"tags": tags, "names": names, "flows": flows, "back": back,
            "rank": rank, "host_of": host_of, "band": band}
    return pool_box, lane_boxes, boxes, meta


def _crossings(points, boxes, skip) -> int:
    """How many shapes (other than ``skip``) the polyline runs through."""
    hits = 0
    for nid, b in boxes.items():
        if nid in skip:
            continue
        x0, y0, x1, y1 = b.x, b.y, b.right, b.bottom
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            if min(ax, bx) < x1 and max(ax, bx) > x0 and min(ay, by) < y1 and max(ay, by) > y0:
                hits += 1
                break
    return hits


def _candidates(s_id, t_id, boxes, meta):
    """Orthogonal routes in order of preference."""
    S, T = boxes[s_id], boxes[t_id]
    tags, rank, host_of, band = meta["tags"], meta["rank"], meta["host_of"], meta["band"]
    s_gw = tags[s_id] in GATEWAY_TAGS
    t_gw = tags[t_id] in GATEWAY_TAGS
    gap = (COL_W - SIZES["task"][0]) / 2
    half = SIZES["task"][0] / 2
    s_out = S.cx + half + gap          # free vertical channel right of the source column
    t_in = T.cx - half - gap           # free vertical channel left of the target column

    if s_id in host_of:                               # from a boundary event
        out = []
        if T.cy > S.bottom + 10 and T.x > S.cx:
            out.append([(S.cx, S.bottom), (S.cx, T.cy), (T.x, T.cy)])
        y = S.bottom + 8
        out.append([(S.cx, S.bottom), (S.cx, y), (t_in, y), (t_in, T.cy), (T.x, T.cy)])
        if T.cy > S.bottom + 10:
            out.append([(S.cx, S.bottom), (S.cx, T.y - 10), (T.cx, T.y - 10), (T.cx, T.y)])
        return out

    backward = (s_id, t_id) in meta["back"] or rank.get(t_id, 0) <= rank.get(s_id, 0)
    if backward:
        if abs(S.cx - T.cx) < 1:                      # same column, stacked
            return [[(S.cx, S.y), (T.cx, T.bottom)] if T.cy < S.cy
                    else [(S.cx, S.bottom), (T.cx, T.y)]]
        out = []
        s_top, s_bot = band[s_id]
        t_top, t_bot = band[t_id]
        channels = [s_bot - 8, s_top + 8, t_bot - 8, t_top + 8]
        for y in channels:
            if S.y - 4 <= y <= S.bottom + 4 or T.y - 4 <= y <= T.bottom + 4:
                continue
            sy = S.bottom if y > S.cy else S.y
            ty = T.bottom if y > T.cy else T.y
            out.append([(S.cx, sy), (S.cx, y), (T.cx, y), (T.cx, ty)])
        for y in channels:
            if S.y - 4 <= y <= S.bottom + 4 or T.y - 4 <= y <= T.bottom + 4:
                continue
            out.append([(S.right, S.cy), (s_out, S.cy), (s_out, y),
                        (t_in, y), (t_in, T.cy), (T.x, T.cy)])
        return out

    if abs(S.cy - T.cy) < 1:
        out = [[(S.right, S.cy), (T.x, T.cy)]]
        for y in (band[s_id][1] - 8, band[s_id][0] + 8):
            out.append([(S.right, S.cy), (s_out, S.cy), (s_out, y),
                        (t_in, y), (t_in, T.cy), (T.x, T.cy)])
        return out
    down = T.cy > S.cy
    l_from_s = [(S.cx, S.bottom if down else S.y), (S.cx, T.cy), (T.x, T.cy)]
    l_into_t = [(S.right, S.cy), (T.cx, S.cy), (T.cx, T.y if down else T.bottom)]
    z_near_t = [(S.right, S.cy), (t_in, S.cy), (t_in, T.cy), (T.x, T.cy)]
    z_near_s = [(S.right, S.cy), (s_out, S.cy), (s_out, T.cy), (T.x, T.cy)]
    if s_gw and not t_gw:
        return [l_from_s, z_near_t, z_near_s, l_into_t]
    if t_gw and not s_gw:
        return [l_into_t, z_near_s, z_near_t, l_from_s]
    return [z_near_t, z_near_s, l_from_s, l_into_t]


def _waypoints(s_id, t_id, boxes, meta):
    skip = {s_id, t_id}
    if s_id in meta["host_of"]:
        skip.add(meta["host_of"][s_id])
    best, best_score = None, None
    for i, points in enumerate(_candidates(s_id, t_id, boxes, meta)):
        score = (_crossings(points, boxes, skip), i)
        if best_score is None or score < best_score:
            best, best_score = points, score
    return best


def _label_below(parent, box: _Box, text: str):
    w, h = _label_size(text)
    label = _sub(parent, "bpmndi:BPMNLabel")
    _bounds(label, _Box(box.cx - w / 2, box.bottom + 5, w, h))


def add_diagram(tree) -> None:
    """Replace any BPMNDiagram of ``tree`` by a freshly computed swimlane diagram."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    for old in root.findall("bpmndi:BPMNDiagram", NS):
        root.remove(old)
    missing = {p: u for p, u in (("bpmndi", BPMNDI), ("dc", DC), ("di", DI))
               if root.nsmap.get(p) != u}
    if missing:
        if not hasattr(tree, "getroot"):
            raise ValueError("pass the ElementTree: the root needs new namespace prefixes")
        new_root = etree.Element(root.tag, attrib=dict(root.attrib),
                                 nsmap={**root.nsmap, **missing})
        new_root.text = root.text
        new_root.extend(list(root))
        tree._setroot(new_root)
        root = new_root
    collab = root.find("bpmn:collaboration", NS)
    if collab is None:
        raise ValueError("add_diagram needs a bpmn:collaboration with participants")
    processes = {p.get("id"): p for p in root.findall("bpmn:process", NS)}

    diagram = _sub(root, "bpmndi:BPMNDiagram", id=f"{collab.get('id')}_diagram")
    plane = _sub(diagram, "bpmndi:BPMNPlane", id=f"{collab.get('id')}_plane",
                 bpmnElement=collab.get("id"))

    y = ORIGIN_Y
    all_boxes = {}
    for participant in collab.findall("bpmn:participant", NS):
        process = processes.get(participant.get("processRef"))
        if process is None:
            box = _Box(ORIGIN_X, y, 600, 100)
            shape = _sub(plane, "bpmndi:BPMNShape", id=f"{participant.get('id')}_di",
                         bpmnElement=participant.get("id"), isHorizontal="true")
            _bounds(shape, box)
            all_boxes[participant.get("id")] = box
            y += box.h + POOL_GAP
            continue
        pool_box, lane_boxes, boxes, meta = _layout_pool(process, y)
        all_boxes[participant.get("id")] = pool_box
        all_boxes.update(boxes)
        shape = _sub(plane, "bpmndi:BPMNShape", id=f"{participant.get('id')}_di",
                     bpmnElement=participant.get("id"), isHorizontal="true")
        _bounds(shape, pool_box)
        for lane_id, box in lane_boxes.items():
            shape = _sub(plane, "bpmndi:BPMNShape", id=f"{lane_id}_di",
                         bpmnElement=lane_id, isHorizontal="true")
            _bounds(shape, box)

        tags, names = meta["tags"], meta["names"]
        ordered = [n for n in boxes if n not in meta["host_of"]] + \
                  [n for n in boxes if n in meta["host_of"]]
        for nid in ordered:
            box = boxes[nid]
            attrs = {"id": f"{nid}_di", "bpmnElement": nid}
            if tags[nid] == "exclusiveGateway":
                attrs["isMarkerVisible"] = "true"
            if tags[nid] in {"subProcess", "transaction", "adHocSubProcess"}:
                attrs["isExpanded"] = "false"
            shape = _sub(plane, "bpmndi:BPMNShape", **attrs)
            _bounds(shape, box)
            if tags[nid] not in TASK_TAGS and names[nid]:
                _label_below(shape, box, names[nid])

        for fid, s, t, name in meta["flows"]:
            if s not in boxes or t not in boxes:
                continue
            points = _waypoints(s, t, boxes, meta)
            edge = _sub(plane, "bpmndi:BPMNEdge", id=f"{fid}_di", bpmnElement=fid)
            for px, py in points:
                _sub(edge, "di:waypoint", x=_fmt(px), y=_fmt(py))
            if name:
                w, h = _label_size(name)
                (x0, y0), (x1, y1) = points[0], points[1]
                if abs(y0 - y1) < 1:                      # horizontal first leg
                    lb = _Box(x0 + 6, y0 - h - 4, w, h)
                else:                                     # vertical first leg
                    lb = _Box(x0 + 6, (y0 + y1) / 2 - h / 2 if abs(y1 - y0) > 2 * h
                              else min(y0, y1) - h - 2, w, h)
                label = _sub(edge, "bpmndi:BPMNLabel")
                _bounds(label, lb)
        y = pool_box.bottom + POOL_GAP

    for mf in collab.findall("bpmn:messageFlow", NS):
        s, t = mf.get("sourceRef"), mf.get("targetRef")
        if s in all_boxes and t in all_boxes:
            S, T = all_boxes[s], all_boxes[t]
            x = (max(S.x, T.x) + min(S.right, T.right)) / 2
            sy, ty = (S.bottom, T.y) if S.cy < T.cy else (S.y, T.bottom)
            edge = _sub(plane, "bpmndi:BPMNEdge", id=f"{mf.get('id')}_di",
                        bpmnElement=mf.get("id"))
            _sub(edge, "di:waypoint", x=_fmt(x), y=_fmt(sy))
            _sub(edge, "di:waypoint", x=_fmt(x), y=_fmt(ty))

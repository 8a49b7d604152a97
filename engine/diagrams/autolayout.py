"""Diagram interchange (BPMN DI) from the Graphviz swimlane layout, for files without coordinates.

`with_layout(path)` reads a BPMN file, drops its `BPMNDiagram` elements, lays it out with
engine/lanelayout.py and appends new diagrams, one per collaboration (and one per process in no
pool): a plane on the collaboration (or the process),
pool and lane shapes with `isHorizontal="true"` (lane x = pool x + 30 per lane depth), a shape for
every node (boundary events on their host's border, sub-processes expanded), and an edge with
waypoints for every flow. Every other element, attribute, comment and extension stays as it was.
It returns the new XML bytes; writing them is the caller's job.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine.bpmn.model import Bounds, Model, read_model
from engine.bpmn.namespaces import BPMNDI, DC, DI, NS
from engine.diagrams.lanelayout import layout

MARGIN = 40


def _el(parent, ns: str, tag: str, **attrs):
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for k, v in attrs.items():
        el.set(k, v)
    return el


def _num(v: float) -> str:
    return str(int(round(v)))


def _bounds(parent, b: Bounds) -> None:
    _el(parent, DC, "Bounds", x=_num(b.x + MARGIN), y=_num(b.y + MARGIN), width=_num(b.w), height=_num(b.h))


def _views(model: Model, root) -> list[tuple[str, set[str]]]:
    """One diagram per collaboration (its pools), and one per process that is in no pool."""
    views = []
    for collab in root.findall("bpmn:collaboration", NS):
        ids = {p.get("id") for p in collab.findall("bpmn:participant", NS)}
        pools = {p.id for p in model.pools if p.id in ids}
        if collab.get("id") and pools:
            views.append((collab.get("id"), pools))
    views += [(p.process_id, {p.id}) for p in model.pools if not p.participant and p.process_id]
    return views


def with_layout(path: Path | str) -> bytes:
    """The file's XML with freshly computed diagrams (see the module docstring)."""
    model = read_model(path)
    root = model.tree.getroot()
    for old in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(old)
    for owner, pools in _views(model, root):
        _diagram(root, model, owner, pools)
    return etree.tostring(model.tree, xml_declaration=True, encoding="UTF-8")


def _diagram(root, model: Model, owner: str, pools_shown: set[str]) -> None:
    shown = Model(path=model.path, pools=[p for p in model.pools if p.id in pools_shown],
                  nodes={k: n for k, n in model.nodes.items() if n.pool in pools_shown},
                  flows={}, tree=model.tree)
    pool_ids = {p.id for p in shown.pools}
    shown.flows = {k: f for k, f in model.flows.items()
                   if (f.source in shown.nodes or f.source in pool_ids) and (f.target in shown.nodes or f.target in pool_ids)}
    geo = layout(shown)
    diagram = _el(root, BPMNDI, "BPMNDiagram", id=_unique(root, owner + "_diagram"))
    plane = _el(diagram, BPMNDI, "BPMNPlane", id=_unique(root, owner + "_plane"), bpmnElement=owner)
    for pool in shown.pools:
        if pool.participant and pool.id in geo.pools:
            shape = _el(plane, BPMNDI, "BPMNShape", id=_unique(root, pool.id + "_di"), bpmnElement=pool.id,
                        isHorizontal="true")
            _bounds(shape, geo.pools[pool.id])
        for lane in pool.lanes:
            b, pb = geo.lanes[lane.id], geo.pools[pool.id]
            x = pb.x + 30 * (lane.depth + (1 if pool.participant else 0))
            shape = _el(plane, BPMNDI, "BPMNShape", id=_unique(root, lane.id + "_di"), bpmnElement=lane.id,
                        isHorizontal="true")
            _bounds(shape, Bounds(x, b.y, pb.x + pb.w - x, b.h))
    ordered = sorted(shown.nodes.values(), key=lambda n: (n.host is not None, _depth(shown, n)))
    for node in ordered:
        if node.id not in geo.nodes or not node.el.get("id"):
            continue
        attrs = {"id": _unique(root, node.id + "_di"), "bpmnElement": node.id}
        if node.kind == "subprocess":
            attrs["isExpanded"] = "true" if node.id in geo.expanded else "false"
        if node.tag == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        _bounds(_el(plane, BPMNDI, "BPMNShape", **attrs), geo.nodes[node.id])
    for flow in shown.flows.values():
        route = geo.routes.get(flow.id)
        if route is None or flow.el is None or flow.el.get("id") != flow.id:
            continue
        edge = _el(plane, BPMNDI, "BPMNEdge", id=_unique(root, flow.id + "_di"), bpmnElement=flow.id)
        for x, y in route.waypoints():
            _el(edge, DI, "waypoint", x=_num(x + MARGIN), y=_num(y + MARGIN))
    etree.indent(diagram, space="  ", level=1)


def _depth(model: Model, node) -> int:
    depth, seen = 0, set()
    while node.parent and node.parent in model.nodes and node.id not in seen:
        seen.add(node.id)
        node = model.nodes[node.parent]
        depth += 1
    return depth


def _unique(root, wanted: str) -> str:
    ids = root.xpath("//@id")
    if wanted not in ids:
        return wanted
    n = 2
    while f"{wanted}_{n}" in ids:
        n += 1
    return f"{wanted}_{n}"


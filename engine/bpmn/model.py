"""A light, read-only picture of a BPMN file for drawing and comparing (not for running).

`read_model(path)` gives pools (participants, or a process without one), lanes in the file's order,
flow nodes with their type, name, lane, host (boundary events) and container (sub-processes), data
objects and text annotations, sequence / message / data flows with conditions and default flags,
timer values, documentation and whatever diagram-interchange bounds the file has.
Every id-bearing element keeps a pointer to its lxml element (`el`) so callers can go further.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from engine.bpmn.loader import parse_file

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

TASKS = {"task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask",
         "sendTask", "receiveTask", "callActivity"}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
            "complexGateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
          "boundaryEvent"}
DATA = {"dataObjectReference", "dataStoreReference", "dataInput", "dataOutput"}
ANNOTATIONS = {"textAnnotation"}
KIND = {**{t: "task" for t in TASKS}, **{t: "subprocess" for t in SUBPROCESSES},
        **{t: "gateway" for t in GATEWAYS}, **{t: "event" for t in EVENTS},
        **{t: "data" for t in DATA}, **{t: "annotation" for t in ANNOTATIONS}}


@dataclass
class Bounds:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h


@dataclass
class Lane:
    id: str
    name: str
    pool: str
    parent: str | None
    depth: int
    leaf: bool
    node_ids: list[str] = field(default_factory=list)
    bounds: Bounds | None = None


@dataclass
class Pool:
    id: str                       # the participant's id, or the process id when there is no participant
    name: str
    process_id: str | None        # None for a black-box pool
    participant: bool             # False: a process drawn without a pool frame
    lanes: list[Lane] = field(default_factory=list)   # every lane, depth-first in file order
    bounds: Bounds | None = None

    @property
    def leaf_lanes(self) -> list[Lane]:
        return [lane for lane in self.lanes if lane.leaf]


@dataclass
class Node:
    id: str
    tag: str                      # BPMN local name: userTask, exclusiveGateway, boundaryEvent, ...
    name: str
    pool: str
    lane: str | None = None       # leaf lane id
    host: str | None = None       # boundary events: the activity they sit on
    parent: str | None = None     # the sub-process that contains this node
    events: list[str] = field(default_factory=list)   # timer, message, ... (event definitions)
    timer: str | None = None      # e.g. "timeDuration=PT2H"
    documentation: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    bounds: Bounds | None = None
    el: object = None

    @property
    def kind(self) -> str:
        return KIND[self.tag]


@dataclass
class Flow:
    id: str
    kind: str                     # sequence | message | association | data
    source: str
    target: str
    name: str = ""
    condition: str | None = None
    default: bool = False
    documentation: str = ""
    waypoints: list[tuple[float, float]] = field(default_factory=list)
    el: object = None


@dataclass
class Model:
    path: str
    pools: list[Pool]
    nodes: dict[str, Node]
    flows: dict[str, Flow]
    tree: object = None

    @property
    def lanes(self) -> dict[str, Lane]:
        return {lane.id: lane for pool in self.pools for lane in pool.lanes}

    def children(self, parent: str | None) -> list[Node]:
        return [n for n in self.nodes.values() if n.parent == parent]


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _is_bpmn(el) -> bool:
    return isinstance(el.tag, str) and etree.QName(el).namespace == BPMN


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _docs(el) -> str:
    return "\n".join(_text(d) for d in el.findall("bpmn:documentation", NS) if _text(d))


def _event_info(el) -> tuple[list[str], str | None]:
    kinds, timer = [], None
    for child in el:
        name = local(child)
        if _is_bpmn(child) and name.endswith("EventDefinition"):
            kinds.append(name[: -len("EventDefinition")])
            if name == "timerEventDefinition":
                parts = [f"{local(t)}={_text(t)}" for t in child if _is_bpmn(t) and _text(t)]
                timer = "; ".join(parts) or ""
        elif _is_bpmn(child) and name == "eventDefinitionRef":
            kinds.append("ref")
    return kinds, timer


def _attrs(el) -> dict[str, str]:
    keep = ("cancelActivity", "triggeredByEvent", "isForCompensation", "instantiate", "eventGatewayType",
            "parallelMultiple", "isInterrupting", "calledElement", "implementation")
    out = {k: el.get(k) for k in keep if el.get(k) is not None}
    for child in el:
        name = local(child)
        if name == "standardLoopCharacteristics":
            out["loop"] = "standard"
        elif name == "multiInstanceLoopCharacteristics":
            out["loop"] = "sequential" if child.get("isSequential") == "true" else "parallel"
    return out


def _lanes(lane_set, pool: str, parent: str | None, depth: int, out: list[Lane]) -> None:
    if lane_set is None:
        return
    for el in lane_set.findall("bpmn:lane", NS):
        child = el.find("bpmn:childLaneSet", NS)
        if child is None:
            child = el.find("bpmn:laneSet", NS)
        leaf = child is None or child.find("bpmn:lane", NS) is None
        lane = Lane(id=el.get("id") or f"lane{len(out)}", name=el.get("name") or "", pool=pool,
                    parent=parent, depth=depth, leaf=leaf,
                    node_ids=[(r.text or "").strip() for r in el.findall("bpmn:flowNodeRef", NS)])
        out.append(lane)
        if not leaf:
            _lanes(child, pool, lane.id, depth + 1, out)


class _Reader:
    def __init__(self, tree, path: str):
        self.tree, self.path = tree, path
        self.nodes: dict[str, Node] = {}
        self.flows: dict[str, Flow] = {}
        self._anon = 0

    def anon(self, prefix: str) -> str:
        self._anon += 1
        return f"_{prefix}_{self._anon}"

    def container(self, container, pool: str, parent: str | None) -> None:
        for el in container:
            if not _is_bpmn(el):
                continue
            tag = local(el)
            if tag in KIND and el.get("id"):
                if tag in ("dataInput", "dataOutput"):
                    continue
                events, timer = _event_info(el) if tag in EVENTS else ([], None)
                node = Node(id=el.get("id"), tag=tag, name=_text_name(el), pool=pool, parent=parent,
                            host=el.get("attachedToRef"), events=events, timer=timer,
                            documentation=_docs(el), attrs=_attrs(el), el=el)
                self.nodes[node.id] = node
                if tag in SUBPROCESSES:
                    self.container(el, pool, node.id)
                if tag in TASKS | SUBPROCESSES:
                    self.data_associations(el, node.id)
            elif tag == "sequenceFlow":
                cond = el.find("bpmn:conditionExpression", NS)
                fid = el.get("id") or self.anon("flow")
                self.flows[fid] = Flow(id=fid, kind="sequence", source=el.get("sourceRef", ""),
                                       target=el.get("targetRef", ""), name=el.get("name") or "",
                                       condition=_text(cond) if cond is not None else None,
                                       documentation=_docs(el), el=el)
            elif tag == "association":
                fid = el.get("id") or self.anon("association")
                self.flows[fid] = Flow(id=fid, kind="association", source=el.get("sourceRef", ""),
                                       target=el.get("targetRef", ""), el=el)
        for el in container:
            if _is_bpmn(el) and el.get("default") and el.get("default") in self.flows:
                self.flows[el.get("default")].default = True

    def data_associations(self, activity, activity_id: str) -> None:
        for tag, inbound in (("dataInputAssociation", True), ("dataOutputAssociation", False)):
            for el in activity.findall(f"bpmn:{tag}", NS):
                refs = [(r.text or "").strip() for r in el.findall("bpmn:sourceRef", NS)]
                target = (el.findtext("bpmn:targetRef", default="", namespaces=NS) or "").strip()
                ends = [(r, activity_id) for r in refs] if inbound else [(activity_id, target)]
                for source, dest in ends:
                    fid = el.get("id") or self.anon("data")
                    self.flows[fid] = Flow(id=fid, kind="data", source=source, target=dest, el=el)


def _text_name(el) -> str:
    name = el.get("name")
    if name is None and local(el) == "textAnnotation":
        return _text(el.find("bpmn:text", NS))
    return (name or "").strip()


def read_model(path: Path | str) -> Model:
    """Read a BPMN file into a Model; raises ModelInvalid for unreadable XML."""
    tree = parse_file(path)
    root = tree.getroot()
    reader = _Reader(tree, str(path))
    processes = {p.get("id"): p for p in root.findall("bpmn:process", NS)}
    pools: list[Pool] = []
    referenced: set[str] = set()
    for collab in root.findall("bpmn:collaboration", NS):
        for part in collab.findall("bpmn:participant", NS):
            ref = part.get("processRef")
            proc = processes.get(ref)
            name = part.get("name") or (proc.get("name") if proc is not None else "") or ""
            pools.append(Pool(id=part.get("id"), name=name.strip(), process_id=ref if proc is not None else None,
                              participant=True))
            if ref:
                referenced.add(ref)
    for pid, proc in processes.items():
        if pid not in referenced and any(local(c) in KIND for c in proc):
            pools.append(Pool(id=pid, name=(proc.get("name") or "").strip(), process_id=pid, participant=False))
    for pool in pools:
        proc = processes.get(pool.process_id)
        if proc is None:
            continue
        _lanes(proc.find("bpmn:laneSet", NS), pool.id, None, 0, pool.lanes)
        reader.container(proc, pool.id, None)
    for collab in root.findall("bpmn:collaboration", NS):
        for el in collab:
            tag = local(el)
            if tag == "messageFlow":
                fid = el.get("id") or reader.anon("message")
                reader.flows[fid] = Flow(id=fid, kind="message", source=el.get("sourceRef", ""),
                                         target=el.get("targetRef", ""), name=el.get("name") or "",
                                         documentation=_docs(el), el=el)
            elif tag == "association" or (tag == "textAnnotation" and el.get("id")):
                reader.container([el], pools[0].id if pools else "", None)
    model = Model(path=str(path), pools=pools, nodes=reader.nodes, flows=reader.flows, tree=tree)
    _read_di(root, model)
    _assign_lanes(model)
    # Flows whose ends are unknown (refs into other files, dataInputs, ...) cannot be drawn.
    known = set(model.nodes) | {p.id for p in pools}
    for fid in [f for f, flow in model.flows.items() if flow.source not in known or flow.target not in known]:
        del model.flows[fid]
    return model


def _read_di(root, model: Model) -> None:
    """Bounds and waypoints from the first diagram that shows each element."""
    lanes = model.lanes
    pools = {p.id: p for p in model.pools}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        if b is None:
            continue
        try:
            box = Bounds(*(float(b.get(k, "0")) for k in ("x", "y", "width", "height")))
        except ValueError:
            continue
        ref = shape.get("bpmnElement")
        for table in (model.nodes, lanes, pools):
            if ref in table and table[ref].bounds is None:
                table[ref].bounds = box
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        flow = model.flows.get(edge.get("bpmnElement"))
        if flow is not None and not flow.waypoints:
            try:
                flow.waypoints = [(float(w.get("x")), float(w.get("y"))) for w in edge.findall("di:waypoint", NS)]
            except (TypeError, ValueError):
                flow.waypoints = []


def _assign_lanes(model: Model) -> None:
    """Leaf lane of every node: flowNodeRef, else its container's, else DI containment, else a neighbour's."""
    lane_of: dict[str, str] = {}
    for pool in model.pools:
        for lane in pool.leaf_lanes:
            for ref in lane.node_ids:
                lane_of.setdefault(ref, lane.id)
    leafs = {p.id: p.leaf_lanes for p in model.pools}
    pending = []
    for node in model.nodes.values():
        if not leafs.get(node.pool):
            continue
        if node.parent is None and node.id in lane_of:
            node.lane = lane_of[node.id]
        elif node.parent is None and node.host is None:
            pending.append(node)
    for node in pending:
        if node.bounds is not None:
            for lane in leafs[node.pool]:
                if lane.bounds is not None and lane.bounds.contains(node.bounds.cx, node.bounds.cy):
                    node.lane = lane.id
                    break
    neighbours: dict[str, list[str]] = {}
    for flow in model.flows.values():
        neighbours.setdefault(flow.source, []).append(flow.target)
        neighbours.setdefault(flow.target, []).append(flow.source)
    for _ in range(3):
        for node in pending:
            if node.lane is None:
                lanes = [model.nodes[n].lane for n in neighbours.get(node.id, []) if n in model.nodes]
                node.lane = next((lane for lane in lanes if lane and model.lanes[lane].pool == node.pool), None)
    for node in pending:
        if node.lane is None:
            node.lane = leafs[node.pool][0].id
    # Children of sub-processes and boundary events follow their container / host.
    def top(node: Node) -> Node:
        seen = set()
        while (node.parent or node.host) and node.id not in seen:
            seen.add(node.id)
            nxt = model.nodes.get(node.parent or node.host)
            if nxt is None:
                break
            node = nxt
        return node
    for node in model.nodes.values():
        if (node.parent or node.host) and leafs.get(node.pool):
            node.lane = top(node).lane or leafs[node.pool][0].id

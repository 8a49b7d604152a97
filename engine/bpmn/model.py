"""The one reader of BPMN files: an index of every element (`Document`) and the picture drawn from it (`Model`).

`Document(tree, path)` indexes one parsed BPMN or DMN file: every BPMN element by id and type,
with its parent and children, sequence flows wired to their ends from `sourceRef`/`targetRef`
(what the engine runs, not the optional `<incoming>`/`<outgoing>`), and the diagram's shapes and
edges. Types follow the BPMN class hierarchy, so `element.is_a("Activity")` reads as bpmnlint's
`is(node, 'bpmn:Activity')`. Lint rules read a `Document`.

`read_model(path)` draws on a `Document`: pools (participants, or a process without one), lanes in
the file's order, flow nodes with their type, name, lane, host (boundary events) and container
(sub-processes), data objects and text annotations, sequence / message / data flows with conditions
and default flags, timer values, documentation and whatever bounds the file has. Every node and
flow keeps a pointer to its lxml element (`el`). Render, diff and layout read a `Model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from engine.bpmn.loader import parse_file
from engine.bpmn.namespaces import BPMN, BPMNDI, DC, DI, NS, SPIFFWORKFLOW, XSI, is_dmn  # noqa: F401 - NS, DI, XSI re-exported

# -- the one table of flow-node kinds -------------------------------------------------------------

TASKS = {"task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask",
         "sendTask", "receiveTask", "callActivity"}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
ACTIVITIES = TASKS | SUBPROCESSES
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
            "complexGateway"}
CATCH_EVENTS = {"startEvent", "intermediateCatchEvent", "boundaryEvent"}
THROW_EVENTS = {"endEvent", "intermediateThrowEvent", "implicitThrowEvent"}
EVENTS = CATCH_EVENTS | THROW_EVENTS
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
DATA = {"dataObjectReference", "dataStoreReference", "dataInput", "dataOutput"}
ANNOTATIONS = {"textAnnotation"}
KIND = {**{t: "task" for t in TASKS}, **{t: "subprocess" for t in SUBPROCESSES},
        **{t: "gateway" for t in GATEWAYS}, **{t: "event" for t in EVENTS},
        **{t: "data" for t in DATA}, **{t: "annotation" for t in ANNOTATIONS}}
TYPES = {  # BPMN's abstract types → the local names that are one (a callActivity counts as a Task)
    "Task": TASKS, "SubProcess": SUBPROCESSES, "Activity": ACTIVITIES, "Gateway": GATEWAYS,
    "CatchEvent": CATCH_EVENTS, "ThrowEvent": THROW_EVENTS, "Event": EVENTS, "FlowNode": FLOW_NODES,
    "FlowElementsContainer": {"process"} | SUBPROCESSES,
}
FLOW_ELEMENTS = FLOW_NODES | {"sequenceFlow", "dataObject", "dataObjectReference", "dataStoreReference"}


@dataclass
class Bounds:
    """A shape's box in diagram coordinates."""

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


# -- the index of one file ------------------------------------------------------------------------

@dataclass
class Shape:
    """One BPMNShape: which element it draws, where, and whether it is expanded / horizontal."""

    element_id: str
    bounds: Bounds | None
    is_expanded: bool | None
    is_horizontal: bool | None


class Element:
    """One BPMN element of the file, with its parent, its BPMN children and (flow nodes) its flows."""

    __slots__ = ("node", "type", "id", "name", "line", "parent", "incoming", "outgoing", "children")

    def __init__(self, node, parent: Element | None):
        self.node = node
        self.type = etree.QName(node).localname
        self.id = node.get("id")
        self.name = node.get("name")
        self.line = node.sourceline or 0
        self.parent = parent
        self.incoming: list[Element] = []
        self.outgoing: list[Element] = []
        self.children: list[Element] = []

    def __repr__(self) -> str:
        return f"<{self.type} {self.id!r} line {self.line}>"

    def is_a(self, kind: str) -> bool:
        """True when the element is of BPMN type `kind` or a subtype (`userTask` is an `Activity`)."""
        return self.type == kind or self.type in TYPES.get(kind, ()) or (
            kind == "EventDefinition" and self.type.endswith("EventDefinition"))

    def get(self, attribute: str, default=None):
        return self.node.get(attribute, default)

    def child(self, localname: str) -> Element | None:
        return next((c for c in self.children if c.type == localname), None)

    def text_of(self, localname: str) -> str | None:
        """The stripped text of the first BPMN child named `localname` (None when absent)."""
        found = self.child(localname)
        return None if found is None else (found.node.text or "").strip()

    def extensions(self, localname: str) -> list:
        """The spiffworkflow extension nodes (lxml) named `localname` anywhere under this element."""
        return list(self.node.iter(f"{{{SPIFFWORKFLOW}}}{localname}"))

    @property
    def event_definitions(self) -> list[Element]:
        return [c for c in self.children if c.is_a("EventDefinition")]

    @property
    def flow_elements(self) -> list[Element]:
        """The direct flow nodes, flows and data elements of a process or sub-process."""
        return [c for c in self.children if c.type in FLOW_ELEMENTS]

    @property
    def process(self) -> Element | None:
        """The nearest enclosing `process` (itself when it is one)."""
        node = self
        while node is not None and node.type != "process":
            node = node.parent
        return node

    @property
    def is_executable(self) -> bool:
        """True when the element lies in a process the engine would run (isExecutable not "false")."""
        process = self.process
        return process is not None and (process.get("isExecutable") or "true").strip().lower() != "false"

    @property
    def default_flow(self) -> str | None:
        return self.get("default")


class Document:
    """The index of one parsed file. `kind` is "bpmn" or "dmn" (a DMN file has no BPMN elements)."""

    def __init__(self, tree, path: Path | str):
        self.path = Path(path)
        self.tree = tree
        self.root = tree.getroot()
        self.kind = "dmn" if is_dmn(etree.QName(self.root).namespace) else "bpmn"
        self.elements: list[Element] = []
        self.by_id: dict[str, Element] = {}
        self.shapes: dict[str, Shape] = {}                          # element id → its first drawn shape
        self.waypoints: dict[str, list[tuple[float, float]]] = {}   # flow id → its first edge's points
        self.di_refs: list[tuple[str, int, str]] = []               # (element id, line, BPMNShape|BPMNEdge)
        self._index()
        self._wire_flows()
        self._index_diagrams()

    def _index(self) -> None:
        stack = [(self.root, None)]
        while stack:
            current, owner = stack.pop()
            if not isinstance(current.tag, str):
                continue
            element = owner
            if etree.QName(current).namespace == BPMN:
                element = Element(current, owner)
                self.elements.append(element)
                if owner is not None:
                    owner.children.append(element)
                if element.id and element.id not in self.by_id:
                    self.by_id[element.id] = element
            stack.extend((child, element) for child in reversed(current))

    def _wire_flows(self) -> None:
        for flow in self.of_type("sequenceFlow"):
            source = self.by_id.get(flow.get("sourceRef") or "")
            target = self.by_id.get(flow.get("targetRef") or "")
            if source is not None and source.is_a("FlowNode"):
                source.outgoing.append(flow)
            if target is not None and target.is_a("FlowNode"):
                target.incoming.append(flow)

    def _index_diagrams(self) -> None:
        for node in self.root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
            ref = node.get("bpmnElement")
            if not ref:
                continue
            kind = etree.QName(node).localname
            self.di_refs.append((ref, node.sourceline or 0, kind))
            if kind == "BPMNShape":
                shape = Shape(ref, _bounds(node.find(f"{{{DC}}}Bounds")), _flag(node.get("isExpanded")),
                              _flag(node.get("isHorizontal")))
                if ref not in self.shapes or (self.shapes[ref].bounds is None and shape.bounds is not None):
                    self.shapes[ref] = shape
            elif ref not in self.waypoints:
                try:
                    points = [(float(w.get("x")), float(w.get("y"))) for w in node.findall(f"{{{DI}}}waypoint")]
                except (TypeError, ValueError):
                    points = []
                if points:
                    self.waypoints[ref] = points

    @property
    def root_elements(self) -> list[Element]:
        """The children of `definitions`: processes, collaborations, messages, signals, ..."""
        top = self.elements[0] if self.elements and self.elements[0].node is self.root else None
        return top.children if top is not None and top.type == "definitions" else []

    def of_type(self, *kinds: str) -> list[Element]:
        """Every element that is one of `kinds` (BPMN local names or abstract types), in file order."""
        return [e for e in self.elements if any(e.is_a(k) for k in kinds)]

    def has_condition(self, flow: Element) -> bool:
        return flow.child("conditionExpression") is not None

    def is_default(self, node: Element, flow: Element) -> bool:
        return bool(flow.id) and node.default_flow == flow.id


def _flag(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() == "true"


def _bounds(node) -> Bounds | None:
    if node is None:
        return None
    try:
        return Bounds(*(float(node.get(k, "0")) for k in ("x", "y", "width", "height")))
    except ValueError:
        return None


# -- the picture drawn from it --------------------------------------------------------------------

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
    document: Document | None = None

    @property
    def lanes(self) -> dict[str, Lane]:
        return {lane.id: lane for pool in self.pools for lane in pool.lanes}

    def children(self, parent: str | None) -> list[Node]:
        return [n for n in self.nodes.values() if n.parent == parent]


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _docs(element: Element) -> str:
    return "\n".join(text for c in element.children if c.type == "documentation" and (text := _text(c.node)))


def _event_info(element: Element) -> tuple[list[str], str | None]:
    kinds, timer = [], None
    for child in element.children:
        if child.type.endswith("EventDefinition"):
            kinds.append(child.type[: -len("EventDefinition")])
            if child.type == "timerEventDefinition":
                parts = [f"{t.type}={_text(t.node)}" for t in child.children if _text(t.node)]
                timer = "; ".join(parts) or ""
        elif child.type == "eventDefinitionRef":
            kinds.append("ref")
    return kinds, timer


ATTRIBUTES = ("cancelActivity", "triggeredByEvent", "isForCompensation", "instantiate", "eventGatewayType",
              "parallelMultiple", "isInterrupting", "calledElement", "implementation")


def _attrs(element: Element) -> dict[str, str]:
    out = {k: element.get(k) for k in ATTRIBUTES if element.get(k) is not None}
    for child in element.children:
        if child.type == "standardLoopCharacteristics":
            out["loop"] = "standard"
        elif child.type == "multiInstanceLoopCharacteristics":
            out["loop"] = "sequential" if child.get("isSequential") == "true" else "parallel"
    return out


def _name(element: Element) -> str:
    if element.name is None and element.type == "textAnnotation":
        text = element.child("text")
        return _text(text.node if text is not None else None)
    return (element.name or "").strip()


def _lanes(lane_set: Element | None, pool: str, parent: str | None, depth: int, out: list[Lane]) -> None:
    if lane_set is None:
        return
    for el in (c for c in lane_set.children if c.type == "lane"):
        child = el.child("childLaneSet") or el.child("laneSet")
        leaf = child is None or child.child("lane") is None
        lane = Lane(id=el.id or f"lane{len(out)}", name=el.name or "", pool=pool, parent=parent, depth=depth,
                    leaf=leaf, node_ids=[(r.node.text or "").strip() for r in el.children if r.type == "flowNodeRef"])
        out.append(lane)
        if not leaf:
            _lanes(child, pool, lane.id, depth + 1, out)


class _Reader:
    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.flows: dict[str, Flow] = {}
        self._anon = 0

    def anon(self, prefix: str) -> str:
        self._anon += 1
        return f"_{prefix}_{self._anon}"

    def flow(self, el: Element, kind: str, source: str, target: str, **more) -> None:
        fid = el.id or self.anon(kind if kind != "sequence" else "flow")
        self.flows[fid] = Flow(id=fid, kind=kind, source=source, target=target, el=el.node, **more)

    def container(self, children: list[Element], pool: str, parent: str | None) -> None:
        for el in children:
            tag = el.type
            if tag in KIND and el.id:
                if tag in ("dataInput", "dataOutput"):
                    continue
                events, timer = _event_info(el) if tag in EVENTS else ([], None)
                node = Node(id=el.id, tag=tag, name=_name(el), pool=pool, parent=parent, host=el.get("attachedToRef"),
                            events=events, timer=timer, documentation=_docs(el), attrs=_attrs(el), el=el.node)
                self.nodes[node.id] = node
                if tag in SUBPROCESSES:
                    self.container(el.children, pool, node.id)
                if tag in ACTIVITIES:
                    self.data_associations(el)
            elif tag == "sequenceFlow":
                cond = el.child("conditionExpression")
                self.flow(el, "sequence", el.get("sourceRef", ""), el.get("targetRef", ""), name=el.name or "",
                          condition=_text(cond.node) if cond is not None else None, documentation=_docs(el))
            elif tag == "association":
                self.flow(el, "association", el.get("sourceRef", ""), el.get("targetRef", ""))
        for el in children:
            if el.default_flow and el.default_flow in self.flows:
                self.flows[el.default_flow].default = True

    def data_associations(self, activity: Element) -> None:
        for tag, inbound in (("dataInputAssociation", True), ("dataOutputAssociation", False)):
            for el in (c for c in activity.children if c.type == tag):
                refs = [(r.node.text or "").strip() for r in el.children if r.type == "sourceRef"]
                target = el.text_of("targetRef") or ""
                for source, dest in ([(r, activity.id) for r in refs] if inbound else [(activity.id, target)]):
                    self.flow(el, "data", source, dest)


def read_model(path: Path | str) -> Model:
    """Read a BPMN file into a Model; raises ModelInvalid for unreadable XML."""
    return model_of(Document(parse_file(path), path))


def model_of(document: Document) -> Model:
    """The pools, lanes, nodes and flows of an indexed BPMN file, placed where its diagram puts them."""
    roots = document.root_elements
    processes = {p.id or f"process{n}": p for n, p in enumerate(r for r in roots if r.type == "process")}
    collaborations = [c for c in roots if c.type == "collaboration"]
    reader = _Reader()
    pools: list[Pool] = []
    referenced: set[str] = set()
    for part in (p for c in collaborations for p in c.children if p.type == "participant"):
        ref = part.get("processRef")
        proc = processes.get(ref)
        name = part.name or (proc.name if proc is not None else "") or ""
        pools.append(Pool(id=part.id, name=name.strip(), process_id=ref if proc is not None else None, participant=True))
        if ref:
            referenced.add(ref)
    for pid, proc in processes.items():
        if pid not in referenced and any(c.type in KIND for c in proc.children):
            pools.append(Pool(id=pid, name=(proc.name or "").strip(), process_id=pid, participant=False))
    for pool in pools:
        proc = processes.get(pool.process_id)
        if proc is None:
            continue
        _lanes(proc.child("laneSet"), pool.id, None, 0, pool.lanes)
        reader.container(proc.children, pool.id, None)
    for el in (e for c in collaborations for e in c.children):
        if el.type == "messageFlow":
            reader.flow(el, "message", el.get("sourceRef", ""), el.get("targetRef", ""), name=el.name or "",
                        documentation=_docs(el))
        elif el.type == "association" or (el.type == "textAnnotation" and el.id):
            reader.container([el], pools[0].id if pools else "", None)
    model = Model(path=str(document.path), pools=pools, nodes=reader.nodes, flows=reader.flows, tree=document.tree,
                  document=document)
    _place(document, model)
    _assign_lanes(model)
    # Flows whose ends are unknown (refs into other files, dataInputs, ...) cannot be drawn.
    known = set(model.nodes) | {p.id for p in pools}
    for fid in [f for f, flow in model.flows.items() if flow.source not in known or flow.target not in known]:
        del model.flows[fid]
    return model


def _place(document: Document, model: Model) -> None:
    """Bounds and waypoints from the first diagram that shows each element."""
    for table in (model.nodes, model.lanes, {p.id: p for p in model.pools}):
        for ref, item in table.items():
            shape = document.shapes.get(ref)
            if shape is not None and shape.bounds is not None:
                item.bounds = replace(shape.bounds)
    for fid, flow in model.flows.items():
        flow.waypoints = list(document.waypoints.get(fid, []))


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

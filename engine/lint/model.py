"""A light index over one parsed BPMN or DMN file: elements by id and type, flows, lanes and diagram bounds.

Rules read this instead of walking lxml trees themselves. Types follow the BPMN class hierarchy
(`Task` ⊂ `Activity` ⊂ `FlowNode`, `SubProcess`, `Event`, `Gateway`, ...), so a rule asks
`element.is_a("Activity")` as bpmnlint asks `is(node, 'bpmn:Activity')`.

Incoming and outgoing flows are wired from each sequence flow's `sourceRef`/`targetRef`, which is
what the engine runs, not from the optional `<incoming>`/`<outgoing>` child elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

TASKS = {"task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask", "receiveTask"}
SUB_PROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
ACTIVITIES = TASKS | SUB_PROCESSES | {"callActivity"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
CATCH_EVENTS = {"startEvent", "intermediateCatchEvent", "boundaryEvent"}
THROW_EVENTS = {"endEvent", "intermediateThrowEvent", "implicitThrowEvent"}
EVENTS = CATCH_EVENTS | THROW_EVENTS
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
KINDS = {
    "Task": TASKS, "SubProcess": SUB_PROCESSES, "Activity": ACTIVITIES, "Gateway": GATEWAYS,
    "CatchEvent": CATCH_EVENTS, "ThrowEvent": THROW_EVENTS, "Event": EVENTS, "FlowNode": FLOW_NODES,
    "FlowElementsContainer": {"process"} | SUB_PROCESSES,
    "RootElement": {"process", "collaboration", "message", "signal", "error", "escalation", "dataStore",
                    "itemDefinition", "interface", "correlationProperty", "operation", "resource", "choreography",
                    "globalTask", "endPoint", "partnerRole", "partnerEntity", "category", "eventDefinition"},
}


@dataclass
class Bounds:
    """A shape's box in diagram coordinates."""

    x: float
    y: float
    width: float
    height: float


@dataclass
class Shape:
    """One BPMNShape: which element it draws, where, and how."""

    element_id: str
    bounds: Bounds | None
    line: int
    is_expanded: bool | None
    is_horizontal: bool | None


class Element:
    """One BPMN element of the file, with its parent and (for flow nodes) its flows."""

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
        """True when the element is of BPMN type `kind` or a subtype (`Task` is an `Activity`)."""
        return self.type == kind or self.type in KINDS.get(kind, ()) or (
            kind == "EventDefinition" and self.type.endswith("EventDefinition"))

    def get(self, attribute: str, default=None):
        return self.node.get(attribute, default)

    def child(self, localname: str) -> Element | None:
        return next((c for c in self.children if c.type == localname), None)

    def text_of(self, localname: str) -> str | None:
        """The stripped text of the first BPMN child named `localname` (None when absent)."""
        found = self.child(localname)
        return None if found is None else (found.node.text or "").strip()

    @property
    def event_definitions(self) -> list[Element]:
        return [c for c in self.children if c.is_a("EventDefinition")]

    @property
    def flow_elements(self) -> list[Element]:
        """The direct flow nodes, flows and data elements of a process or sub-process."""
        return [c for c in self.children if c.type in FLOW_NODES or c.type in {
            "sequenceFlow", "dataObject", "dataObjectReference", "dataStoreReference"}]

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


@dataclass
class Workspace:
    """What the files linted together define, for references that cross files."""

    process_ids: set[str] = field(default_factory=set)
    decision_ids: set[str] = field(default_factory=set)


class Model:
    """The index of one file. `kind` is "bpmn" or "dmn"."""

    def __init__(self, path: Path | str, tree, context=None, workspace: Workspace | None = None):
        self.path = Path(path)
        self.tree = tree
        self.root = tree.getroot()
        self.context = context
        self.workspace = workspace or Workspace()
        namespace = etree.QName(self.root).namespace or ""
        self.kind = "dmn" if "dmn" in namespace.lower() else "bpmn"
        self.elements: list[Element] = []
        self.by_id: dict[str, Element] = {}
        self.shapes: dict[str, Shape] = {}
        self.di_refs: list[tuple[str, int, str]] = []
        self._index(self.root, None)
        self._wire_flows()
        self._index_diagrams()

    # -- building -----------------------------------------------------------------------------

    def _index(self, node, parent: Element | None) -> None:
        stack = [(node, parent)]
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
            self.di_refs.append((ref, node.sourceline or 0, etree.QName(node).localname))
            if etree.QName(node).localname == "BPMNShape":
                self.shapes[ref] = Shape(ref, _bounds(node.find(f"{{{DC}}}Bounds")), node.sourceline or 0,
                                         _flag(node.get("isExpanded")), _flag(node.get("isHorizontal")))

    # -- reading ------------------------------------------------------------------------------

    def of_type(self, *kinds: str) -> list[Element]:
        """Every element that is one of `kinds` (BPMN local names or abstract kinds), in file order."""
        return [e for e in self.elements if any(e.is_a(k) for k in kinds)]

    def flow_source(self, flow: Element) -> Element | None:
        return self.by_id.get(flow.get("sourceRef") or "")

    def flow_target(self, flow: Element) -> Element | None:
        return self.by_id.get(flow.get("targetRef") or "")

    def has_condition(self, flow: Element) -> bool:
        return flow.child("conditionExpression") is not None

    def is_default(self, node: Element, flow: Element) -> bool:
        return bool(flow.id) and node.default_flow == flow.id

    def spiff(self, element: Element, localname: str) -> list:
        """The spiffworkflow extension nodes named `localname` under `element`."""
        return list(element.node.iter(f"{{{SPIFF}}}{localname}"))


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() == "true"


def _bounds(node) -> Bounds | None:
    if node is None:
        return None
    try:
        return Bounds(*(float(node.get(a)) for a in ("x", "y", "width", "height")))
    except (TypeError, ValueError):
        return None

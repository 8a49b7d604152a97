"""Which variables each point of a process has for certain, for the rules that follow data through a model.

A forward data-flow over the sequence-flow graph of each process marked isExecutable="true": a
node's IN is the intersection of what its predecessors hand on ("definitely provided on every
path"), its OUT adds what it provides. Sets only shrink from "everything" while iterating, so loops
reach a fixed point. `missing_path` finds the shortest path from a start along which a name stays
missing. What texts read is `reads.py`'s job.

What provides names: form fields of user tasks and of the top-level start event (the designer's
form first, inline or a linked .form file; the programme's form through `form_for` as a fallback),
a service task's `resultVariable` (SpiffWorkflow 3.2's default: `spiff__<id>_result`), names a
script assigns at its top level (script tasks, pre- and postScripts), the outputs of the DMN
decision a business rule task calls (the .dmn files beside the model), a data object a task writes,
a multi-instance activity's output collection (and, while it runs, its element variable), and a
catch event's payload variable. Timers provide nothing.

Approximations, each chosen so that a doubt never becomes an error: a node whose provisions cannot
be known "provides everything" (a call activity; a user task whose form is external, unreadable or
unknown without a programme; a vendor's service task; a message, signal, error or escalation
catch without a payload variable); a process a call activity calls starts with everything; an
embedded sub-process is entered with its IN and left with what its end events have (error and
cancel ends leave through boundary events); a boundary event sees its host's IN; an event
sub-process sees what the start events handed on. A start event without a designer's form
provides nothing (the programme's Python start forms are not in the lint context).
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from engine.bpmn.formdefs import FieldDef, form_reference, read_camunda_form_data, read_form_files, read_form_js
from engine.bpmn.loader import parse_file
from engine.bpmn.namespaces import BPMN, CAMUNDA, DMN_MODELS, ZEEBE
from engine.errors import ModelInvalid
from .reads import expression_reads, guarded_reads, python_of, script_reads

EVERYTHING = None  # a provision that may hold any name
WEAK_READS = ("timeDate", "timeDuration", "timeCycle", "loopCardinality", "completionCondition", "loopDataInputRef",
              "loopCondition", "condition")  # texts that use a field without being checked here
PAYLOAD_REFS = {"messageEventDefinition": "messageRef", "signalEventDefinition": "signalRef",
                "errorEventDefinition": "errorRef", "escalationEventDefinition": "escalationRef"}


@dataclass(frozen=True)
class Field:
    """A form field a node provides: its key, kind, the values it can take (None: any) and its owner's id."""

    key: str
    kind: str
    choices: tuple | None
    owner: str


@dataclass
class Read:
    """A text that reads names: who reports it, how it is named in messages, where it reads and what."""

    owner: object            # the Element findings are reported on
    what: str                # "Condition of 'Flow_1'"
    node: str                # the graph node whose state it reads
    after: bool              # True: the node's OUT (outgoing conditions, postScripts); False: its entry
    names: list[str]
    tree: ast.AST | None = None   # the Python text, for comparisons (conditions only)
    dialect: str = "python"
    line: int | None = None
    strong: bool = True      # False: counts as a use of a field but is not checked (timers, loops, ...)


@dataclass
class Analysis:
    """The graph of one file's executable processes and what each node has for certain."""

    elements: dict = field(default_factory=dict)     # node id → Element (virtual exits are absent)
    succ: dict = field(default_factory=dict)         # node id → [(successor, edge kind "out"|"enter")]
    pred: dict = field(default_factory=dict)         # node id → [(predecessor, edge kind)]
    entries: list = field(default_factory=list)      # (node id, initial set or EVERYTHING)
    gen: dict = field(default_factory=dict)          # node id → names it provides on completion
    pre: dict = field(default_factory=dict)          # node id → names it has while it runs (preScript, MI item)
    fields: dict = field(default_factory=dict)       # node id → [Field]
    reads: list = field(default_factory=list)
    called: set = field(default_factory=set)         # process ids a call activity calls (their data returns)
    entry_state: dict = field(default_factory=dict)  # node id → set or EVERYTHING, while it runs
    out_state: dict = field(default_factory=dict)

    def state(self, read: Read):
        return (self.out_state if read.after else self.entry_state).get(read.node, EVERYTHING)

    def missing_path(self, read: Read, name: str) -> list[str]:
        """The shortest path from an entry to the reading node along which nothing provides `name`."""
        def lacks(node, table):
            provided = table.get(node, set())
            return provided is not EVERYTHING and name not in provided
        starts = [n for n, initial in self.entries if initial is not EVERYTHING and name not in initial
                  and lacks(n, self.pre)]
        back, queue = {n: None for n in starts}, deque(starts)
        while queue:
            node = queue.popleft()
            if node == read.node and (not read.after or lacks(node, self.gen)):
                break
            for nxt, kind in self.succ.get(node, ()):
                if nxt in back or not lacks(nxt, self.pre) or (kind == "out" and not lacks(node, self.gen)):
                    continue
                back[nxt] = node
                queue.append(nxt)
        path, node = [], read.node if read.node in back else None
        while node is not None:
            path.append(node)
            node = back[node]
        return [n for n in reversed(path) if not n.endswith("#exit")]

    def downstream(self, node: str) -> set[str]:
        """Nodes reachable after `node` completes."""
        return _reachable((n for n, kind in self.succ.get(node, ()) if kind == "out"), self.succ)

    def upstream(self, node: str) -> set[str]:
        """Nodes from which `node` can be reached (itself included)."""
        return _reachable([node], self.pred)


def _reachable(starts, edges: dict) -> set[str]:
    """`starts` and every node reached from them along `edges` (node → [(next node, kind)])."""
    seen, queue = set(), deque(starts)
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        queue.extend(n for n, _kind in edges.get(current, ()))
    return seen


def analysis(model) -> Analysis:
    """The data-flow of `model` (a lint `Model`), computed once and shared by the rules."""
    found = getattr(model, "_dataflow", None)
    if found is None:
        found = _Builder(model).build()
        _solve(found)
        model._dataflow = found
    return found


# -- the graph and its provisions --------------------------------------------------------------------

class _Builder:
    def __init__(self, model):
        self.model = model
        self.result = Analysis()
        self.form_files = None
        self.decisions = _decisions(model.path.parent) if model.kind == "bpmn" else {}

    def build(self) -> Analysis:
        if self.model.kind != "bpmn":
            return self.result
        called = self.result.called = _called_processes(self.model.path.parent) | _calls(self.model.root)
        for process in self.model.of_type("process"):
            if (process.get("isExecutable") or "").strip().lower() == "true":
                self.container(process, None, process.id in called)
        language = (self.model.root.get("expressionLanguage") or "").lower()
        if language and not any(known in language for known in ("python", "feel", "juel")):
            return self.result  # conditions in XPath or a vendor's language: not read here
        for flow in self.model.of_type("sequenceFlow"):
            self.condition(flow)  # only flows whose source is in an executable process's graph
        return self.result

    def node(self, element) -> None:
        r = self.result
        r.elements[element.id] = element
        r.succ.setdefault(element.id, [])
        r.pred.setdefault(element.id, [])
        r.gen[element.id], r.pre[element.id], r.fields[element.id] = self.provisions(element)
        self.reads_of(element)

    def edge(self, source: str, target: str, kind: str = "out") -> None:
        self.result.succ.setdefault(source, []).append((target, kind))
        self.result.pred.setdefault(target, []).append((source, kind))

    def container(self, container, entry: str | None, called: bool) -> list[str]:
        """Add a process or sub-process; returns the ids of its end nodes (for the sub-process exit)."""
        members = [e for e in container.flow_elements if e.is_a("FlowNode") and e.id]
        starts, ends, event_subs = [], [], []
        for element in members:
            if element.is_a("SubProcess") and (element.get("triggeredByEvent") or "").lower() == "true":
                event_subs.append(element)
                continue
            self.node(element)
            if element.is_a("SubProcess"):
                inner = self.container(element, element.id, False)
                exit_id = f"{element.id}#exit"
                self.result.succ.setdefault(exit_id, [])
                for end in inner or [element.id]:
                    self.edge(end, exit_id, "out" if inner else "enter")
                own = self.result.gen[element.id]
                self.result.gen[exit_id] = own if own is EVERYTHING else set(own)
                self.result.pre[exit_id] = set()
        for element in members:
            if element in event_subs:
                continue
            source = f"{element.id}#exit" if element.is_a("SubProcess") else element.id
            for flow in element.outgoing:
                target = self.model.by_id.get(flow.get("targetRef") or "")
                if target is not None and target.id in self.result.elements:
                    self.edge(source, target.id)
            if element.type == "boundaryEvent" and element.get("attachedToRef") in self.result.elements:
                self.edge(element.get("attachedToRef"), element.id, "enter")
            if not element.incoming and element.type != "boundaryEvent" and not _reached_otherwise(element):
                starts.append(element.id)
            if not element.outgoing and element.type != "boundaryEvent" and not any(
                    d.type in ("errorEventDefinition", "cancelEventDefinition") for d in element.event_definitions):
                ends.append(element.id)  # an error or cancel end leaves through a boundary event, not the exit
        self._links(members)
        for start in starts:
            if entry is None:
                self.result.entries.append((start, EVERYTHING if called else set()))
            else:
                self.edge(entry, start, "enter")
        for sub in event_subs:
            self.node(sub)
            for start in starts:
                self.edge(start, sub.id, "out")
            if entry is not None and not starts:
                self.edge(entry, sub.id, "enter")
            self.container(sub, sub.id, False)
        return ends

    def _links(self, members) -> None:
        catches = {}
        for element in members:
            for definition in element.event_definitions:
                if definition.type == "linkEventDefinition" and element.type == "intermediateCatchEvent":
                    catches[definition.get("name") or element.name] = element.id
        for element in members:
            for definition in element.event_definitions:
                if definition.type == "linkEventDefinition" and element.type == "intermediateThrowEvent":
                    target = catches.get(definition.get("name") or element.name)
                    if target:
                        self.edge(element.id, target)

    # what a node provides -------------------------------------------------------------------------

    def provisions(self, element):
        gen, pre, fields = set(), set(), []
        for node in element.extensions("preScript"):
            pre |= script_reads(node.text or "")[1]
        for node in element.extensions("postScript"):
            gen |= script_reads(node.text or "")[1]
        loop = element.child("multiInstanceLoopCharacteristics")
        if loop is not None:
            pre |= {_mi_name(loop, "inputDataItem"), _mi_name(loop, "outputDataItem"),
                    loop.get(f"{{{CAMUNDA}}}elementVariable")} - {None}
            gen |= {_mi_name(loop, "loopDataOutputRef")} - {None}
        for association in element.children:  # data objects: what a task writes, a later one reads back
            refs = [self.model.by_id.get((r.node.text or "").strip()) for r in association.children
                    if r.type in ("sourceRef", "targetRef")]
            names = {n for r in refs if r is not None and r.type in ("dataObjectReference", "dataObject", "dataStoreReference")
                     for n in (r.get("dataObjectRef") or r.get("dataStoreRef") or r.id, r.name) if n}
            if association.type == "dataInputAssociation":
                pre |= names
            elif association.type == "dataOutputAssociation":
                gen |= names
        kind = element.type
        if kind == "callActivity":
            return EVERYTHING, pre, fields
        if kind == "userTask" or (kind == "startEvent" and element.parent is not None and element.parent.type == "process"):
            fields = self.form_fields(element)
            if fields is EVERYTHING:
                return EVERYTHING, pre, []
            gen |= {f.key for f in fields}
        elif kind == "scriptTask":
            script = element.child("script")
            gen |= script_reads(script.node.text or "" if script is not None else "")[1]
        elif kind == "serviceTask":
            operators = element.extensions("serviceTaskOperator")
            if not operators:
                return EVERYTHING, pre, fields  # a Camunda or other vendor's service: unknown
            gen.add(operators[0].get("resultVariable") or f"spiff__{element.id.replace('-', '_')}_result")
        elif kind == "businessRuleTask":
            decision = self.decision_of(element)
            if decision is None:
                return EVERYTHING, pre, fields
            gen |= decision[1]
        if element.is_a("CatchEvent") or kind == "receiveTask":
            payload = self.payload_names(element)
            if payload is EVERYTHING:
                return EVERYTHING, pre, fields
            gen |= payload
        return gen, pre, fields

    def payload_names(self, element):
        """What a catch event (or receive task) puts in the data: its payload variable, or anything."""
        carriers = [d for d in element.event_definitions if d.type in PAYLOAD_REFS]
        if element.type == "receiveTask":
            carriers = [element]
        names = set()
        for carrier in carriers:
            target = self.model.by_id.get(carrier.get(PAYLOAD_REFS.get(carrier.type, "messageRef")) or "")
            found = [(n.text or "").strip() for place in (carrier, target) if place is not None
                     for n in place.node.iter() if isinstance(n.tag, str)
                     and n.tag.endswith(("}messageVariable", "}variableName")) and (n.text or "").strip()]
            if not found:
                return EVERYTHING  # the thrower's whole data may arrive
            names |= set(found)
        return names

    def form_fields(self, element):
        """The fields of a user task's or start event's form; EVERYTHING when they cannot be known."""
        try:
            inline = read_camunda_form_data(element.node, self.model.path.name)
            if inline is not None:
                return _fields(inline.fields, element.id)
            link = form_reference(element.node)
            if link is not None and link[0] == "embedded":
                return _fields(read_form_js(link[1], element.id).fields, element.id)
        except ModelInvalid:
            return EVERYTHING  # user-task-has-form reports it
        if link is not None:
            if self.form_files is None:
                try:
                    self.form_files = read_form_files(self.model.path.parent)
                except ModelInvalid:
                    self.form_files = {}
            form = self.form_files.get(link[1])
            return EVERYTHING if form is None else _fields(form.fields, element.id)
        if element.get(f"{{{CAMUNDA}}}formKey") or element.type == "startEvent":
            return EVERYTHING if element.get(f"{{{CAMUNDA}}}formKey") else []
        form_for = getattr(self.model.context, "form_for", None)
        if form_for is None:
            return EVERYTHING
        return _python_fields(form_for(element.process.id, element.id), element.id)

    def decision_of(self, element):
        ids = [(n.text or "").strip() for n in element.extensions("calledDecisionId")]
        ids += [element.get(f"{{{CAMUNDA}}}decisionRef") or ""]
        return next((self.decisions[i] for i in ids if i in self.decisions), None)

    # what a node reads ----------------------------------------------------------------------------

    def reads_of(self, element) -> None:
        reads = self.result.reads
        scripts = [("Script", False, s.node.text or "", s.line) for s in element.children
                   if s.type == "script" and element.type == "scriptTask"
                   and (element.get("scriptFormat") or "python").strip().lower() in ("python", "python3", "")]
        scripts += [(kind, kind == "postScript", n.text or "", n.sourceline)
                    for kind in ("preScript", "postScript") for n in element.extensions(kind)]
        for kind, after, text, line in scripts:
            reads.append(Read(element, f"{kind} of '{element.id}'", element.id, after, script_reads(text)[0], line=line))
            reads.append(Read(element, "", element.id, after, guarded_reads(text), strong=False))
        for node in element.extensions("parameter") if element.type == "serviceTask" else ():
            names = expression_reads(node.get("value") or "")[0]
            reads.append(Read(element, f"Parameter '{node.get('id')}' of '{element.id}'", element.id, False, names,
                              line=node.sourceline))
        if element.type == "businessRuleTask" and (decision := self.decision_of(element)) is not None:
            for expression in decision[0]:
                translated = python_of(expression)
                if translated is not None:
                    reads.append(Read(element, f"Input expression '{expression}' of decision '{decision[2]}' called by "
                                               f"'{element.id}'", element.id, False,
                                      expression_reads(translated[0])[0]))
        own = [c.node for c in element.children if c.is_a("EventDefinition") or c.type.endswith("LoopCharacteristics")]
        for node in (n for o in own for n in o.iter(*(f"{{{BPMN}}}{t}" for t in WEAK_READS))):
            translated = python_of((node.text or "").strip()) if (node.text or "").strip() else None
            if translated is not None:
                reads.append(Read(element, "", element.id, False, expression_reads(translated[0])[0], strong=False))
        if element.type == "callActivity":
            reads.append(Read(element, "", element.id, False, ["*"], strong=False))

    def condition(self, flow) -> None:
        expression = flow.child("conditionExpression")
        source = flow.get("sourceRef") or ""
        if expression is None or source not in self.result.elements:
            return
        language = (expression.get("language") or "").strip().lower()
        if language and not any(known in language for known in ("python", "feel", "juel")):
            return
        translated = python_of((expression.node.text or "").strip(), as_condition=False)
        if translated is None or not translated[0].strip():
            return
        names, tree = expression_reads(translated[0])
        if self.model.by_id.get(source) is not None and self.model.by_id[source].is_a("SubProcess"):
            source = f"{source}#exit"
        self.result.reads.append(Read(flow, f"Condition of '{flow.id}'", source, True, names, tree=tree,
                                      dialect=translated[1], line=expression.line))


def _mi_name(loop, localname: str) -> str | None:
    """The variable a multi-instance child names: an item's name (or id), a reference's text."""
    child = loop.child(localname)
    if child is None:
        return None
    return child.get("name") or child.get("id") or (child.node.text or "").strip() or None


def _reached_otherwise(element) -> bool:
    """Nodes without incoming flows that do not start with their container: only start events and
    activities (implicit starts) do; compensation handlers and link catches are reached otherwise."""
    if (element.get("isForCompensation") or "").lower() == "true":
        return True
    return element.type != "startEvent" and not element.is_a("Activity")


def _fields(defs: tuple[FieldDef, ...], owner: str) -> list[Field]:
    return [Field(d.key, d.kind, tuple(c.value for c in d.choices) if d.choices else None, owner) for d in defs]


def _python_fields(form, owner: str) -> list[Field]:
    """The fields of a programme's pydantic form model, with the values an enum/Literal field takes."""
    if form is None or not hasattr(form, "model_json_schema"):
        return []
    schema = form.model_json_schema()
    defs = schema.get("$defs", {})
    fields = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolved(prop, defs)
        options = [_resolved(o, defs) for o in prop.get("anyOf", [prop])]
        choices, kind = None, next((o.get("type") for o in options if o.get("type") not in (None, "null")), "any")
        for option in options:
            items = _resolved(option.get("items", {}), defs) if option.get("type") == "array" else {}
            if "enum" in items:
                choices, kind = tuple(items["enum"]), "choices"
            elif "enum" in option or "const" in option:
                choices, kind = tuple(option.get("enum", [option.get("const")])), "choice"
        fields.append(Field(name, kind, choices, owner))
    return fields


def _resolved(prop: dict, defs: dict) -> dict:
    return {**defs.get(prop["$ref"].split("/")[-1], {}), **prop} if "$ref" in prop else prop


@lru_cache(maxsize=64)
def _folder_decisions(folder: str, stamp: tuple) -> dict:
    found = {}
    for path in sorted(Path(folder).glob("*.dmn")):
        try:
            root = parse_file(path).getroot()
        except ModelInvalid:
            continue
        for ns in DMN_MODELS:
            for decision in root.iter(f"{{{ns}}}decision"):
                inputs = [(t.text or "").strip() for t in decision.iter(f"{{{ns}}}text")
                          if t.getparent() is not None and t.getparent().tag == f"{{{ns}}}inputExpression"]
                outputs = {o.get("name") for o in decision.iter(f"{{{ns}}}output") if o.get("name")}
                found[decision.get("id")] = ([i for i in inputs if i], outputs, decision.get("id"))
    return found


def _decisions(folder: Path) -> dict:
    """Decision id → (input expressions, output names, id) of the DMN files in `folder`."""
    files = sorted(Path(folder).glob("*.dmn"))
    return _folder_decisions(str(folder), tuple((p.name, p.stat().st_mtime_ns) for p in files))


def _called_processes(folder: Path) -> set[str]:
    """Process ids a call activity of a BPMN file in `folder` calls: they start with the caller's data."""
    files = sorted(Path(folder).glob("*.bpmn"))
    return set(_folder_calls(str(folder), tuple((p.name, p.stat().st_mtime_ns) for p in files)))


@lru_cache(maxsize=64)
def _folder_calls(folder: str, stamp: tuple) -> frozenset:
    called = set()
    for path in (Path(folder) / name for name, _mtime in stamp):
        try:
            root = parse_file(path).getroot()
        except ModelInvalid:
            continue
        called |= _calls(root)
    return frozenset(called)


def _calls(root) -> set[str]:
    """Process ids the call activities under `root` call (`calledElement`, or Zeebe's `processId`)."""
    called = set()
    for node in root.iter(f"{{{BPMN}}}callActivity"):
        called.add((node.get("calledElement") or "").strip())
        called |= {(n.get("processId") or "").strip() for n in node.iter(f"{{{ZEEBE}}}calledElement")}
    return called - {""}


# -- the fixed point ---------------------------------------------------------------------------------

def _solve(result: Analysis) -> None:
    entry_state, out_state = result.entry_state, result.out_state
    initial = {node: state for node, state in result.entries}
    nodes = list(result.succ)
    for node in nodes:
        entry_state[node] = EVERYTHING if node not in initial else _with(initial[node], result.pre.get(node))
        out_state[node] = _with(entry_state[node], result.gen.get(node, set()))
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node in initial:
                incoming = [initial[node]]
            else:
                incoming = [(out_state if kind == "out" else entry_state)[p] for p, kind in result.pred.get(node, ())]
            state = EVERYTHING
            for handed in incoming:
                state = handed if state is EVERYTHING else (state if handed is EVERYTHING else state & handed)
            new_entry = _with(state, result.pre.get(node, set()))
            if new_entry != entry_state[node]:
                entry_state[node] = new_entry
                out_state[node] = _with(new_entry, result.gen.get(node, set()))
                changed = True


def _with(state, more):
    if state is EVERYTHING or more is EVERYTHING:
        return EVERYTHING
    return set(state) | set(more or ())

"""phasegate/reference-resolves: every reference names something that exists.

Sequence flows and message flows, default flows, lanes' node lists, pools' processes, boundary
hosts, messages, signals, errors and escalations, diagram shapes, and in executable processes
call activities (a process of these files or their folder), business rule tasks (a DMN decision)
and service tasks (an operator the programme has a handler for).
"""

from engine.bpmn.implementations import decision_name, service_name
from engine.i18n import Phrase

DESCRIPTION = "References resolve: flows, defaults, lanes, messages, called processes, decisions, service handlers."

GLOBAL_REFS = {"messageRef": "message", "signalRef": "signal", "errorRef": "error", "escalationRef": "escalation"}


def check(model, report):
    ids = model.by_id
    for element in model.elements:
        for attribute in ("sourceRef", "targetRef") if element.type in ("sequenceFlow", "messageFlow") else ():
            ref = element.get(attribute)
            if not ref or ref not in ids:
                report(element, "{element} {attribute} '{ref}' does not resolve", element=_label(element), attribute=attribute, ref=ref or '')
        if element.default_flow and element.is_a("FlowNode"):
            if element.default_flow not in {f.id for f in element.outgoing}:
                report(element, "Default flow '{default_flow}' is not an outgoing flow of this element", default_flow=element.default_flow)
        if element.type == "flowNodeRef":
            ref = (element.node.text or "").strip()
            if ref not in ids:
                report(element.parent or element, "Lane lists flow node '{ref}', which does not exist", line=element.line, ref=ref)
        if element.type == "participant" and element.get("processRef") and element.get("processRef") not in ids:
            report(element, "Pool's processRef '{ref}' does not resolve", ref=element.get('processRef'))
        if element.type == "boundaryEvent":
            host = ids.get(element.get("attachedToRef") or "")
            if host is None or not host.is_a("Activity"):
                report(element, "Boundary event's attachedToRef '{ref}' is not an activity", ref=element.get('attachedToRef') or '')
        for attribute, kind in GLOBAL_REFS.items():
            ref = element.get(attribute)
            if ref and (ref not in ids or ids[ref].type != kind):
                report(_owner(element), "{attribute} '{ref}' does not name a <{kind}>", line=element.line, attribute=attribute, ref=ref, kind=kind)
        if element.is_executable:
            _engine_references(model, element, report)
    for ref, line, kind in model.di_refs:
        if ref not in ids:
            report(None, "{kind} draws '{ref}', which does not exist", line=line, kind=kind, ref=ref)


def _engine_references(model, element, report):
    if element.type == "callActivity":
        called = (element.get("calledElement") or "").strip()
        if not called:
            report(element, "Call activity has no calledElement")
        elif called not in model.workspace.process_ids:
            report(element, "Call activity calls process '{called}', which no file here defines", called=called)
    if element.type == "businessRuleTask":
        decisions = [(n.text or "").strip() for n in element.extensions("calledDecisionId")]
        camunda = decision_name(element.node)
        if (not decisions or not decisions[0]) and camunda:
            decisions = [camunda[0]]
        if not decisions or not decisions[0]:
            report(element, "Business rule task has no spiffworkflow:calledDecisionId (or camunda:decisionRef, "
                   "zeebe:calledDecision)")
        elif decisions[0] not in model.workspace.decision_ids:
            report(element, "Business rule task calls decision '{decisions}', which no DMN file here defines", decisions=decisions[0])
    if element.type == "serviceTask":
        operators = [n.get("id") for n in element.extensions("serviceTaskOperator")]
        camunda = service_name(element.node)
        if (not operators or not operators[0]) and camunda:
            operators = [camunda[0]]
        if not operators or not operators[0]:
            report(element, "Service task names no implementation: spiffworkflow:serviceTaskOperator, camunda:class, "
                   "camunda:expression, camunda:topic or zeebe:taskDefinition")
            return
        handlers = getattr(model.context, "handlers", None)
        if handlers is not None and operators[0] not in handlers:
            known = ", ".join(sorted(handlers)) or "none"
            report(element, "Service task calls operator '{operators}', which has no handler (known: {known})", operators=operators[0], known=known)


def _owner(element):
    node = element
    while node is not None and not node.id:
        node = node.parent
    return node or element


def _label(element) -> str:
    return Phrase("Sequence flow's") if element.type == "sequenceFlow" else Phrase("Message flow's")

"""Service and business-rule tasks written for Camunda 7 or 8, read the way SpiffWorkflow runs them.

A Camunda file names a service task's implementation with `camunda:class`, `camunda:expression`,
`camunda:delegateExpression`, `camunda:type="external"` + `camunda:topic` (the external-task
pattern) or `<zeebe:taskDefinition type=".."/>`, and a business rule task's decision with
`camunda:decisionRef` or `<zeebe:calledDecision decisionId=".."/>`. SpiffWorkflow's parser wants its
own `spiffworkflow:serviceTaskOperator` / `calledDecisionId` and refuses the file otherwise. Here the
Camunda name becomes the operator id, so the task runs when the programme registers a handler under
that name, topic or type, and fails with a clear message when none is registered.
"""

from __future__ import annotations

from engine.bpmn.namespaces import BPMN, CAMUNDA, SPIFFWORKFLOW as SPIFF, ZEEBE


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def service_name(task) -> tuple[str, str | None] | None:
    """(operator name, result variable) of a Camunda service task, or None when it names none."""
    definition = task.find(f"{_q(BPMN, 'extensionElements')}/{_q(ZEEBE, 'taskDefinition')}")
    if definition is not None and definition.get("type"):
        return definition.get("type"), None
    result = task.get(_q(CAMUNDA, "resultVariable"))
    if task.get(_q(CAMUNDA, "type")) == "external" and task.get(_q(CAMUNDA, "topic")):
        return task.get(_q(CAMUNDA, "topic")), None
    for attribute in ("class", "delegateExpression", "expression"):
        if task.get(_q(CAMUNDA, attribute)):
            return task.get(_q(CAMUNDA, attribute)), result
    return None


def decision_name(task) -> tuple[str, str | None] | None:
    """(decision id, result variable) of a Camunda business rule task, or None."""
    called = task.find(f"{_q(BPMN, 'extensionElements')}/{_q(ZEEBE, 'calledDecision')}")
    if called is not None and called.get("decisionId"):
        return called.get("decisionId"), called.get("resultVariable")
    if task.get(_q(CAMUNDA, "decisionRef")):
        return task.get(_q(CAMUNDA, "decisionRef")), task.get(_q(CAMUNDA, "resultVariable"))
    return None


def adopt_camunda_implementations(tree) -> int:
    """Give every Camunda-named service and business rule task the SpiffWorkflow element it needs, in
    place (the designer's file is not changed); returns how many tasks were adopted."""
    count = 0
    for task in tree.getroot().iter(_q(BPMN, "serviceTask"), _q(BPMN, "sendTask")):
        if task.find(f".//{_q(SPIFF, 'serviceTaskOperator')}") is not None:
            continue
        named = service_name(task)
        if named is None:
            continue
        operator = _extensions(task).makeelement(_q(SPIFF, "serviceTaskOperator"), {"id": named[0]})
        if named[1]:
            operator.set("resultVariable", named[1])
        operator.append(operator.makeelement(_q(SPIFF, "parameters"), {}))  # the schema wants the list
        _extensions(task).append(operator)
        count += 1
    for task in tree.getroot().iter(_q(BPMN, "businessRuleTask")):
        if task.find(f".//{_q(SPIFF, 'calledDecisionId')}") is not None:
            continue
        named = decision_name(task)
        if named is None:
            continue
        called = _extensions(task).makeelement(_q(SPIFF, "calledDecisionId"), {})
        called.text = named[0]
        _extensions(task).append(called)
        count += 1
    return count


def _extensions(task):
    found = task.find(_q(BPMN, "extensionElements"))
    if found is None:
        found = task.makeelement(_q(BPMN, "extensionElements"), {})
        task.insert(0 if not len(task) or task[0].tag != _q(BPMN, "documentation") else 1, found)
    return found

"""phasegate/condition-compiles: flow conditions, conditional events and loop expressions compile in the sandbox."""

from ...expressions import refusal

DESCRIPTION = "Conditions (flows, conditional events, loop and multi-instance expressions) compile under the sandbox."

LOOP_EXPRESSIONS = ("loopCardinality", "completionCondition", "loopCondition")


def check(model, report):
    for element in model.elements:
        if not element.is_executable:
            continue
        if element.type == "conditionExpression":
            target = element.parent
            _check(report, target, element, "Condition")
        elif element.type == "condition" and element.parent is not None:
            _check(report, element.parent.parent or element.parent, element, "Condition")
        elif element.type in LOOP_EXPRESSIONS and element.parent is not None:
            _check(report, element.parent.parent or element.parent, element, f"<{element.type}>")


def _check(report, owner, expression, what):
    text = (expression.node.text or "").strip()
    if not text:
        report(owner, "{what} is empty", line=expression.line, what=what)
        return
    why = refusal(text)
    if why:
        report(owner, "{what} does not compile: {why}", line=expression.line, what=what, why=why)

"""phasegate/dmn-cell-compiles: every DMN input expression, input cell and output cell compiles in the sandbox.

Cells are Python as SpiffWorkflow reads them, not FEEL: `< 85`, `"approve"`, `? in (1, 2)`.
FEEL-only forms (`[3..10]`, `3,4,5`, `not(1)`) are reported, since they fail or never match.
"""

from lxml import etree

from ...expressions import dmn_match_expression, refusal

DESCRIPTION = "DMN input expressions and cells compile under the sandbox (Python, not FEEL)."


def check(model, report):
    if model.kind != "dmn":
        return
    for table in _all(model.root, "decisionTable"):
        inputs = [_text(_first(i, "inputExpression")) for i in _children(table, "input")]
        for position, expression in enumerate(inputs, 1):
            if not expression:
                report(_id(table), "Input {position} has no input expression", line=table.sourceline, position=position)
            elif (why := refusal(expression)):
                report(_id(table), "Input expression {position} does not compile: {why}", line=table.sourceline, position=position, why=why)
        for rule in _children(table, "rule"):
            for position, entry in enumerate(_children(rule, "inputEntry")):
                cell = _text(entry)
                if not cell or cell == "-" or position >= len(inputs) or not inputs[position]:
                    continue
                expression, hint = dmn_match_expression(inputs[position], cell)
                why = hint or refusal(expression)
                if why:
                    report(_id(entry) or _id(rule), "Input cell {cell!r} does not compile: {why}", line=entry.sourceline, cell=cell, why=why)
            for entry in _children(rule, "outputEntry"):
                cell = _text(entry)
                if cell and (why := refusal(cell)):
                    report(_id(entry) or _id(rule), "Output cell {cell!r} does not compile: {why}", line=entry.sourceline, cell=cell, why=why)


def _all(root, name):
    return [n for n in root.iter() if isinstance(n.tag, str) and etree.QName(n).localname == name]


def _children(node, name):
    return [n for n in node if isinstance(n.tag, str) and etree.QName(n).localname == name]


def _first(node, name):
    found = _children(node, name)
    return found[0] if found else None


def _text(node) -> str:
    if node is None:
        return ""
    text = _first(node, "text")
    return ((text.text if text is not None else node.text) or "").strip()


def _id(node):
    return node.get("id")

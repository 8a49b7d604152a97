"""Camunda's FEEL (`=…`) and JUEL (`${…}`) in a model, turned into the sandbox's Python at load.

A file saved by Camunda Modeler writes its gateway conditions, conditional events, timers and
multi-instance expressions in FEEL (Camunda 8) or JUEL (Camunda 7). SpiffWorkflow evaluates Python,
so each such text is translated in the parsed tree (the designer's file is not changed) by
`engine.sandbox.translate`; the sandbox then checks and budgets it like any other expression. A text
outside the supported subset is ModelInvalid naming the file, the line, the element and the part.
"""

from __future__ import annotations

from engine.bpmn.namespaces import BPMN
from engine.errors import ExpressionRefused, ModelInvalid

TIMER_TAGS = ("timeDuration", "timeDate", "timeCycle")
LOOP_TAGS = {"loopCardinality": False, "completionCondition": True}


def translate_dialects(tree, filename: str) -> int:
    """Translate every FEEL or JUEL text of the tree in place; returns how many were translated."""
    from engine.sandbox.translate import dialect_of, timer_text, translate

    count = 0
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    for node in root.iter(f"{{{BPMN}}}conditionExpression", f"{{{BPMN}}}condition",
                          *(f"{{{BPMN}}}{tag}" for tag in TIMER_TAGS), *(f"{{{BPMN}}}{tag}" for tag in LOOP_TAGS)):
        text = (node.text or "").strip()
        if not text or dialect_of(text) == "python":
            continue
        local = node.tag.split("}")[1]
        try:
            if local in TIMER_TAGS:
                node.text = timer_text(text)
            else:
                node.text = translate(text, as_condition=LOOP_TAGS.get(local, True)).python
        except ExpressionRefused as err:
            owner = node.getparent()
            while owner is not None and owner.get("id") is None:
                owner = owner.getparent()
            where = f"'{owner.get('id')}'" if owner is not None else "the model"
            raise ModelInvalid("{filename}:{sourceline}: {local} of {where}: {err}", filename=filename, sourceline=node.sourceline, local=local, where=where, err=err) from None
        count += 1
    return count

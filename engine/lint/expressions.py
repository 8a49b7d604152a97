"""How the engine rules ask whether a text compiles under the sandbox, the way SpiffWorkflow will run it."""

from __future__ import annotations

import ast
import re

from engine.errors import ExpressionRefused
from engine.sandbox.environment import check

QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def refusal(source: str | None, mode: str = "eval") -> str | None:
    """Why the sandbox refuses `source`, or None when it compiles. FEEL (`=…`) and JUEL (`${…}`)
    expressions are translated first, as the engine does at load (`engine.bpmn.dialects`)."""
    from engine.sandbox.translate import translate

    try:
        text = source or ""
        if mode == "eval":
            text = translate(text, as_condition=True).python
        check(text, mode)
    except ExpressionRefused as err:
        return err.message
    return None


def dmn_match_expression(input_expression: str, cell: str) -> tuple[str, str | None]:
    """The expression SpiffWorkflow's DMN engine evaluates for an input cell, and a FEEL warning if any.

    Mirrors `DMNEngine.evaluate`: `?` stands for the input value; a cell that parses alone is
    compared with `==`; otherwise it is appended to the input (`< 85` → `input < 85`).
    """
    from engine.sandbox.translate import parses_as_python

    if QUESTION_MARK.search(cell):
        return QUESTION_MARK.sub("dmninputexpr", cell), None
    if parses_as_python(cell):
        hint = None
        tree = ast.parse(cell, mode="eval").body
        if isinstance(tree, ast.Tuple):
            hint = "a comma list is a Python tuple here and never equals the input; write `? in (…)`"
        elif cell.strip().startswith("not("):
            hint = "FEEL not(…) is Python `not` here and never matches as meant; write `? != …`"
        return f"({input_expression}) == ({cell})", hint
    if parses_as_python(f"v {cell}"):
        return f"{input_expression} {cell}", None
    return cell, None

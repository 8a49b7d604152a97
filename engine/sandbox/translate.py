"""Camunda's expression languages, translated to the Python the sandbox evaluates.

A condition, timer or input mapping saved by Camunda Modeler is FEEL (Camunda 8: `=days > 3`) or
JUEL (Camunda 7: `${days > 3}`); phasegate's own models write Python. `translate` tells them apart
by their first characters and returns Python text for `engine.sandbox.environment.check` and
`evaluate`, so the sandbox stays the one place that decides what may run. The translated text
calls helpers named `feel_*` and `juel_*`; they must be in the evaluation's globals: put
`FEEL_FUNCTIONS` (or `feel_functions(clock)`, whose `now()` reads that clock) there. What the
translators do not support is refused with an `ExpressionRefused` naming the part, never guessed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from engine.clock import is_iso_literal
from engine.sandbox.dialects.feel import translate_feel
from engine.sandbox.dialects.feel_builtins import FEEL_FUNCTIONS, feel_functions
from engine.sandbox.dialects.juel import translate_juel
from engine.sandbox.dialects.lexer import MAX_LENGTH

__all__ = ["Translation", "translate", "timer_text", "dialect_of", "FEEL_FUNCTIONS", "feel_functions"]


@dataclass(frozen=True)
class Translation:
    """The Python text the sandbox will evaluate, and the dialect it was written in."""

    python: str
    dialect: str  # "feel", "juel" or "python"
    constant: str | None = None  # the string a constant FEEL/JUEL text stands for (`="P3D"` -> P3D)


def dialect_of(text: str) -> str:
    """`feel` for `=...`; `juel` for `${...}`/`#{...}`, or for text with literal parts around one
    (`Dear ${name}`) that is not Python; otherwise `python`."""
    body = text.strip()
    if body.startswith("="):
        return "feel"
    if body.startswith(("${", "#{")):
        return "juel"
    if ("${" in body or "#{" in body) and len(body) <= MAX_LENGTH and not parses_as_python(body):
        return "juel"
    return "python"


def parses_as_python(text: str) -> bool:
    """True when `text` is one Python expression (no refusal is raised for text that is not)."""
    try:
        ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


@lru_cache(maxsize=1024)  # the same condition is translated every time a token reaches it
def translate(text: str, *, as_condition: bool = False) -> Translation:
    """The Python for a FEEL, JUEL or Python expression; Python passes through unchanged.

    With `as_condition`, the result is a boolean the way the dialect decides a condition: JUEL
    coerces (`"false"` is false), FEEL takes only `true` (null and non-booleans are false)."""
    dialect = dialect_of(text)
    if dialect == "python":
        return Translation(text, dialect)
    node = translate_feel(text.strip()) if dialect == "feel" else translate_juel(text.strip())
    if not as_condition:
        return Translation(node.py, dialect, node.const)
    python = f"juel_bool({node.py})" if dialect == "juel" else f"({node.py}) is True"
    return Translation(python, dialect)


def timer_text(text: str) -> str:
    """A timer body as the engine's timer code reads it: a constant becomes its plain ISO 8601 text
    (`=duration("P3D")` -> `P3D`); anything else becomes Python that evaluates to such text."""
    translation = translate(text)
    if translation.dialect == "python":
        return text
    if translation.constant is not None and is_iso_literal(translation.constant):
        return translation.constant
    return f"feel_timer({translation.python})"

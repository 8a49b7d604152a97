"""JUEL (Camunda 7's `${...}` / `#{...}` expressions) translated to the sandbox's Python, and the
helpers that translation calls.

Camunda 7 evaluates Unified EL: its operators coerce (`"5" > 3` is true, `null + 1` is 1, `a.b` on
a map without `b` is null, `${flag}` with the string "false" is false), unlike Python's. So the
translation calls the `juel_*` helpers below, which follow the EL coercion rules for the plain data
task variables hold, and raise a clear error where EL would throw. Camunda's beans and methods
have no meaning in phasegate: a method call is refused, except `execution.getVariable('x')`,
which is the variable `x`. A text with literal parts (`Dear ${name}`) becomes a string.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from engine.sandbox.dialects.lexer import (JUEL_ESCAPES, MAX_DEPTH, InfixParser, Lexer, check_length, describe,
                                           python_name, refuse)

OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "->", "+=", "<", ">", "!", "+", "-", "*", "/", "%",
             "?", ":", "(", ")", "[", "]", ".", ",", "{", "}", "=", ";")
# EL's operators, tightest last; a right operand is parsed one level tighter (left-associative)
BINARY = {
    "||": (2, "or"), "or": (2, "or"), "&&": (3, "and"), "and": (3, "and"),
    "==": (4, "juel_eq"), "eq": (4, "juel_eq"), "!=": (4, "juel_ne"), "ne": (4, "juel_ne"),
    "<": (5, "juel_lt"), "lt": (5, "juel_lt"), ">": (5, "juel_gt"), "gt": (5, "juel_gt"),
    "<=": (5, "juel_le"), "le": (5, "juel_le"), ">=": (5, "juel_ge"), "ge": (5, "juel_ge"),
    "+": (6, "juel_add"), "-": (6, "juel_sub"), "*": (7, "juel_mul"), "/": (7, "juel_div"),
    "div": (7, "juel_div"), "%": (7, "juel_mod"), "mod": (7, "juel_mod"),
}
UNARY = 8
KEYWORDS = {"and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod", "empty", "instanceof",
            "true", "false", "null"}
REFUSED_OPS = {"=": "assignment ('=') is not supported", ";": "the ';' operator is not supported",
               "->": "lambda expressions ('->') are not supported",
               "+=": "string concatenation ('+=') is not supported",
               "{": "collection literals ('{...}') are not supported",
               "[": "collection literals ('[...]') are not supported"}
MAX_INT_BITS = 100_000


class Node(NamedTuple):
    """Translated Python text, and the string it stands for when it is a string literal."""

    py: str
    const: str | None = None


class JuelParser(InfixParser):
    """Parses the expression inside one `${...}` of `text`, starting at `pos`."""

    def __init__(self, text: str, pos: int):
        self.text, self.depth = text, 0
        self.lex = Lexer("JUEL", text, pos, OPERATORS, quotes="'\"", escapes=JUEL_ESCAPES)

    def error(self, why: str):
        return refuse("JUEL", self.text, why)

    def expression(self, min_power: int = 0) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the expression nests deeper than {MAX_DEPTH} levels")
        try:
            node = self._binary(self.unary(), max(min_power, 2))
            if min_power <= 1 and self.lex.is_op("?"):
                self.lex.take()
                then = self.expression(1)
                self.lex.expect(":")
                otherwise = self.expression(1)
                node = Node(f"({then.py} if juel_bool({node.py}) else {otherwise.py})")
            return node
        finally:
            self.depth -= 1

    def binding_power(self, operator: str) -> int | None:
        return BINARY.get(operator, (None, None))[0]

    def _binary(self, left: Node, min_power: int) -> Node:
        while (power := self.operator_power(min_power)) is not None:
            operators, operands = self.operator_run(left, power)
            helpers = [BINARY[op][1] for op in operators]
            if helpers[0] in ("or", "and"):
                left = Node("(" + f" {helpers[0]} ".join(f"juel_bool({n.py})" for n in operands) + ")")
            elif len(helpers) == 1:
                left = Node(f"{helpers[0]}({operands[0].py}, {operands[1].py})")
            else:
                pairs = ", ".join(f"{h!r}, {n.py}" for h, n in zip(helpers, operands[1:]))
                left = Node(f"juel_calc({operands[0].py}, {pairs})")
        return left

    def unary(self) -> Node:
        token = self.lex.peek()
        if token.kind == "OP" and token.value in ("-", "!") or token.kind == "NAME" and token.value in ("not", "empty"):
            self.lex.take()
            operand = self.expression(UNARY).py
            if token.value == "-":
                return Node(f"juel_neg({operand})")
            return Node(f"juel_empty({operand})" if token.value == "empty" else f"(not juel_bool({operand}))")
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.lex.is_op("."):
                self.lex.name_after_dot("a property name", "property")
                name = self.lex.take()
                if self.lex.is_op("("):
                    node = self.method(node, name.value)
                else:
                    node = Node(f"juel_get({node.py}, {name.value!r})")
            elif self.lex.is_op("["):
                self.lex.take()
                key = self.expression()
                self.lex.expect("]")
                node = Node(f"juel_get({node.py}, {key.py})")
            elif self.lex.is_op("("):
                raise self.error(f"function calls are not supported ({describe(self.lex.peek())})")
            else:
                return node

    def method(self, base: Node, name: str) -> Node:
        self.lex.take()
        argument = self.lex.take()
        if base.py == "execution" and name == "getVariable" and argument.kind == "STR" and self.lex.is_op(")"):
            self.lex.take()
            return Node(python_name("JUEL", self.text, argument.value))
        raise self.error(f"method calls are not supported ('{name}()'); "
                         "only execution.getVariable('name') is understood")

    def primary(self) -> Node:
        token = self.lex.take()
        if token.kind == "NUM":
            if any(c in token.value for c in ".eE"):
                number = float(token.value)
                if not math.isfinite(number):
                    raise self.error(f"the number {token.value} is out of range")
                return Node(repr(number))
            return Node(str(int(token.value)))
        if token.kind == "STR":
            return Node(repr(token.value), token.value)
        if token.kind == "OP" and token.value == "(":
            inner = self.expression()
            self.close(")")
            return Node(f"({inner.py})", inner.const)
        if token.kind == "OP" and token.value in REFUSED_OPS:
            raise self.error(REFUSED_OPS[token.value])
        if token.kind == "NAME":
            return self.identifier(token)
        raise self.error("the expression ends too early" if token.kind == "END" else f"unexpected {describe(token)}")

    def close(self, value: str):
        """Expect the closing `value`, naming a refused operator found instead (`${x = 1}`)."""
        token = self.lex.peek()
        if token.kind == "OP" and token.value in REFUSED_OPS and token.value != value:
            raise self.error(REFUSED_OPS[token.value])
        if token.kind == "NAME" and token.value == "instanceof":
            raise self.error("'instanceof' is not supported")
        return self.lex.expect(value)

    def identifier(self, token) -> Node:
        value = token.value
        if value in ("true", "false", "null"):
            return Node({"true": "True", "false": "False", "null": "None"}[value])
        if value in KEYWORDS:
            raise self.error(f"unexpected {describe(token)}")
        if self.lex.is_op(":"):
            raise self.error(f"EL functions ('{value}:...') are not supported")
        if value == "execution":
            if not (self.lex.is_op(".") and self.lex.is_word("getVariable", ahead=1) and self.lex.is_op("(", ahead=2)):
                raise self.error("the 'execution' object is not available; "
                                 "only execution.getVariable('name') is understood")
            return Node("execution")  # `method` turns execution.getVariable('x') into x
        return Node(python_name("JUEL", self.text, value))


def _next_expression(text: str, pos: int) -> int:
    """Where the next `${` or `#{` of `text` starts at or after `pos`, or -1 (`\\${` is literal)."""
    while True:
        found = [i for i in (text.find("${", pos), text.find("#{", pos)) if i >= 0]
        if not found:
            return -1
        start = min(found)
        if start == 0 or text[start - 1] != "\\":
            return start
        pos = start + 2


def translate_juel(text: str) -> Node:
    """The Python for a JUEL text: one `${...}` is its value; literal parts make it a string."""
    check_length("JUEL", text)
    parts: list[Node] = []
    pos = 0
    while pos < len(text):
        start = _next_expression(text, pos)
        literal = text[pos:] if start < 0 else text[pos:start]
        if literal:
            literal = literal.replace("\\${", "${").replace("\\#{", "#{")
            parts.append(Node(repr(literal), literal))
        if start < 0:
            break
        parser = JuelParser(text, start + 2)
        if parser.lex.is_op("}"):
            raise parser.error("the expression '${}' is empty")
        parts.append(parser.expression())
        pos = parser.close("}").end
    if len(parts) == 1:
        return parts[0]
    return Node(f"juel_concat({', '.join(p.py for p in parts)})")


# -- the helpers translated JUEL calls -------------------------------------------------------------

def juel_bool(x) -> bool:
    """EL's coercion to boolean: null and "" are false, "true" (any case) is true."""
    if x is None or x == "":
        return False
    if isinstance(x, bool):
        return x
    if isinstance(x, str):
        return x.lower() == "true"
    raise TypeError(f"JUEL cannot use a {type(x).__name__} ({x!r:.40}) as a boolean")


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _num(x):
    """EL's coercion to a number: null and "" are 0, numeric text is its number."""
    if x is None or x == "":
        return 0
    if _is_num(x):
        return x
    if isinstance(x, str) and len(x) <= 100:
        try:
            return int(x)
        except ValueError:
            try:
                return float(x)
            except ValueError:
                pass
    raise TypeError(f"JUEL cannot use a {type(x).__name__} ({x!r:.40}) as a number")


def juel_eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if _is_num(a) or _is_num(b):
        return _num(a) == _num(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return juel_bool(a) == juel_bool(b)
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return a == b


def juel_ne(a, b) -> bool:
    return not juel_eq(a, b)


def _order(a, b):
    if a is None or b is None:
        return None
    if _is_num(a) or _is_num(b):
        a, b = _num(a), _num(b)
    try:
        return -1 if a < b else 1 if b < a else 0
    except TypeError:
        raise TypeError(f"JUEL cannot compare a {type(a).__name__} with a {type(b).__name__}") from None


def juel_lt(a, b) -> bool:
    o = _order(a, b)
    return o is not None and o < 0


def juel_le(a, b) -> bool:
    o = _order(a, b)
    return o is not None and o <= 0


def juel_gt(a, b) -> bool:
    o = _order(a, b)
    return o is not None and o > 0


def juel_ge(a, b) -> bool:
    o = _order(a, b)
    return o is not None and o >= 0


def juel_add(a, b):
    return _num(a) + _num(b)


def juel_sub(a, b):
    return _num(a) - _num(b)


def juel_mul(a, b):
    a, b = _num(a), _num(b)
    if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INT_BITS:
        raise MemoryError(f"the result of * would have more than {MAX_INT_BITS} bits")
    return a * b


def juel_div(a, b):
    """EL's `/` and `div`: always a floating division."""
    return float(_num(a)) / float(_num(b))


def juel_mod(a, b):
    """EL's `%` and `mod`: Java's remainder, which keeps the sign of the dividend."""
    a, b = _num(a), _num(b)
    if isinstance(a, int) and isinstance(b, int):
        if b == 0:
            raise ZeroDivisionError("JUEL: modulo by zero")
        rest = abs(a) % abs(b)
        return rest if a >= 0 else -rest
    return math.fmod(a, b)


def juel_neg(x):
    return -_num(x)


def juel_empty(x) -> bool:
    return x is None or (isinstance(x, (str, list, dict, tuple, set)) and len(x) == 0)


def juel_get(base, key):
    """EL's `a.b` and `a[k]`: a map's entry or a list's item; null when missing or the base is null."""
    if base is None or key is None:
        return None
    if isinstance(base, dict):
        return base.get(key)
    if isinstance(base, (list, tuple)):
        index = _num(key)
        return base[index] if isinstance(index, int) and 0 <= index < len(base) else None
    raise TypeError(f"JUEL cannot read the property {key!r:.40} of a {type(base).__name__}")


def juel_str(x) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    return str(x)


def juel_concat(*parts) -> str:
    """A text with literal parts, as EL builds it: null parts are empty."""
    return "".join(juel_str(p) for p in parts)


def juel_calc(first, *rest):
    """A translated chain such as `a + b - c`: `juel_calc(a, "juel_add", b, "juel_sub", c)`."""
    value = first
    for index in range(0, len(rest) - 1, 2):
        value = _HELPERS[rest[index]](value, rest[index + 1])
    return value


_HELPERS = {name: fn for name, fn in dict(globals()).items() if name.startswith("juel_") and callable(fn)}
JUEL_FUNCTIONS = {name: fn for name, fn in dict(globals()).items() if name.startswith("juel_") and callable(fn)}

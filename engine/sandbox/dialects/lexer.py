"""The tokenizer FEEL and JUEL share, their operator-precedence loop, and the limits and refusal
message both parsers use.

Tokens are read on demand from a position, not all at once, because a JUEL composite such as
`Dear ${name}, ...` is mostly literal text that is not made of tokens: the JUEL parser reads one
`${...}` and hands the position back. Every limit a hostile text could push on is checked here or
in the parsers: the text's length (`MAX_LENGTH`), a number literal's length, and the nesting depth
(`MAX_DEPTH`) the recursive-descent parsers count, so no text ever reaches a RecursionError.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from dataclasses import dataclass

from engine.errors import ExpressionRefused

MAX_LENGTH = 10_000   # characters of FEEL or JUEL text; the longest in shared/corpus is 297
MAX_DEPTH = 50        # nesting of brackets, calls and operators; keeps the Python text parseable
MAX_NUMBER = 100      # characters of one number literal
RESERVED_PREFIXES = ("__", "_pg_", "feel_", "juel_")

FEEL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "u": "\\u"}
JUEL_ESCAPES = {"\\": "\\", '"': '"', "'": "'"}  # EL knows only these; any other backslash stays

_SPACE = re.compile(r"\s+")
_NAME = re.compile(r"[^\W\d]\w*")
_FEEL_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_JUEL_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Token:
    """One token: kind is NUM, STR, NAME, OP or END; value is its text (a string's decoded value)."""

    kind: str
    value: str
    start: int
    end: int


def quote_source(text: str) -> str:
    """The expression as a refusal names it: on one line, cut to a readable length."""
    flat = " ".join(text.split())
    return '"' + (flat if len(flat) <= 80 else flat[:77] + "...") + '"'


def refuse(dialect: str, text: str, why: str) -> ExpressionRefused:
    """The one-line refusal both dialects raise: `FEEL: <why> in "<expression>"`."""
    return ExpressionRefused("{dialect}: {why} in {value}", dialect=dialect, why=why, value=quote_source(text))


def check_length(dialect: str, text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise ExpressionRefused("{dialect}: the expression is {text_count} characters long, more than the {MAX_LENGTH} allowed, in {value}", dialect=dialect, text_count=len(text), MAX_LENGTH=MAX_LENGTH, value=quote_source(text))


def python_name(dialect: str, text: str, name: str) -> str:
    """`name` as a Python identifier the sandbox accepts, or a refusal saying why it cannot be one."""
    normal = unicodedata.normalize("NFKC", name)  # what Python itself would make of it
    if not normal.isidentifier():
        raise refuse(dialect, text, f"the name '{name}' cannot be used as a variable")
    if keyword.iskeyword(normal):
        raise refuse(dialect, text, f"the name '{name}' is a Python keyword and cannot be a variable")
    if normal.startswith(RESERVED_PREFIXES):
        raise refuse(dialect, text, f"the name '{name}' is reserved (no names starting with "
                                    + ", ".join(RESERVED_PREFIXES) + ")")
    return normal


class Lexer:
    """Reads tokens of one dialect from `text`, starting at `pos`, with any amount of lookahead."""

    def __init__(self, dialect: str, text: str, pos: int, operators: tuple[str, ...],
                 quotes: str, comments: bool = False, escapes: dict[str, str] | None = None):
        self.dialect, self.text, self.pos = dialect, text, pos
        self.operators = sorted(operators, key=len, reverse=True)
        self.quotes, self.comments = quotes, comments
        self.escapes = FEEL_ESCAPES if escapes is None else escapes
        self.buffer: list[Token] = []

    def error(self, why: str) -> ExpressionRefused:
        return refuse(self.dialect, self.text, why)

    def peek(self, ahead: int = 0) -> Token:
        while len(self.buffer) <= ahead:
            self.buffer.append(self._read())
        return self.buffer[ahead]

    def take(self) -> Token:
        token = self.peek()
        self.buffer.pop(0)
        return token

    def is_op(self, *values: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "OP" and token.value in values

    def is_word(self, *values: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "NAME" and token.value in values

    def name_after_dot(self, expected: str, what: str) -> Token:
        """Takes the `.` of a path and peeks at the name after it: a NAME not starting with `_` (the
        sandbox's own names), else a refusal naming `expected` and `what` (`path`, `property`)."""
        self.take()
        token = self.peek()
        if token.kind != "NAME":
            raise self.error(f"expected {expected} after '.', found {describe(token)}")
        if token.value.startswith("_"):
            raise self.error(f"the {what} '.{token.value}' is not allowed (no names starting with '_')")
        return token

    def expect(self, value: str) -> Token:
        token = self.take()
        if token.kind != "OP" or token.value != value:
            raise self.error(f"expected '{value}' at {describe(token)}")
        return token

    def _skip(self) -> None:
        text = self.text
        while True:
            space = _SPACE.match(text, self.pos)
            if space:
                self.pos = space.end()
            if self.comments and text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif self.comments and text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("a comment '/*' is never closed")
                self.pos = end + 2
            else:
                return

    def _read(self) -> Token:
        self._skip()
        text, start = self.text, self.pos
        if start >= len(text):
            return Token("END", "", start, start)
        char = text[start]
        if char.isdigit() or (char == "." and start + 1 < len(text) and text[start + 1].isdigit()
                              and not text.startswith("..", start)):
            return self._number(start)
        if char in self.quotes:
            return self._string(start, char)
        name = _NAME.match(text, start)
        if name:
            self.pos = name.end()
            return Token("NAME", name.group(), start, self.pos)
        for op in self.operators:
            if text.startswith(op, start):
                self.pos = start + len(op)
                return Token("OP", op, start, self.pos)
        raise self.error(f"the character {char!r} at column {start + 1} is not understood")

    def _number(self, start: int) -> Token:
        pattern = _JUEL_NUMBER if self.dialect == "JUEL" else _FEEL_NUMBER
        end = pattern.match(self.text, start).end()
        if end - start > MAX_NUMBER:
            raise self.error(f"a number of {end - start} characters is longer than the {MAX_NUMBER} allowed")
        self.pos = end
        return Token("NUM", self.text[start:end], start, end)

    def _string(self, start: int, quote: str) -> Token:
        text, pos, out = self.text, start + 1, []
        escapes = self.escapes
        while pos < len(text):
            char = text[pos]
            if char == quote:
                self.pos = pos + 1
                return Token("STR", "".join(out), start, self.pos)
            if char == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                if nxt == "u" and "u" in escapes and re.fullmatch(r"[0-9a-fA-F]{4}", text[pos + 2:pos + 6]):
                    out.append(chr(int(text[pos + 2:pos + 6], 16)))
                    pos += 6
                    continue
                out.append(escapes[nxt] if nxt in escapes and nxt != "u" else "\\" + nxt)
                pos += 2
                continue
            out.append(char)
            pos += 1
        raise self.error(f"the string starting at column {start + 1} is never closed")


def describe(token: Token) -> str:
    """A token as an error message names it."""
    if token.kind == "END":
        return "the end"
    return f"'{token.value}' (column {token.start + 1})"


class InfixParser:
    """Precedence climbing over one table of binding powers, shared by the FEEL and JUEL parsers.

    A parser sets `lex`, says in `binding_power` how tightly an operator binds (None for no operator)
    and in `expression(power)` how to read an operand at least that tight.
    """

    lex: Lexer

    def binding_power(self, operator: str) -> int | None:
        raise NotImplementedError

    def expression(self, min_power: int = 0):
        raise NotImplementedError

    def operator_power(self, min_power: int) -> int | None:
        """The binding power of the operator ahead, when it binds at least `min_power`."""
        token = self.lex.peek()
        # word operators must be NAME tokens and symbols OP tokens: a string "and" is no operator
        if token.kind not in ("OP", "NAME") or (token.kind == "NAME") != token.value.isalpha():
            return None
        power = self.binding_power(token.value)
        return power if power is not None and power >= min_power else None

    def operator_run(self, left, power: int) -> tuple[list[str], list]:
        """The operators of one binding power in a row and the operands around them: `a + b - c` is one
        run (left-associative, each right operand one level tighter), so the Python's nesting follows
        the expression's nesting, not the number of operators."""
        operators, operands = [], [left]
        while self.operator_power(power) == power:
            operators.append(self.lex.take().value)
            operands.append(self.expression(power + 1))
        return operators, operands

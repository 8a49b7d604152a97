"""FEEL (Camunda 8's `=...` expressions) translated to the sandbox's Python, by a hand-written Pratt
parser with a depth limit.

No maintained, eval-free FEEL package exists for Python, and the engine needs Python text rather
than a second evaluator: the sandbox checks and runs that text like any other condition, so FEEL
gets the same time and memory budget for free. Operators become calls of the null-safe helpers in
`feel_functions` (FEEL's `x > 3` is null when `x` is null, never a TypeError); `and`/`or` stay lazy
(Python's own `and`/`or` over a three-valued step; `is defined(y) and y > 3` must not read a
missing `y`). Variables stay
bare Python names, so a missing top-level variable is a NameError as in a Python condition (a name
with spaces, which Python lacks, is read by `feel_var`); below it, `a.b.c` is null-safe. What the subset leaves out is refused by name, never guessed at.
"""

from __future__ import annotations

from typing import NamedTuple

from engine.sandbox.dialects import values
from engine.sandbox.dialects.feel_builtins import BUILTINS
from engine.sandbox.dialects.lexer import (MAX_DEPTH, InfixParser, Lexer, check_length, describe, python_name,
                                           refuse)

OPERATORS = ("..", "**", "<=", ">=", "!=", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]",
             "{", "}", ",", ".", ":", "@")
COMPARISONS = {"=": "feel_eq", "!=": "feel_ne", "<": "feel_lt", "<=": "feel_le", ">": "feel_gt", ">=": "feel_ge"}
ARITHMETIC = {"+": "feel_add", "-": "feel_sub", "*": "feel_mul", "/": "feel_div", "**": "feel_pow"}
# binding power of each infix operator; a right operand is parsed one level tighter (left-associative)
PRECEDENCE = {"or": 1, "and": 2, "between": 3, "in": 3, "instance": 3, **dict.fromkeys(COMPARISONS, 3),
              "+": 4, "-": 4, "*": 5, "/": 5, "**": 6}
UNARY = 6
KEYWORDS = {"and", "or", "between", "in", "instance", "of", "if", "then", "else", "for", "some", "every",
            "satisfies", "return", "function", "true", "false", "null"}
TEMPORAL_LITERALS = {"date": values.parse_date, "time": values.parse_time,
                     "date and time": values.parse_date_and_time, "duration": values.parse_duration}


class Node(NamedTuple):
    """Translated Python text, and the ISO or string text it stands for when it is a constant."""

    py: str
    const: str | None = None


class FeelParser(InfixParser):
    """Parses one FEEL expression (the text after `=`) into a `Node`."""

    def __init__(self, text: str):
        check_length("FEEL", text)
        self.text = text
        self.lex = Lexer("FEEL", text, text.index("=") + 1, OPERATORS, quotes='"', comments=True)
        self.depth = 0
        self.temps = 0  # each and/or chain gets its own walrus temporary: feel_t1, feel_t2...

    def error(self, why: str):
        return refuse("FEEL", self.text, why)

    def unsupported(self, part: str):
        return self.error(f"'{part}' is not supported")

    def parse(self) -> Node:
        if self.lex.peek().kind == "END":
            raise self.error("the expression is empty")
        node = self.expression()
        self._expect_end()
        return node

    def _expect_end(self):
        token = self.lex.peek()
        if token.kind != "END":
            raise self.error(f"unexpected {describe(token)}")

    # -- operators ---------------------------------------------------------------------------------

    def expression(self, min_power: int = 0) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the expression nests deeper than {MAX_DEPTH} levels")
        try:
            return self._infix(self.unary(), min_power)
        finally:
            self.depth -= 1

    def binding_power(self, operator: str) -> int | None:
        return PRECEDENCE.get(operator)

    def _infix(self, left: Node, min_power: int) -> Node:
        while (power := self.operator_power(min_power)) is not None:
            if power == PRECEDENCE["="]:
                left = self._compare(self.lex.take().value, left, power)
                if self.operator_power(min_power) == power:
                    raise self.error(f"comparisons cannot be chained ({describe(self.lex.peek())})")
                continue
            left = self._chain(*self.operator_run(left, power))
        return left

    def _chain(self, ops: list[str], operands: list[Node]) -> Node:
        if ops[0] in ("and", "or"):
            self.temps += 1
            seen, step, end = f"feel_t{self.temps}", f"feel_{ops[0]}_step", "feel_all" if ops[0] == "and" else "feel_any"
            steps = f" {ops[0]} ".join(f"{step}({seen}, {node.py})" for node in operands)
            return Node(f"{end}(({seen} := []), {steps})")
        if len(ops) == 1:
            return Node(f"{ARITHMETIC[ops[0]]}({operands[0].py}, {operands[1].py})")
        pairs = ", ".join(f"{op!r}, {node.py}" for op, node in zip(ops, operands[1:]))
        return Node(f"feel_calc({operands[0].py}, {pairs})")

    def _compare(self, op: str, left: Node, power: int) -> Node:
        if op == "between":
            low = self.expression(power + 1)
            if not self.lex.is_word("and"):
                raise self.error(f"'between' needs 'and', found {describe(self.lex.peek())}")
            self.lex.take()
            high = self.expression(power + 1)
            return Node(f"feel_between({left.py}, {low.py}, {high.py})")
        if op == "in":
            return Node(f"feel_in({left.py}, ({self.in_tests()},))")
        if op == "instance":
            raise self.unsupported("instance of")
        return Node(f"{COMPARISONS[op]}({left.py}, {self.expression(power + 1).py})")

    def unary(self) -> Node:
        if self.lex.is_op("-"):
            self.lex.take()
            return Node(f"feel_neg({self.expression(UNARY).py})")
        return self.postfix(self.primary())

    def in_tests(self) -> str:
        """The right side of `in`: a range, a list, `(1, 2, < 5)`, one unary test, or one value."""
        if self.lex.is_op("("):
            open_token = self.lex.take()
            first = self.test()
            if self.lex.is_op(".."):
                return self.range_rest(first, False, open_token).py
            tests = [first.py]
            while self.lex.is_op(","):
                self.lex.take()
                tests.append(self.test().py)
            self.lex.expect(")")
            return ", ".join(tests)
        return self.test(PRECEDENCE["+"]).py

    def test(self, power: int = 0) -> Node:
        if self.lex.is_op(*COMPARISONS):
            op = self.lex.take().value
            return Node(f"feel_unary({op!r}, {self.expression(PRECEDENCE['+']).py})")
        return self.expression(power)

    # -- operands ----------------------------------------------------------------------------------

    def postfix(self, node: Node) -> Node:
        names: list[str] = []
        while True:
            if self.lex.is_op("."):
                self.lex.name_after_dot("a name", "path")
                names.append(" ".join(self._words()))
            elif self.lex.is_op("["):
                node, names = self._path(node, names), []
                node = self.index(node)
            elif self.lex.is_op("("):
                raise self.error(f"only the listed built-in functions can be called, not a value or path "
                                 f"({describe(self.lex.peek())})")
            else:
                return self._path(node, names)

    def _path(self, node: Node, names: list[str]) -> Node:
        if not names:
            return node
        return Node(f"feel_path({node.py}, {', '.join(repr(n) for n in names)})")

    def index(self, node: Node) -> Node:
        start = self.lex.take()
        sign = "-" if self.lex.is_op("-") else ""
        if sign:
            self.lex.take()
        token = self.lex.peek()
        if token.kind != "NUM" or "." in token.value or not self.lex.is_op("]", ahead=1):
            end = self.text.find("]", start.start)
            raise self.unsupported(f"filter {self.text[start.start:end + 1] if end > 0 else '[...]'}")
        self.lex.take()
        self.lex.take()
        return Node(f"feel_index({node.py}, {sign}{int(token.value)})")

    def primary(self) -> Node:
        token = self.lex.peek()
        if token.kind == "NUM":
            self.lex.take()
            return Node(str(int(token.value)) if token.value.isdigit() else repr(float(token.value)))
        if token.kind == "STR":
            self.lex.take()
            return Node(repr(token.value), token.value)
        if token.kind == "OP":
            return self.bracket(token)
        if token.kind == "NAME":
            return self.word(token)
        raise self.error("the expression ends too early" if token.kind == "END" else f"unexpected {describe(token)}")

    def bracket(self, token) -> Node:
        value = token.value
        if value == "@":
            self.lex.take()
            literal = self.lex.take()
            if literal.kind != "STR" or values.parse_temporal(literal.value) is None:
                raise self.error(f"'@' must be followed by a date, time or duration in quotes, not {describe(literal)}")
            return Node(f"feel_temporal({literal.value!r})", literal.value)
        if value in ("(", "[", "]"):
            self.lex.take()
            if value == "[" and self.lex.is_op("]"):
                self.lex.take()
                return Node("[]")
            first = self.expression()
            if self.lex.is_op(".."):
                return self.range_rest(first, value == "[", token)
            if value == "(":
                self.lex.expect(")")
                return Node(f"({first.py})", first.const)
            if value == "]":
                raise self.error(f"expected '..' after {describe(token)}")
            items = [first.py]
            while self.lex.is_op(","):
                self.lex.take()
                items.append(self.expression().py)
            self.lex.expect("]")
            return Node(f"[{', '.join(items)}]")
        if value == "{":
            return self.context()
        raise self.error(f"unexpected {describe(token)}")

    def range_rest(self, low: Node, low_closed: bool, start) -> Node:
        self.lex.expect("..")
        high = self.expression()
        end = self.lex.take()
        if end.kind != "OP" or end.value not in ("]", ")", "["):
            raise self.error(f"expected ']' or ')' to close the range opened at {describe(start)}")
        return Node(f"feel_range({low.py}, {high.py}, {low_closed}, {end.value == ']'})")

    def context(self) -> Node:
        self.lex.take()
        entries = []
        while not self.lex.is_op("}"):
            if entries:
                self.lex.expect(",")
            key = self.lex.take()
            if key.kind not in ("NAME", "STR"):
                raise self.error(f"expected a key in the context, found {describe(key)}")
            self.lex.expect(":")
            entries.append(f"{key.value!r}: {self.expression().py}")
        self.lex.take()
        return Node("{" + ", ".join(entries) + "}")

    def word(self, token) -> Node:
        value = token.value
        if value in ("true", "false", "null"):
            self.lex.take()
            return Node({"true": "True", "false": "False", "null": "None"}[value])
        if value == "if":
            return self.conditional()
        if value in ("for", "some", "every"):
            raise self.unsupported(self._construct(token, "return" if value == "for" else "satisfies"))
        if value == "function":
            raise self.unsupported("function")
        if value == "not" and not self.lex.is_op("(", ahead=1):
            raise self.error("'not' is a function in FEEL: write not(x)")
        for words in (3, 2):
            tokens = [self.lex.peek(i) for i in range(words)]
            if " ".join(t.value for t in tokens) in BUILTINS and self.lex.is_op("(", ahead=words):
                for _ in range(words):
                    self.lex.take()
                return self.call(" ".join(t.value for t in tokens))
        if value in KEYWORDS:
            raise self.error(f"unexpected {describe(token)}")
        words = self._words()
        if self.lex.is_op("("):
            return self.call(" ".join(words))
        return self.variable(words)

    def _words(self) -> list[str]:
        """A name as FEEL allows it, of one or more words (`Current Vacation Status`)."""
        words = [self.lex.take().value]
        while self.lex.peek().kind == "NAME" and self.lex.peek().value not in KEYWORDS:
            words.append(self.lex.take().value)
        return words

    def variable(self, words: list[str]) -> Node:
        """A one-word name is a Python name; a name with spaces is read from the expression's names
        by `feel_var`, since Python has no such identifier."""
        if len(words) == 1:
            return Node(python_name("FEEL", self.text, words[0]))
        return Node(f"feel_var({' '.join(words)!r})")

    def _construct(self, token, closing: str) -> str:
        end = self.text.find(f" {closing} ", token.start)
        return self.text[token.start:end + len(closing) + 1] if end > 0 else token.value

    def conditional(self) -> Node:
        self.lex.take()
        condition = self.expression()
        self._keyword("then")
        then = self.expression()
        self._keyword("else")
        otherwise = self.expression()
        return Node(f"({then.py} if {condition.py} is True else {otherwise.py})")

    def _keyword(self, word: str) -> None:
        if not self.lex.is_word(word):
            raise self.error(f"'if' needs '{word}', found {describe(self.lex.peek())}")
        self.lex.take()

    def call(self, name: str) -> Node:
        if name not in BUILTINS:
            raise self.error(f"the function '{name}()' is not supported")
        helper, fewest, most = BUILTINS[name]
        self.lex.expect("(")
        if name == "is defined":
            return self.defined()
        args: list[Node] = []
        while not self.lex.is_op(")"):
            if args:
                self.lex.expect(",")
            if self.lex.peek().kind == "NAME" and self.lex.is_op(":", ahead=1):
                raise self.unsupported(f"named arguments in {name}()")
            args.append(self.expression())
        self.lex.take()
        if len(args) < fewest or most is not None and len(args) > most:
            count = f"{fewest}" if fewest == most else f"{fewest} to {most}" if most else f"at least {fewest}"
            raise self.error(f"'{name}()' takes {count} argument{'s' * (most != 1)}, not {len(args)}")
        return Node(f"{helper}({', '.join(a.py for a in args)})", self._folded(name, args))

    def _folded(self, name: str, args: list[Node]) -> str | None:
        """The constant text of `duration("P3D")`, `cycle(duration("PT1H"))` etc. (timers need it)."""
        if name in TEMPORAL_LITERALS and len(args) == 1 and args[0].py.startswith(("'", '"')):
            if TEMPORAL_LITERALS[name](args[0].const) is None:
                raise self.error(f"'{name}(\"{args[0].const}\")' is not a valid {name}")
            return args[0].const
        if name == "cycle" and args[-1].const and args[-1].const.startswith("P"):
            if len(args) == 1:
                return f"R/{args[0].const}"
            if args[0].py.isdigit():
                return f"R{args[0].py}/{args[1].const}"
        return None

    def defined(self) -> Node:
        token = self.lex.peek()
        if token.kind != "NAME" or token.value in KEYWORDS:
            raise self.error(f"'is defined()' takes a variable or a path, not {describe(token)}")
        words = self._words()
        path = [python_name("FEEL", self.text, words[0]) if len(words) == 1 else " ".join(words)]
        while self.lex.is_op("."):
            self.lex.take()
            if self.lex.peek().kind != "NAME":
                raise self.error(f"expected a name after '.', found {describe(self.lex.peek())}")
            path.append(" ".join(self._words()))
        self.lex.expect(")")
        return Node(f"feel_defined({', '.join(repr(p) for p in path)})")


def translate_feel(text: str) -> Node:
    """The Python for one FEEL expression, `text` starting with `=`."""
    return FeelParser(text).parse()

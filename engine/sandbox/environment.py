"""The expression sandbox: conditions, scripts, DMN cells and timer text run with allow-listed syntax only.

SpiffWorkflow hands every condition, script, timer body, DMN cell, multi-instance expression and
service-task parameter to its script environment, whose stock version calls plain `eval`/`exec`
with full builtins. `SandboxEnvironment` replaces it:

1. **Syntax.** The text is parsed with `ast` and every node must be in an allow-list: no `import`,
   no `def`/`lambda`/`class`, no `with`, no `global`, no `finally`, no bare `except`. Names may not
   start with `__`; attributes may not start with `_`, and `format`/`format_map` and frame or code
   attributes are refused. Constant `**`, `*` and `<<` with huge results are refused.
2. **Runtime.** Attribute reads go through a guard that allows only listed attributes of plain
   data types (str, numbers, list, dict, set, tuple, date/time); the builtins are a small safe set.
3. **Bounds on single C steps** (sizes.py, guards.py). The time budget below only sees Python
   steps, and one C call (`pow(x, x, m)`, `max(zip(*rows))`, `int(Decimal('1e999999'))`, comparing
   or hashing a structure that shares one big list a million times) can run for minutes. So the
   text is rewritten before it is compiled: `**`, `*`, `<<` and `%` check the size of their result
   first; comparisons, dict keys, set items, subscripts and f-string values are weighed first when
   they are not small scalars; every builtin that works through its argument in C is a Python
   function that weighs it first (`sorted`, `max`, `min`, `sum`, `set`, `dict`, `str`, `int`,
   `round`, `Decimal`, `pow` with a modulus, list/set/dict methods that compare or hash), and the
   lazy iterators (`map`, `filter`, `zip`, `enumerate`, `reversed`) are generators, so a C loop
   over them takes one budgeted step per item. Ints are capped where they are made, not through
   `sys.set_int_max_str_digits` (process-wide state): no call leaves anything changed behind it.
4. **Time and memory.** A trace function stops the code after `TIME_LIMIT` seconds (checked on
   every line and every call, so `while True: pass` stops); the stop is a `BaseException` the
   sandboxed code cannot catch. On Linux the address-space limit is lowered by `MEMORY_LIMIT`
   above the current size while the code runs (budget.py). An expression that only compares
   data cannot loop or allocate and runs without the budget and without the rewriting of step 3:
   the data it compares is task data, which engine/runtime/datacheck.py keeps to plain JSON of a
   bounded size, so each comparison is bounded by that size.

Trusted Python belongs in the programme's service handlers, not in BPMN.
"""

from __future__ import annotations

import ast
import re
import textwrap
from functools import lru_cache

from engine.spiff import BasePythonScriptEngineEnvironment

from engine.sandbox.budget import FILENAME, MEMORY_LIMIT, TIME_LIMIT, Budget, Stop, bounded
from engine.sandbox.guards import HELPERS, SAFE_BUILTINS, SAFE_EXCEPTIONS
from engine.sandbox.sizes import (
    MAX_INT_BITS, MAX_ITEMS, MAX_WORK, TooBig, TooMuchWork, cheap, digits_ok, too_big, work,
)
from engine.errors import ExpressionRefused, ExpressionStopped

__all__ = ["SandboxEnvironment", "check", "evaluate", "execute", "TIME_LIMIT", "MEMORY_LIMIT", "MAX_INT_BITS",
           "MAX_ITEMS", "MAX_WORK"]

# -- 1. syntax -------------------------------------------------------------------------------------

_EXPRESSION_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div,
    ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd,
    ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Invert, ast.IfExp, ast.Dict, ast.Set, ast.ListComp,
    ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.Compare, ast.Eq, ast.NotEq,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.Call, ast.keyword,
    ast.FormattedValue, ast.JoinedStr, ast.Constant, ast.Attribute, ast.Subscript, ast.Starred,
    ast.Name, ast.List, ast.Tuple, ast.Slice, ast.Load, ast.Store, ast.Del, ast.NamedExpr,
)
_SCRIPT_NODES = _EXPRESSION_NODES + (
    ast.Module, ast.Assign, ast.AugAssign, ast.For, ast.While, ast.If, ast.Break,
    ast.Continue, ast.Pass, ast.Expr, ast.Delete, ast.Try, ast.ExceptHandler, ast.Assert, ast.Raise,
)
_WHY_REFUSED = {
    ast.Import: "imports are not allowed", ast.ImportFrom: "imports are not allowed",
    ast.FunctionDef: "defining functions is not allowed", ast.AsyncFunctionDef: "defining functions is not allowed",
    ast.Lambda: "lambda is not allowed", ast.ClassDef: "defining classes is not allowed",
    ast.Global: "global is not allowed", ast.Nonlocal: "nonlocal is not allowed",
    ast.With: "with is not allowed", ast.AsyncWith: "with is not allowed",
    ast.Yield: "yield is not allowed", ast.YieldFrom: "yield is not allowed", ast.Await: "await is not allowed",
}
DENIED_ATTRIBUTES = frozenset({"format", "format_map", "mro"})
_FRAME_PREFIXES = ("gi_", "cr_", "ag_", "f_", "tb_", "co_", "func_")

def _refuse(node: ast.AST | None, why: str, source: str) -> ExpressionRefused:
    where = f" (line {node.lineno})" if node is not None and getattr(node, "lineno", None) and "\n" in source.strip() else ""
    return ExpressionRefused("refused {expression}: {why}{where}", expression=_short(source), why=why, where=where)


def _short(source: str) -> str:
    text = " ".join(source.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


class _Checker(ast.NodeVisitor):
    def __init__(self, source: str, allowed: tuple):
        self.source, self.allowed = source, allowed

    def generic_visit(self, node):
        if not isinstance(node, self.allowed):
            why = _WHY_REFUSED.get(type(node), f"'{type(node).__name__}' is not allowed here")
            raise _refuse(node, why, self.source)
        super().generic_visit(node)

    def visit_Name(self, node):
        if node.id.startswith("__") or node.id.startswith("_pg_"):
            raise _refuse(node, f"the name '{node.id}' is not allowed (no dunder names)", self.source)

    def visit_Attribute(self, node):
        name = node.attr
        if name.startswith("_") or name in DENIED_ATTRIBUTES or name.startswith(_FRAME_PREFIXES):
            raise _refuse(node, f"the attribute '.{name}' is not allowed", self.source)
        if not isinstance(node.ctx, ast.Load):
            raise _refuse(node, "assigning attributes is not allowed", self.source)
        self.generic_visit(node)

    def visit_FormattedValue(self, node):
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            for part in parts:
                if not isinstance(part, ast.Constant):
                    raise _refuse(node, "computed format specs are not allowed", self.source)
                if re.search(r"\d{7,}", str(part.value)):
                    raise _refuse(node, "the format width is too large", self.source)
        self.generic_visit(node)

    def visit_BinOp(self, node):
        if isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant):
            why = too_big(node.op, node.left.value, node.right.value)
            if why:
                raise _refuse(node, why, self.source)
        if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Pow):
            if all(isinstance(n, ast.Constant) for n in (node.left, node.right.left, node.right.right)):
                raise _refuse(node, "nested constant ** is not allowed", self.source)
        self.generic_visit(node)

    def visit_Try(self, node):
        if node.finalbody:
            raise _refuse(node, "finally is not allowed", self.source)
        for handler in node.handlers:
            names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            for name in names:
                if not (isinstance(name, ast.Name) and name.id in SAFE_EXCEPTIONS):
                    raise _refuse(handler, "except must name one of " + ", ".join(sorted(SAFE_EXCEPTIONS)), self.source)
        self.generic_visit(node)


def _small_constant(node) -> bool:
    """Whether `node` is a literal cheap to compare with anything: a short text or int, a float, a bool,
    None, or a display of such literals (comparing with it costs at most its own size)."""
    if isinstance(node, ast.Constant):
        return cheap(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _small_constant(node.operand)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_small_constant(item) for item in node.elts)
    return False


def _call(helper: str, *args) -> ast.Call:
    return ast.Call(func=ast.Name(id=helper, ctx=ast.Load()), args=list(args), keywords=[])


def _via(helper: str, node):
    """`helper(node)`, unless node is a constant (its size is the text's own)."""
    return node if isinstance(node, ast.Constant) else ast.copy_location(_call(helper, node), node)


class _Guard(ast.NodeTransformer):
    """Route attribute reads, size-growing operators, comparisons, keys, formatted values and every
    loop turn through the runtime guards (guards.py)."""

    GUARDED_OPS = (ast.Pow, ast.Mult, ast.LShift, ast.Mod)

    def visit_Compare(self, node):
        self.generic_visit(node)
        operands = [node.left, *node.comparators]
        if all(isinstance(op, (ast.Is, ast.IsNot)) or _small_constant(a) or _small_constant(b)
               for op, a, b in zip(node.ops, operands, operands[1:])):
            return node  # `x > 5`, `kind in ("A", "B")`: bounded by the constant side
        if len(node.ops) == 1:
            if isinstance(node.ops[0], (ast.Is, ast.IsNot)):
                return node
            call = _call("_pg_compare", ast.Constant(value=type(node.ops[0]).__name__), node.left, node.comparators[0])
            return ast.copy_location(call, node)
        node.left = _via("_pg_cmpval", node.left)
        node.comparators = [_via("_pg_cmpval", item) for item in node.comparators]
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if not isinstance(node.slice, ast.Slice):
            node.slice = _via("_pg_key", node.slice)
        return node

    def visit_Dict(self, node):
        self.generic_visit(node)
        node.keys = [key if key is None else _via("_pg_key", key) for key in node.keys]
        return node

    def visit_Set(self, node):
        self.generic_visit(node)
        node.elts = [item if isinstance(item, ast.Starred) else _via("_pg_key", item) for item in node.elts]
        return node

    def visit_SetComp(self, node):
        self.generic_visit(node)
        node.elt = _via("_pg_key", node.elt)
        return node

    def visit_DictComp(self, node):
        self.generic_visit(node)
        node.key = _via("_pg_key", node.key)
        return node

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        node.value = _via("_pg_fmt", node.value)
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        call = ast.Call(func=ast.Name(id="_pg_getattr", ctx=ast.Load()),
                        args=[node.value, ast.Constant(value=node.attr)], keywords=[])
        return ast.copy_location(call, node)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, self.GUARDED_OPS):
            return node
        call = ast.Call(func=ast.Name(id="_pg_binop", ctx=ast.Load()),
                        args=[ast.Constant(value=type(node.op).__name__), node.left, node.right], keywords=[])
        return ast.copy_location(call, node)

    def visit_While(self, node):
        self.generic_visit(node)
        node.body.insert(0, _tick(node))
        return node

    def visit_For(self, node):
        self.generic_visit(node)
        node.body.insert(0, _tick(node))
        return node

    def visit_comprehension(self, node):
        self.generic_visit(node)
        node.iter = ast.Call(func=ast.Name(id="_pg_iter", ctx=ast.Load()), args=[node.iter], keywords=[])
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, self.GUARDED_OPS):
            return node
        load = _as_load(node.target)
        value = ast.Call(func=ast.Name(id="_pg_binop", ctx=ast.Load()),
                         args=[ast.Constant(value=type(node.op).__name__), load, node.value], keywords=[])
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)


def _tick(node):
    call = ast.Call(func=ast.Name(id="_pg_tick", ctx=ast.Load()), args=[], keywords=[])
    return ast.copy_location(ast.Expr(value=call), node)


def _as_load(target):
    clone = ast.parse(ast.unparse(target), mode="eval").body
    return _Guard().visit(clone)


@lru_cache(maxsize=2048)
def _compile(source: str, mode: str):
    text = source.strip() if mode == "eval" else textwrap.dedent(source.strip("\r\n"))
    try:
        tree = ast.parse(text, filename=FILENAME, mode=mode)
    except SyntaxError as err:
        raise ExpressionRefused("{expression} is not valid Python: {msg} (line {lineno})", expression=_short(source), msg=err.msg, lineno=err.lineno) from None
    except (ValueError, MemoryError, RecursionError) as err:
        raise ExpressionRefused("{expression} cannot be read: {err}", expression=_short(source), err=err) from None
    try:
        _Checker(source, _EXPRESSION_NODES if mode == "eval" else _SCRIPT_NODES).visit(tree)
        tree = ast.fix_missing_locations(_Guard().visit(tree))
        return compile(tree, FILENAME, mode)
    except RecursionError:
        raise ExpressionRefused("{expression} is nested too deeply", expression=_short(source)) from None


@lru_cache(maxsize=2048)
def _compile_plain(source: str):
    """The code of an expression `bounded` accepts, without the guards: comparisons of plain data."""
    return compile(ast.parse(source.strip(), filename=FILENAME, mode="eval"), FILENAME, "eval")


def check(source: str, mode: str = "eval") -> None:
    """Raise ExpressionRefused when `source` would be refused; `mode` is "eval" or "exec"."""
    if not isinstance(source, str):
        raise ExpressionRefused("expected text, got {name}", name=type(source).__name__)
    _compile(source, mode)


def _run(source: str, mode: str, namespace: dict):
    code = _compile(source, mode)
    try:
        if mode == "eval" and bounded(source, namespace):
            return eval(_compile_plain(source), namespace)  # noqa: S307 - checked above; comparisons of plain data only
        with Budget(TIME_LIMIT):
            if mode == "eval":
                return eval(code, namespace)  # noqa: S307 - checked and guarded above
            exec(code, namespace)  # noqa: S102 - checked and guarded above
            return None
    except Stop:
        raise ExpressionStopped("stopped {expression}: it ran longer than {TIME_LIMIT:g} s", expression=_short(source), TIME_LIMIT=TIME_LIMIT) from None
    except TooBig as err:
        raise ExpressionStopped("stopped {expression}: {err}", expression=_short(source), err=err) from None
    except MemoryError as err:
        raise ExpressionStopped("stopped {expression}: {reason}", expression=_short(source), reason=str(err) or 'it needed more memory than allowed') from None
    except RecursionError:
        raise ExpressionStopped("stopped {expression}: it recursed too deeply", expression=_short(source)) from None
    except Exception as err:
        if not _small(err.args):  # whoever reports it would repr() them outside the budget
            raise ExpressionStopped("stopped {expression}: it raised {name} with a message too large to show", expression=_short(source), name=type(err).__name__) from None
        raise


def _small(args) -> bool:
    try:
        work(args)
    except TooMuchWork:
        return False
    return all(digits_ok(arg) for arg in args)


RESERVED = frozenset({"__builtins__", *HELPERS})


def _namespace(context: dict, external_context: dict | None, dialect_helpers: dict | None = None) -> dict:
    namespace = dict(external_context or {})
    namespace.update(context)
    if dialect_helpers:  # after the task data: a variable named like a helper cannot shadow it
        namespace.update(dialect_helpers)
    namespace.update(HELPERS, __builtins__=SAFE_BUILTINS)
    return namespace


def evaluate(expression: str, context: dict | None = None, external_context: dict | None = None,
             dialect_helpers: dict | None = None):
    """Evaluate one expression over `context` (task data) in the sandbox and return its value.

    `dialect_helpers` are the `feel_*`/`juel_*` functions that FEEL and JUEL texts translated at load
    call (engine.sandbox.translate); they are pure and bound their own work."""
    return _run(expression, "eval", _namespace(context or {}, external_context, dialect_helpers))


def execute(script: str, context: dict, external_context: dict | None = None) -> None:
    """Run a script over `context` in the sandbox; its assignments and deletions update `context`."""
    external = external_context or {}
    namespace = _namespace(context, external)
    _run(script, "exec", namespace)
    result = {k: v for k, v in namespace.items()
              if k not in RESERVED and not callable(v) and not (k in external and k not in context)}
    context.clear()
    context.update(result)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that evaluates and executes through the sandbox; FEEL/JUEL
    helpers read `clock` for `now()` and `today()` (each engine its own)."""

    def __init__(self, clock=None):
        super().__init__()
        self._clock = clock
        self._dialect_helpers = None

    def _helpers(self) -> dict:
        if self._dialect_helpers is None:
            from engine.clock import SystemClock
            from engine.sandbox.dialects.feel_builtins import feel_functions

            self._dialect_helpers = feel_functions(self._clock or SystemClock())
        return self._dialect_helpers

    def evaluate(self, expression, context, external_context=None):
        helpers = self._helpers() if ("feel_" in expression or "juel_" in expression) else None
        return evaluate(expression, context, external_context, helpers)

    def execute(self, script, context, external_context=None):
        execute(script, context, external_context)
        return True

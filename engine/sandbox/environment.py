"""The expression sandbox: conditions, scripts, DMN cells and timer text run with allow-listed syntax only.

SpiffWorkflow hands every condition, script, timer body, DMN cell, multi-instance expression and
service-task parameter to its script environment, whose stock version calls plain `eval`/`exec`
with full builtins. `SandboxEnvironment` replaces it:

1. **Syntax.** The text is parsed with `ast` and every node must be in an allow-list: no `import`,
   no `def`/`lambda`/`class`, no `with`, no `global`, no `finally`, no bare `except`. Names may not
   start with `__`; attributes may not start with `_`, and `format`/`format_map` and frame or code
   attributes are refused. Constant `**`, `*` and `<<` with huge results are refused.
2. **Runtime.** Attribute reads go through a guard that allows only listed attributes of plain
   data types (str, numbers, list, dict, set, tuple, date/time); `**`, `*`, `<<` and `%` check the
   size of their result first; the builtins are a small safe set (`range` is capped).
3. **Time and memory.** A trace function stops the code after `TIME_LIMIT` seconds (checked on
   every line and every call, so `while True: pass` stops); the stop is a `BaseException` the
   sandboxed code cannot catch. On Linux the address-space limit is lowered by `MEMORY_LIMIT`
   above the current size while the code runs (engine/budget.py). An expression that only compares
   data cannot loop or allocate and runs without the budget.

Trusted Python belongs in the programme's service handlers, not in BPMN.
"""

from __future__ import annotations

import ast
import datetime as _dt
import re
import textwrap
from decimal import Decimal
from functools import lru_cache

from engine.spiff import BasePythonScriptEngineEnvironment

from engine.sandbox.budget import FILENAME, MEMORY_LIMIT, TIME_LIMIT, Budget, Stop, bounded, guarded_iter, tick
from engine.errors import ExpressionRefused, ExpressionStopped

__all__ = ["SandboxEnvironment", "check", "evaluate", "execute", "TIME_LIMIT", "MEMORY_LIMIT"]

MAX_ITEMS = 1_000_000     # longest str/list a `*` or `range` may build
MAX_INT_BITS = 100_000    # largest int a `**` or `<<` may build

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

SAFE_EXCEPTIONS = {cls.__name__: cls for cls in (
    Exception, ValueError, KeyError, IndexError, TypeError, ZeroDivisionError, ArithmeticError,
    LookupError, AssertionError)}


def _refuse(node: ast.AST | None, why: str, source: str) -> ExpressionRefused:
    where = f" (line {node.lineno})" if node is not None and getattr(node, "lineno", None) and "\n" in source.strip() else ""
    return ExpressionRefused(f"refused {_short(source)}: {why}{where}")


def _short(source: str) -> str:
    text = " ".join(source.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _int_bits(value) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _too_big(op: ast.operator, left, right) -> str | None:
    """Why `left op right` would build a result too large to allow, or None."""
    if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and right * max(1, _int_bits(left)) > MAX_INT_BITS:
            return f"the result of ** would have more than {MAX_INT_BITS} bits"
    if isinstance(op, ast.LShift) and isinstance(left, int) and isinstance(right, int):
        if left and right + _int_bits(left) > MAX_INT_BITS:
            return f"the result of << would have more than {MAX_INT_BITS} bits"
    if isinstance(op, ast.Mult):
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int) and len(seq) * count > MAX_ITEMS:
                return f"the result of * would have more than {MAX_ITEMS} items"
        if isinstance(left, int) and isinstance(right, int) and _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
            return f"the result of * would have more than {MAX_INT_BITS} bits"
    if isinstance(op, ast.Mod) and isinstance(left, (str, bytes)):
        text = left.decode("latin-1") if isinstance(left, bytes) else left
        if re.search(r"%[-+ #0]*(\*|\d{7,})|%[^%]*\.(\*|\d{7,})", text):
            return "the format width is too large"
    return None


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
            why = _too_big(node.op, node.left.value, node.right.value)
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


class _Guard(ast.NodeTransformer):
    """Route attribute reads, size-growing operators and every loop turn through the runtime guards."""

    GUARDED_OPS = (ast.Pow, ast.Mult, ast.LShift, ast.Mod)

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
        raise ExpressionRefused(f"{_short(source)} is not valid Python: {err.msg} (line {err.lineno})") from None
    except (ValueError, MemoryError, RecursionError) as err:
        raise ExpressionRefused(f"{_short(source)} cannot be read: {err}") from None
    try:
        _Checker(source, _EXPRESSION_NODES if mode == "eval" else _SCRIPT_NODES).visit(tree)
        tree = ast.fix_missing_locations(_Guard().visit(tree))
        return compile(tree, FILENAME, mode)
    except RecursionError:
        raise ExpressionRefused(f"{_short(source)} is nested too deeply") from None


def check(source: str, mode: str = "eval") -> None:
    """Raise ExpressionRefused when `source` would be refused; `mode` is "eval" or "exec"."""
    if not isinstance(source, str):
        raise ExpressionRefused(f"expected text, got {type(source).__name__}")
    _compile(source, mode)


# -- 2. runtime guards -----------------------------------------------------------------------------

_STR = {"capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isdecimal",
        "isdigit", "islower", "isnumeric", "isspace", "isupper", "join", "lower", "lstrip", "partition",
        "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rpartition", "rsplit", "rstrip",
        "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper"}
_LIST = {"append", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"}
_DICT = {"copy", "get", "items", "keys", "pop", "setdefault", "update", "values"}
_SET = {"add", "copy", "difference", "discard", "intersection", "isdisjoint", "issubset", "issuperset",
        "remove", "symmetric_difference", "union", "update"}
_DATE = {"year", "month", "day", "weekday", "isoweekday", "isoformat", "isocalendar", "replace", "toordinal"}
_TIME = {"hour", "minute", "second", "microsecond", "tzinfo", "utcoffset", "date", "time", "timestamp", "astimezone"}
ALLOWED_ATTRIBUTES = {
    str: _STR, list: _LIST, dict: _DICT, set: _SET, frozenset: _SET - {"add", "discard", "remove", "update"},
    tuple: {"count", "index"}, int: {"bit_length", "real", "imag"}, float: {"is_integer", "real", "imag"},
    bool: set(), Decimal: {"is_nan", "quantize"},
    _dt.datetime: _DATE | _TIME, _dt.date: _DATE, _dt.time: _TIME - {"date", "time", "timestamp", "astimezone"},
    _dt.timedelta: {"days", "seconds", "microseconds", "total_seconds"},
}
CLASS_ATTRIBUTES = {_dt.datetime: {"fromisoformat", "combine"}, _dt.date: {"fromisoformat"}}


def _pg_getattr(obj, name: str):
    if isinstance(obj, type):
        allowed = CLASS_ATTRIBUTES.get(obj, set())
    else:
        allowed = ALLOWED_ATTRIBUTES.get(type(obj))
        if allowed is None:
            allowed = set()
            for kind, names in ALLOWED_ATTRIBUTES.items():
                if isinstance(obj, kind):
                    allowed = names
                    break
    if name.startswith("_") or name not in allowed:
        raise AttributeError(f"'.{name}' of a {type(obj).__name__} is not available in expressions")
    return getattr(obj, name)


_OPS = {"Pow": lambda a, b: a ** b, "Mult": lambda a, b: a * b, "LShift": lambda a, b: a << b,
        "Mod": lambda a, b: a % b}
_OP_NODES = {"Pow": ast.Pow(), "Mult": ast.Mult(), "LShift": ast.LShift(), "Mod": ast.Mod()}


def _pg_binop(op: str, left, right):
    why = _too_big(_OP_NODES[op], left, right)
    if why:
        raise MemoryError(why)
    return _OPS[op](left, right)


def _safe_range(*args):
    span = range(*args)
    if len(span) > MAX_ITEMS:
        raise MemoryError(f"range of {len(span)} items is more than the {MAX_ITEMS} allowed")
    return span


def _safe_pow(base, exp, mod=None):
    if mod is not None:
        return pow(base, exp, mod)
    return _pg_binop("Pow", base, exp)


def _safe_sum(iterable, start=0):
    if not isinstance(start, (int, float, Decimal)):
        raise TypeError("sum() only adds numbers in expressions")
    return sum(iterable, start)


SAFE_BUILTINS = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "divmod": divmod, "enumerate": enumerate,
    "filter": filter, "float": float, "frozenset": frozenset, "int": int, "isinstance": isinstance, "len": len,
    "list": list, "map": map, "max": max, "min": min, "pow": _safe_pow, "range": _safe_range,
    "reversed": reversed, "round": round, "set": set, "sorted": sorted, "str": str, "sum": _safe_sum,
    "tuple": tuple, "zip": zip, "True": True, "False": False, "None": None,
    "datetime": _dt.datetime, "date": _dt.date, "timedelta": _dt.timedelta, "Decimal": Decimal,
    **SAFE_EXCEPTIONS,
}
_HELPERS = {"_pg_getattr": _pg_getattr, "_pg_binop": _pg_binop, "_pg_tick": tick, "_pg_iter": guarded_iter}
_RESERVED = {"__builtins__", *_HELPERS}


def _run(source: str, mode: str, namespace: dict):
    code = _compile(source, mode)
    try:
        if mode == "eval" and bounded(source, namespace):
            return eval(code, namespace)  # noqa: S307 - checked above; comparisons of plain data only
        with Budget(TIME_LIMIT):
            if mode == "eval":
                return eval(code, namespace)  # noqa: S307 - checked and guarded above
            exec(code, namespace)  # noqa: S102 - checked and guarded above
            return None
    except Stop:
        raise ExpressionStopped(f"stopped {_short(source)}: it ran longer than {TIME_LIMIT:g} s") from None
    except MemoryError as err:
        raise ExpressionStopped(f"stopped {_short(source)}: {str(err) or 'it needed more memory than allowed'}") from None
    except RecursionError:
        raise ExpressionStopped(f"stopped {_short(source)}: it recursed too deeply") from None


def _namespace(context: dict, external_context: dict | None) -> dict:
    namespace = dict(external_context or {})
    namespace.update(context)
    namespace.update(_HELPERS, __builtins__=SAFE_BUILTINS)
    return namespace


def evaluate(expression: str, context: dict | None = None, external_context: dict | None = None):
    """Evaluate one expression over `context` (task data) in the sandbox and return its value."""
    return _run(expression, "eval", _namespace(context or {}, external_context))


def execute(script: str, context: dict, external_context: dict | None = None) -> None:
    """Run a script over `context` in the sandbox; its assignments and deletions update `context`."""
    external = external_context or {}
    namespace = _namespace(context, external)
    _run(script, "exec", namespace)
    result = {k: v for k, v in namespace.items()
              if k not in _RESERVED and not callable(v) and not (k in external and k not in context)}
    context.clear()
    context.update(result)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that evaluates and executes through the sandbox."""

    def evaluate(self, expression, context, external_context=None):
        return evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):
        execute(script, context, external_context)
        return True

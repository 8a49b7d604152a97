"""The functions translated FEEL calls at run time: FEEL's null-safe operators and built-ins.

FEEL and Python disagree where it matters for a gateway: in FEEL `x > 3` with `x` null is null, not
a TypeError; `0.1 + 0.2 = 0.3` is true (FEEL numbers are decimals); `not(null)` is null, not true;
`a.b` on a missing key is null. So the translation calls these helpers instead of Python operators.
They are pure (no I/O, no ambient clock: `now()`/`today()` read the `Clock` given to
`feel_functions`), and their work is bounded by the size of their arguments: no loops of their own
beyond one pass over a list, `**` refuses results over `MAX_INT_BITS`, strings over `MAX_ITEMS`.
"""

from __future__ import annotations

import decimal
import functools
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from engine.sandbox.dialects import values as v

MAX_ITEMS = 1_000_000    # longest string a `+` may build (the sandbox's own limit)
MAX_INT_BITS = 100_000   # largest int a `**` may build (the sandbox's own limit)
_CONTEXT = decimal.Context(prec=34, Emax=6144, Emin=-6143)  # FEEL numbers are IEEE 754 decimal128
_ARITH_ERRORS = (ArithmeticError, TypeError, ValueError, OverflowError)


def _is_num(x) -> bool:
    return isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)


def _dec(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def _number(d: Decimal):
    """A decimal result handed back as the int or float JSON task data holds."""
    if not d.is_finite():
        return None
    if d == d.to_integral_value() and d.adjusted() < 34:
        return int(d)
    return float(d)


def _numeric(op, a, b):
    if isinstance(a, int) and isinstance(b, int) and op != "/":
        return {"+": a + b, "-": a - b, "*": a * b}[op]
    x, y = _dec(a), _dec(b)
    if op == "/" and y == 0:
        return None
    return _number({"+": _CONTEXT.add, "-": _CONTEXT.subtract, "*": _CONTEXT.multiply,
                    "/": _CONTEXT.divide}[op](x, y))


# -- comparison ------------------------------------------------------------------------------------

def _same_kind(a, b) -> bool:
    if _is_num(a) and _is_num(b):
        return True
    kinds = (bool, str, datetime, date, time, timedelta, v.YearMonthDuration, list, dict)
    for kind in kinds:  # datetime before date: a datetime is a date to isinstance
        if isinstance(a, kind) or isinstance(b, kind):
            return isinstance(a, kind) and isinstance(b, kind)
    return False


def feel_eq(a, b):
    """FEEL `=`: null equals only null; values of different kinds are not equal; numbers exactly."""
    if a is None or b is None:
        return a is None and b is None
    if not _same_kind(a, b):
        return False
    if _is_num(a):
        return _dec(a) == _dec(b)
    if isinstance(a, list):
        return len(a) == len(b) and all(feel_eq(x, y) is True for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(feel_eq(a[k], b[k]) is True for k in a)
    try:
        return a == b
    except TypeError:
        return None


def feel_ne(a, b):
    same = feel_eq(a, b)
    return None if same is None else not same


def _order(a, b):
    """-1, 0 or 1 for comparable values, None (FEEL null) otherwise."""
    if a is None or b is None or not _same_kind(a, b) or isinstance(a, (bool, list, dict)):
        return None
    if _is_num(a):
        a, b = _dec(a), _dec(b)
    try:
        return -1 if a < b else 1 if b < a else 0
    except TypeError:  # a naive and an aware date-time
        return None


def feel_lt(a, b):
    o = _order(a, b)
    return None if o is None else o < 0


def feel_le(a, b):
    o = _order(a, b)
    return None if o is None else o <= 0


def feel_gt(a, b):
    o = _order(a, b)
    return None if o is None else o > 0


def feel_ge(a, b):
    o = _order(a, b)
    return None if o is None else o >= 0


_TESTS = {"<": feel_lt, "<=": feel_le, ">": feel_gt, ">=": feel_ge, "=": feel_eq, "!=": feel_ne}


def _and(a, b):
    """FEEL's three-valued `and` of two known values."""
    if a is False or b is False:
        return False
    return True if a is True and b is True else None


def _chain_step(seen: list, x, go_on: bool) -> bool:
    """True and false stand for themselves; anything else is FEEL null: noted in `seen`, and the chain
    goes on (`go_on`) as if the operand did not stop it."""
    if x is True or x is False:
        return x
    seen.append(x)
    return go_on


def feel_and_step(seen: list, x) -> bool:
    """One operand of a translated `a and b and c` (Python's `and` over these steps stays lazy):
    false stops the chain, anything but true or false is FEEL null and is noted in `seen`."""
    return _chain_step(seen, x, True)


def feel_all(seen: list, result: bool):
    return False if result is False else None if seen else True


def feel_or_step(seen: list, x) -> bool:
    """One operand of a translated `a or b or c`: true stops the chain, null is noted in `seen`."""
    return _chain_step(seen, x, False)


def feel_any(seen: list, result: bool):
    return True if result is True else None if seen else False


def feel_not(x):
    return (not x) if isinstance(x, bool) else None


def feel_between(x, low, high):
    return _and(feel_ge(x, low), feel_le(x, high))


def feel_range(low, high, low_closed=True, high_closed=True):
    return v.FeelRange(low, high, low_closed, high_closed)


def feel_unary(op, value):
    return v.UnaryTest(op, value)


def _test(x, test):
    if isinstance(test, v.FeelRange):
        low = (feel_ge if test.low_closed else feel_gt)(x, test.low)
        return _and(low, (feel_le if test.high_closed else feel_lt)(x, test.high))
    if isinstance(test, v.UnaryTest):
        return _TESTS[test.op](x, test.value)
    if isinstance(test, list):  # an item is a value to equal, or a range / unary test: never a list again
        return _any(_test(x, item) if isinstance(item, (v.FeelRange, v.UnaryTest)) else feel_eq(x, item)
                    for item in test)
    return feel_eq(x, test)


def _any(results):
    unknown = False
    for result in results:
        if result is True:
            return True
        unknown = unknown or result is None
    return None if unknown else False


def feel_in(x, tests: tuple):
    """FEEL `x in ...`: true when any test holds (a range, `< 5`, a list's item, an equal value)."""
    return _any(_test(x, test) for test in tests)


# -- arithmetic ------------------------------------------------------------------------------------

def _shift(moment, delta, sign):
    if isinstance(delta, v.YearMonthDuration):
        if isinstance(moment, time):
            return None
        return v.add_months(moment, sign * delta.months)
    if isinstance(moment, time):
        day = datetime.combine(date(2000, 1, 1), moment) + sign * delta
        return day.timetz()
    if isinstance(moment, datetime):
        return moment + sign * delta
    return moment + sign * timedelta(days=delta.days)  # a date moves by whole days


def _temporal(x) -> bool:
    return isinstance(x, (date, time))


def _null_when_undefined(operation):
    """FEEL's answer to an operation its operands do not support, or that fails on them, is null."""
    @functools.wraps(operation)
    def null_or_result(a, b):
        try:
            return operation(a, b)
        except _ARITH_ERRORS:
            return None
    return null_or_result


def _duration(x) -> bool:
    return isinstance(x, (timedelta, v.YearMonthDuration))


@_null_when_undefined
def feel_add(a, b):
    if _is_num(a) and _is_num(b):
        return _numeric("+", a, b)
    if isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_ITEMS:
            raise MemoryError(f"the result of + would have more than {MAX_ITEMS} characters")
        return a + b
    if _temporal(a) and _duration(b):
        return _shift(a, b, 1)
    if _duration(a) and _temporal(b):
        return _shift(b, a, 1)
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return a + b
    if isinstance(a, v.YearMonthDuration) and isinstance(b, v.YearMonthDuration):
        return v.YearMonthDuration(a.months + b.months)
    return None


@_null_when_undefined
def feel_sub(a, b):
    if _is_num(a) and _is_num(b):
        return _numeric("-", a, b)
    if _temporal(a) and _duration(b):
        return _shift(a, b, -1)
    if _same_kind(a, b) and isinstance(a, (date, timedelta)):
        return a - b
    if isinstance(a, v.YearMonthDuration) and isinstance(b, v.YearMonthDuration):
        return v.YearMonthDuration(a.months - b.months)
    return None


@_null_when_undefined
def feel_mul(a, b):
    if _is_num(a) and _is_num(b):
        return _numeric("*", a, b)
    if _is_num(a) and _duration(b):
        a, b = b, a
    if isinstance(a, timedelta) and _is_num(b):
        return a * float(b)
    if isinstance(a, v.YearMonthDuration) and isinstance(b, int):
        return v.YearMonthDuration(a.months * b)
    return None


@_null_when_undefined
def feel_div(a, b):
    if _is_num(a) and _is_num(b):
        return _numeric("/", a, b)
    if isinstance(a, timedelta) and _is_num(b) and b:
        return a / float(b)
    if isinstance(a, timedelta) and isinstance(b, timedelta) and b:
        return _number(_dec(a.total_seconds()) / _dec(b.total_seconds()))
    return None


def feel_pow(a, b):
    if not (_is_num(a) and _is_num(b)):
        return None
    if isinstance(a, int) and isinstance(b, int) and b >= 0:
        if abs(a) > 1 and b * max(1, abs(a).bit_length()) > MAX_INT_BITS:
            raise MemoryError(f"the result of ** would have more than {MAX_INT_BITS} bits")
        return a ** b
    try:
        result = float(a) ** float(b)
    except _ARITH_ERRORS:
        return None
    return result if isinstance(result, float) else None  # a negative base to a fraction is complex


_CALC = {"+": feel_add, "-": feel_sub, "*": feel_mul, "/": feel_div, "**": feel_pow}


def feel_calc(first, *rest):
    """A translated chain such as `a + b - c`: `feel_calc(a, "+", b, "-", c)`, left to right."""
    value = first
    for index in range(0, len(rest) - 1, 2):
        value = _CALC[rest[index]](value, rest[index + 1])
    return value


def feel_neg(x):
    if _is_num(x) or isinstance(x, timedelta):
        return -x
    if isinstance(x, v.YearMonthDuration):
        return v.YearMonthDuration(-x.months)
    return None


# -- paths -----------------------------------------------------------------------------------------

_PROPERTIES = {
    date: {"year", "month", "day"}, datetime: {"year", "month", "day", "hour", "minute", "second"},
    time: {"hour", "minute", "second"},
}


def _property(value, name):
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, list):
        return [_property(item, name) for item in value]
    if isinstance(value, date) and name == "weekday":
        return value.isoweekday()
    for kind in (datetime, date, time):
        if isinstance(value, kind):
            return getattr(value, name) if name in _PROPERTIES[kind] else None
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        parts = {"days": value.days, "hours": seconds % 86400 // 3600, "minutes": seconds % 3600 // 60,
                 "seconds": seconds % 60}
        return parts.get(name)
    if isinstance(value, v.YearMonthDuration):
        return {"years": value.months // 12, "months": value.months % 12}.get(name)
    return None


def feel_path(value, *names):
    """FEEL `a.b.c`: each step reads a context's key, a list's items' keys or a date's part; missing is null."""
    for name in names:
        if value is None:
            return None
        value = _property(value, name)
    return value


def feel_index(value, position):
    """FEEL `xs[1]`: 1-based, negative from the end; out of range is null."""
    if not isinstance(value, list) or not isinstance(position, int) or isinstance(position, bool):
        return None
    index = position - 1 if position > 0 else len(value) + position if position < 0 else None
    return value[index] if index is not None and 0 <= index < len(value) else None


def feel_var(name: str):
    """A FEEL variable whose name has spaces (`Current Vacation Status`), from the caller's globals:
    the namespace the translated text is evaluated in. Only names with a space are read, so no
    helper or `__builtins__` can be reached this way."""
    scope = sys._getframe(1).f_globals
    if " " not in name or name not in scope:
        raise NameError(f"name {name!r} is not defined")
    return scope[name]


def feel_defined(name, *path):
    """FEEL `is defined(a.b)`: whether the variable `a` exists in the expression's names and has key `b`.

    The variable is looked up among the caller's globals, which is the namespace the sandbox (or a
    plain `eval`) evaluates the translated text in; the sandboxed text itself never sees a frame.
    """
    scope = sys._getframe(1).f_globals
    if name not in scope:
        return False
    value = scope[name]
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True

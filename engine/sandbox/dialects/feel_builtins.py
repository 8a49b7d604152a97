"""FEEL's built-in functions that the translation allows (`string length()`, `date()`, `now()`...),
and `feel_functions(clock)`, the dict of every helper translated text may call.

Each built-in returns null for arguments of the wrong kind, as FEEL does, instead of raising. The
FEEL name of each, its Python helper and how many arguments it takes are listed once, in
`BUILTINS`; the parser reads that table, so a new function is one line here and one helper.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from engine.clock import Clock, SystemClock
from engine.sandbox.dialects import feel_functions as ops
from engine.sandbox.dialects import values as v


def _text(f):
    def call(*args):
        return f(*args) if all(isinstance(a, str) for a in args) else None
    call.__name__ = f.__name__
    return call


def _items(args):
    """FEEL's list functions take one list or several values: `sum([1, 2])` and `sum(1, 2)`."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    return list(args)


def feel_count(xs):
    return len(xs) if isinstance(xs, list) else None


def feel_sum(*args):
    items = _items(args)
    if not items or not all(ops._is_num(x) for x in items):
        return None
    total = 0
    for x in items:
        total = ops.feel_add(total, x)
    return total


def _extreme(args, better):
    items = _items(args)
    if not items:
        return None
    best = items[0]
    for x in items[1:]:
        verdict = better(x, best)
        if verdict is None:
            return None
        best = x if verdict else best
    return best


def feel_min(*args):
    return _extreme(args, ops.feel_lt)


def feel_max(*args):
    return _extreme(args, ops.feel_gt)


def feel_abs(x):
    return abs(x) if ops._is_num(x) or isinstance(x, timedelta) else None


def _rounded(x, how):
    if not ops._is_num(x):
        return None
    try:
        return int(how(Decimal(repr(x)) if isinstance(x, float) else x))
    except (OverflowError, ValueError, ArithmeticError):
        return None


def feel_floor(x):
    return _rounded(x, math.floor)


def feel_ceiling(x):
    return _rounded(x, math.ceil)


def feel_date(*args):
    """`date("2023-10-09")`, `date(2023, 10, 9)`, or the date of a date and time."""
    if len(args) == 1:
        if isinstance(args[0], datetime):
            return args[0].date()
        return args[0] if isinstance(args[0], date) else v.parse_date(args[0])
    if len(args) == 3 and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        try:
            return date(*args)
        except ValueError:
            return None
    return None


def feel_time(*args):
    """`time("09:00:00")`, `time(9, 0, 0)`, or the time of a date and time."""
    if len(args) == 1:
        if isinstance(args[0], datetime):
            return args[0].timetz()
        return args[0] if isinstance(args[0], time) else v.parse_time(args[0])
    if len(args) == 3 and all(ops._is_num(a) for a in args):
        try:
            return time(int(args[0]), int(args[1]), int(args[2]))
        except (ValueError, OverflowError):
            return None
    return None


def feel_date_and_time(*args):
    """`date and time("2023-10-09T09:00:00")` or `date and time(date, time)`."""
    if len(args) == 1:
        value = args[0]
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime.combine(value, time())
        return v.parse_date_and_time(value)
    if len(args) == 2 and isinstance(args[0], date) and isinstance(args[1], time):
        day = args[0].date() if isinstance(args[0], datetime) else args[0]
        return datetime.combine(day, args[1])
    return None


def feel_duration(text):
    return v.parse_duration(text)


def feel_temporal(text):
    return v.parse_temporal(text)


def feel_string(x):
    if x is None:
        return None
    if isinstance(x, bool):
        return "true" if x else "false"
    return v.iso_text(x) if isinstance(x, (date, time, timedelta, v.YearMonthDuration)) else str(x)


def feel_number(x):
    if not isinstance(x, str) or len(x) > 100:
        return None
    try:
        return ops._number(Decimal(x.strip()))
    except ArithmeticError:
        return None


def feel_timer(value):
    """The value of a timer expression as the ISO 8601 text SpiffWorkflow's timers parse."""
    return v.iso_text(value)


def feel_cycle(*args):
    """Camunda's `cycle(duration("PT1H"))` and `cycle(3, duration("PT1H"))` as `R/PT1H`, `R3/PT1H`."""
    if len(args) == 1 and isinstance(args[0], timedelta):
        return "R/" + v.iso_duration(args[0])
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], timedelta):
        return f"R{args[0]}/" + v.iso_duration(args[1])
    return None


# FEEL name -> (helper, fewest arguments, most arguments); None means any number
BUILTINS = {
    "date": ("feel_date", 1, 3), "time": ("feel_time", 1, 3), "date and time": ("feel_date_and_time", 1, 2),
    "duration": ("feel_duration", 1, 1), "now": ("feel_now", 0, 0), "today": ("feel_today", 0, 0),
    "string length": ("feel_string_length", 1, 1), "contains": ("feel_contains", 2, 2),
    "starts with": ("feel_starts_with", 2, 2), "ends with": ("feel_ends_with", 2, 2),
    "upper case": ("feel_upper_case", 1, 1), "lower case": ("feel_lower_case", 1, 1),
    "count": ("feel_count", 1, 1), "sum": ("feel_sum", 1, None), "min": ("feel_min", 1, None),
    "max": ("feel_max", 1, None), "not": ("feel_not", 1, 1), "abs": ("feel_abs", 1, 1),
    "floor": ("feel_floor", 1, 1), "ceiling": ("feel_ceiling", 1, 1), "is defined": ("feel_defined", 1, 1),
    "string": ("feel_string", 1, 1), "number": ("feel_number", 1, 1), "cycle": ("feel_cycle", 1, 2),
}


def feel_functions(clock: Clock) -> dict:
    """Every helper translated FEEL or JUEL may call, with `now()`/`today()` reading `clock`."""
    from engine.sandbox.dialects import juel

    def feel_now():
        return clock.now()

    def feel_today():
        return clock.now().date()

    helpers = {name: getattr(ops, name) for name in dir(ops) if name.startswith("feel_")}
    helpers.update({name: fn for name, fn in globals().items() if name.startswith("feel_") and callable(fn)})
    helpers.pop("feel_functions")
    helpers.update(feel_now=feel_now, feel_today=feel_today, **juel.JUEL_FUNCTIONS,
                   feel_string_length=_text(len), feel_contains=_text(lambda s, t: t in s),
                   feel_starts_with=_text(str.startswith), feel_ends_with=_text(str.endswith),
                   feel_upper_case=_text(str.upper), feel_lower_case=_text(str.lower))
    return helpers


FEEL_FUNCTIONS = feel_functions(SystemClock())
"""The helpers with `now()` on the machine's clock; an engine with its own clock builds its own dict."""

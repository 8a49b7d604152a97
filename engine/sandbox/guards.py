"""The sandbox's runtime guards: the builtins, attributes and operator helpers sandboxed code calls.

Every name sandboxed code can call is either O(1) in C (`len`, `bool`, `abs`, date constructors) or
a Python function here, for two reasons. A Python function is a step the time budget sees: when C
code such as `max`, `sorted` or `map` calls one per item, the budget's trace function runs on every
call and stops the whole C loop at the deadline. And a Python function can weigh its arguments
before the C code starts (sizes.py): `sorted`, `max`, `min`, `sum`, `set`, `dict`, `str`, `int`,
`round`, `Decimal`, `pow(b, e, m)`, comparisons, hashing keys and formatting refuse values too big
for one uninterruptible step, and the lazy iterators (`map`, `filter`, `zip`, `enumerate`,
`reversed`) are generators, so whatever consumes them takes one budgeted step per item.

A refusal raises sizes.TooBig, a BaseException the sandboxed code cannot catch (as the time budget's
Stop), which the sandbox reports as ExpressionStopped.
"""

from __future__ import annotations

import ast
import datetime as _dt
import operator
from decimal import Decimal

from engine.sandbox.budget import guarded_iter, tick
from engine.sandbox.sizes import (
    CHEAP_BITS, CHEAP_TEXT, FIXED, MAX_INT_BITS, MAX_INT_DIGITS, MAX_ITEMS, MAX_POW_MOD_BITS, MAX_WORK, TooBig,
    TooMuchWork, check_digits, check_work, cheap, int_bits, too_big, work,
)

SAFE_EXCEPTIONS = {cls.__name__: cls for cls in (
    Exception, ValueError, KeyError, IndexError, TypeError, ZeroDivisionError, ArithmeticError,
    LookupError, AssertionError)}

# -- attributes ------------------------------------------------------------------------------------

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


def _weighed_with_self(obj, method, what: str):
    """A bound method that compares its arguments with its object's items (`count`, `index`, set ops)."""
    def call(*args, **kwargs):
        if not all(map(cheap, args)):  # a cheap needle compares with each item in a step
            check_work(obj, what)
            for arg in args:
                check_work(arg, what)
        return method(*args, **kwargs)
    return call


def _keyed(method, what: str):
    """A bound method that hashes its first argument (`dict.get`, `set.add`, ...)."""
    def call(key, *args):
        if type(key) is tuple:
            check_work(key, what)
        return method(key, *args)
    return call


def _dict_update(obj):
    def update(*args, **kwargs):
        if args and not isinstance(args[0], dict):  # a dict's keys keep their hashes; pairs are hashed
            items = _materialized(args[0])
            _weigh(items, "dict.update()")
            args = (items,)
        obj.update(*args, **kwargs)
    return update


def _list_sort(obj):
    def sort(*, key=None, reverse=False):
        obj[:] = _sorted(obj, key=key, reverse=reverse)
    return sort


# (type, attribute) → a wrapper, given the object and its bound method
_HEAVY_METHODS = {
    **{(list, name): (lambda obj, m: _weighed_with_self(obj, m, f"list.{m.__name__}()"))
       for name in ("count", "index", "remove")},
    **{(tuple, name): (lambda obj, m: _weighed_with_self(obj, m, f"tuple.{m.__name__}()")) for name in ("count", "index")},
    **{(kind, name): (lambda obj, m: _weighed_with_self(obj, m, f"set.{m.__name__}()"))
       for kind in (set, frozenset) for name in _SET - {"copy", "add", "discard", "remove"}},
    **{(set, name): (lambda obj, m: _keyed(m, f"set.{m.__name__}()")) for name in ("add", "discard", "remove")},
    **{(dict, name): (lambda obj, m: _keyed(m, f"dict.{m.__name__}()")) for name in ("get", "pop", "setdefault")},
    (dict, "update"): lambda obj, m: _dict_update(obj),
    (list, "sort"): lambda obj, m: _list_sort(obj),
}


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
    value = getattr(obj, name)
    wrap = _HEAVY_METHODS.get((type(obj), name))
    return value if wrap is None else wrap(obj, value)


# -- operators -------------------------------------------------------------------------------------

_OPS = {"Pow": operator.pow, "Mult": operator.mul, "LShift": operator.lshift, "Mod": operator.mod}
_OP_NODES = {"Pow": ast.Pow(), "Mult": ast.Mult(), "LShift": ast.LShift(), "Mod": ast.Mod()}


def _format_args(args) -> None:
    """`text % args` converts numbers to text (%d of a Decimal makes an int) and repr()s containers."""
    for arg in args if type(args) is tuple else (args,):
        if isinstance(arg, (int, Decimal)):
            check_digits(arg, "formatting")
        else:
            check_work(arg, "formatting")


def _pg_binop(op: str, left, right):
    why = too_big(_OP_NODES[op], left, right)
    if why:
        raise TooBig(why)
    if op == "Mod" and isinstance(left, str):
        _format_args(right)
    return _OPS[op](left, right)


_COMPARE = {"Eq": operator.eq, "NotEq": operator.ne, "Lt": operator.lt, "LtE": operator.le, "Gt": operator.gt,
            "GtE": operator.ge}


def _pg_compare(op: str, left, right):
    """`left op right`, refused first when it would take too many steps in one C call.

    `==` and `<` cost at most the smaller side, so it suffices that one side is small. `x in c`
    compares x with each item: one step an item when x is small, else up to x's size an item. The
    test for small is sizes.cheap written inline: this runs on every comparison a script makes."""
    kind = type(left)
    if not (kind in FIXED or kind is int and left.bit_length() <= CHEAP_BITS or kind is str and len(left) <= CHEAP_TEXT):
        if op == "In" or op == "NotIn":
            _weigh_membership(left, right)
        else:
            kind = type(right)
            if not (kind in FIXED or kind is int and right.bit_length() <= CHEAP_BITS
                    or kind is str and len(right) <= CHEAP_TEXT):
                try:
                    work(left)
                except TooMuchWork:
                    check_work(right, "a comparison")
    if op == "In":
        return left in right
    if op == "NotIn":
        return left not in right
    return _COMPARE[op](left, right)


def _weigh_membership(needle, haystack) -> None:
    """`needle in haystack` for a needle that is not small: a list or tuple compares it with each item
    (a dict or set only with the items of its hash; text searches in one pass; a generator's items are
    budgeted steps)."""
    units = _units(needle, "a comparison")
    if isinstance(haystack, (list, tuple)) and units * len(haystack) > MAX_WORK:
        check_work(haystack, "a comparison")


def _units(value, what: str) -> int:
    try:
        return work(value)
    except TooMuchWork:
        raise TooBig(f"{what} would work through more than {MAX_WORK} items") from None


def _pg_cmpval(value):
    """One operand of a chained comparison (`a < b < c`): weighed on its own."""
    check_work(value, "a comparison")
    return value


def _pg_key(key):
    """A dict key, set item or subscript: a tuple is hashed item by item, every time."""
    if type(key) is tuple:
        check_work(key, "hashing a key")
    return key


def _pg_fmt(value):
    """A value an f-string formats: ints and Decimals to text, containers through repr."""
    kind = type(value)
    if kind is str or kind is float:
        return value
    if isinstance(value, (int, Decimal)):
        check_digits(value, "formatting")
    else:
        check_work(value, "formatting")
    return value


# -- builtins --------------------------------------------------------------------------------------

def _materialized(iterable) -> list:
    """The items of an iterable as a list (a generator's steps are budgeted), weighed."""
    items = iterable if type(iterable) is list else list(iterable)
    return items


def _weigh(items, what: str, limit: int = MAX_WORK) -> None:
    try:
        work(items, limit)
    except TooMuchWork:
        raise TooBig(f"{what} would work through more than {limit} items") from None


def _sorted(iterable, *, key=None, reverse=False):
    items = _materialized(iterable)
    if key is None:
        _weigh(items, "sorted()")
        return sorted(items, reverse=reverse)
    keys = [key(item) for item in guarded_iter(items)]
    _weigh(keys, "sorted()")
    return [items[i] for i in sorted(range(len(items)), key=keys.__getitem__, reverse=reverse)]


_NO_DEFAULT = object()


def _extreme(pick, name):
    def extreme(*args, key=None, default=_NO_DEFAULT):
        items = _materialized(args[0]) if len(args) == 1 else list(args)
        if not items and default is not _NO_DEFAULT:
            return default
        if key is None:
            _weigh(items, f"{name}()")
            return pick(items)
        keys = [key(item) for item in guarded_iter(items)]
        _weigh(keys, f"{name}()")
        return items[pick(range(len(items)), key=keys.__getitem__)]
    extreme.__name__ = name
    return extreme


def _safe_sum(iterable, start=0):
    if not isinstance(start, (int, float, Decimal)):
        raise TypeError("sum() only adds numbers in expressions")
    items = _materialized(iterable)
    _weigh(items, "sum()")
    return sum(items, start)


def _safe_range(*args):
    span = range(*args)
    if len(span) > MAX_ITEMS:
        raise TooBig(f"range of {len(span)} items is more than the {MAX_ITEMS} allowed")
    return span


def _safe_pow(base, exp, mod=None):
    if mod is None:
        return _pg_binop("Pow", base, exp)
    if int_bits(mod) > MAX_POW_MOD_BITS or int_bits(exp) > MAX_POW_MOD_BITS:
        raise TooBig(f"pow() with a modulus takes an exponent and modulus of at most {MAX_POW_MOD_BITS} bits")
    return pow(base, exp, mod)


def _safe_int(value=0, *args, **kwargs):
    if isinstance(value, (str, bytes, bytearray)):
        if len(value) > MAX_INT_DIGITS + 16:
            raise TooBig(f"int() of a text of more than {MAX_INT_DIGITS} digits is not allowed")
    else:
        check_digits(value, "int()")
    return int(value, *args, **kwargs)


def _safe_str(value="", *args, **kwargs):
    if isinstance(value, (int, Decimal)):
        check_digits(value, "str()")
    else:
        check_work(value, "str()")
    return str(value, *args, **kwargs)


def _safe_round(number, *ndigits):
    if isinstance(number, Decimal) and not ndigits:
        check_digits(number, "round()")
    if ndigits and isinstance(number, int) and isinstance(ndigits[0], int) and abs(ndigits[0]) > MAX_INT_DIGITS:
        raise TooBig(f"round() of an int to more than {MAX_INT_DIGITS} digits is not allowed")  # makes 10**-n
    return round(number, *ndigits)


def _safe_decimal(value="0", *args):
    if isinstance(value, str) and len(value) > MAX_INT_DIGITS + 16:
        raise TooBig(f"Decimal() of a text of more than {MAX_INT_DIGITS} digits is not allowed")
    check_digits(value, "Decimal()")
    return Decimal(value, *args)


def _safe_set(iterable=()):
    items = _materialized(iterable)
    _weigh(items, "set()")
    return set(items)


def _safe_frozenset(iterable=()):
    items = _materialized(iterable)
    _weigh(items, "frozenset()")
    return frozenset(items)


def _safe_dict(*args, **kwargs):
    if args and not isinstance(args[0], dict):
        items = _materialized(args[0])
        _weigh(items, "dict()")
        args = (items,)
    return dict(*args, **kwargs)


def _safe_map(function, *iterables):
    return guarded_iter(map(function, *iterables))


def _safe_filter(function, iterable):
    return guarded_iter(filter(function, iterable))


def _safe_zip(*iterables, strict=False):
    return guarded_iter(zip(*iterables, strict=strict))


def _safe_enumerate(iterable, start=0):
    return guarded_iter(enumerate(iterable, start))


def _safe_reversed(sequence):
    return guarded_iter(reversed(sequence))


# What isinstance() sees for the builtins above that stand for a class.
_CLASSES = {_safe_int: int, _safe_str: str, _safe_decimal: Decimal, _safe_set: set, _safe_frozenset: frozenset,
            _safe_dict: dict, _safe_range: range}


def _safe_isinstance(obj, kinds):
    if isinstance(kinds, tuple):
        kinds = tuple(_CLASSES.get(kind, kind) for kind in kinds)
    else:
        kinds = _CLASSES.get(kinds, kinds)
    return isinstance(obj, kinds)


SAFE_BUILTINS = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": _safe_dict, "divmod": divmod,
    "enumerate": _safe_enumerate, "filter": _safe_filter, "float": float, "frozenset": _safe_frozenset,
    "int": _safe_int, "isinstance": _safe_isinstance, "len": len, "list": list, "map": _safe_map,
    "max": _extreme(max, "max"), "min": _extreme(min, "min"), "pow": _safe_pow, "range": _safe_range,
    "reversed": _safe_reversed, "round": _safe_round, "set": _safe_set, "sorted": _sorted, "str": _safe_str,
    "sum": _safe_sum, "tuple": tuple, "zip": _safe_zip, "True": True, "False": False, "None": None,
    "datetime": _dt.datetime, "date": _dt.date, "timedelta": _dt.timedelta, "Decimal": _safe_decimal,
    **SAFE_EXCEPTIONS,
}
HELPERS = {"_pg_getattr": _pg_getattr, "_pg_binop": _pg_binop, "_pg_compare": _pg_compare, "_pg_cmpval": _pg_cmpval,
           "_pg_key": _pg_key, "_pg_fmt": _pg_fmt, "_pg_tick": tick, "_pg_iter": guarded_iter}

__all__ = ["ALLOWED_ATTRIBUTES", "CLASS_ATTRIBUTES", "HELPERS", "MAX_INT_BITS", "MAX_ITEMS", "SAFE_BUILTINS",
           "SAFE_EXCEPTIONS"]

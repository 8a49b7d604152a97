"""How big a value the sandbox lets one C-level operation work on, and how that size is measured.

The time budget (budget.py) can only stop code between Python steps: work done inside one C call
(a comparison, a sort, a hash, `repr`, int arithmetic, int/str conversion) runs to its end. So every
such operation is bounded *before* it starts, from the size of what it is given:

* **work units** (`work`): what a deep comparison, hash or `repr` walks. A container counts 1 plus
  its items, counted again each time they are reached (a list of 10**6 references to one big list
  is as costly to compare as 10**6 copies of it); text counts 1 per 64 characters, ints 1 per 512
  bits. An operation refuses values over `MAX_WORK` units. A comparison of that much takes ~20 ms
  here; the dearest step left, sorting 10**6 floats, ~1 s on this shared 2-core machine.
* **items** (`MAX_ITEMS`): the longest str, list or range that `*` or `range` may build in one step.
* **int bits** (`MAX_INT_BITS`): the largest int `**`, `*` or `<<` may build. Ints up to that size
  multiply and divide in milliseconds.
* **digits** (`MAX_INT_DIGITS`): the longest int that `str`, `int`, f-strings, `%`, `Decimal` and
  `round` convert between text and number (conversions are quadratic). The sandbox checks this
  itself; it never relies on `sys.set_int_max_str_digits`, which is process-wide.
* **modular powers** (`MAX_POW_MOD_BITS`): `pow(b, e, m)` costs about bits(e) multiplications of
  bits(m)-sized numbers, so both are capped.

The walk in `work` weighs each container once (a shared one is looked up again, at C speed), so it
takes time in proportion to the memory a value holds, stops once the count passes the limit, and
finds a cycle at once.
"""

from __future__ import annotations

import ast
import datetime as _dt
import re
from decimal import Decimal
from uuid import UUID

MAX_ITEMS = 1_000_000       # longest str/list a `*` or `range` may build
MAX_INT_BITS = 100_000      # largest int a `**`, `*` or `<<` may build
MAX_INT_DIGITS = 4_300      # longest int converted to or from text (Python's own default, kept per call)
MAX_POW_MOD_BITS = 2_048    # largest exponent and modulus of pow(base, exp, mod)
MAX_WORK = 2_000_000        # work units one comparison, hash, sort or repr may take (see `work`)

# Values whose comparison, hash and repr take a few steps whatever they hold (ints and text below
# the sizes in `cheap`). A container of only these is weighed at C speed.
FIXED = frozenset({float, bool, type(None), complex, _dt.datetime, _dt.date, _dt.time, _dt.timedelta, UUID})
_VIEWS = frozenset({type({}.keys()), type({}.values()), type({}.items())})
_CONTAINER_KINDS = frozenset({list, tuple, set, frozenset, dict}) | _VIEWS
_INTS = frozenset({int, bool})
_STRS = frozenset({str})
CHEAP_TEXT = 256           # characters: comparing or hashing shorter text is one step
CHEAP_BITS = 1_024         # bits: likewise for ints


class TooBig(BaseException):
    """Raised inside sandboxed code when an operation would be too big for one step; like the time
    budget's Stop it is not an Exception, so `except Exception` in a script cannot swallow it."""


class TooMuchWork(Exception):
    """A value is larger (counted as `work` counts) than an operation may walk."""


def cheap(value) -> bool:
    """Whether comparing, hashing or formatting `value` costs a few steps (no walk needed).
    guards.py inlines this test where it runs on every comparison."""
    kind = type(value)
    if kind is str:
        return len(value) <= CHEAP_TEXT
    if kind is int:
        return value.bit_length() <= CHEAP_BITS
    return kind in FIXED or kind is Decimal and len(value.as_tuple().digits) <= CHEAP_TEXT


def work(value, limit: int = MAX_WORK) -> int:
    """The work units a deep walk of `value` takes (see the module docstring); raises TooMuchWork past
    `limit`. Shared references count each time they are reached (a comparison walks them again), but
    each container is weighed once, so the walk itself takes time in proportion to the memory the
    value holds, not to its count; a cycle raises at once."""
    kind = type(value)
    if kind not in _CONTAINER_KINDS and not isinstance(value, dict):
        units = _scalar(value)
    else:
        units = _walk(value, limit)
    if units > limit:
        raise TooMuchWork(f"more than {limit} work units")
    return units


def _scalar(value) -> int:
    kind = type(value)
    if kind is str:
        return 1 + (len(value) >> 6)
    if kind is int:
        return 1 + (value.bit_length() >> 9)
    if kind is Decimal:
        return 1 + (len(value.as_tuple().digits) >> 6)
    return 1


def _walk(value, limit: int) -> int:
    sizes: dict[int, int] = {}     # id(container) → its units, once weighed
    pending: dict[int, tuple] = {}  # id(container) → (its own units, its container items) while its items are
    keep = []                       # lists made from dict views: alive until the walk ends, so ids stay theirs
    stack = [value]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in sizes:
            stack.pop()
        elif key in pending:  # second visit: its items are weighed
            own, children = pending.pop(key)
            units = own + sum(map(sizes.__getitem__, map(id, children)))
            if units > limit:
                raise TooMuchWork(f"more than {limit} work units")
            sizes[key] = units
            stack.pop()
        else:
            own, children = 1, []
            for part in _parts(node, keep):
                units, inner = _split(part)
                own += units
                children.extend(inner)
            if own > limit:
                raise TooMuchWork(f"more than {limit} work units")
            pending[key] = (own, children)
            for child_key, child in {id(child): child for child in children}.items():
                if child_key in pending:
                    raise TooMuchWork("a value that contains itself")
                if child_key not in sizes:
                    stack.append(child)
    return sizes[id(value)]


def _parts(node, keep) -> tuple:
    if isinstance(node, dict):
        return node.keys(), node.values()
    if type(node) in _VIEWS:  # items() makes a new tuple each time: keep them for their ids
        items = list(node)
        keep.append(items)
        return (items,)
    return (node,)


def _split(part) -> tuple:
    """(the units of a container's scalar items, its container items), at C speed when it can."""
    n = len(part)
    if not n:
        return 0, ()
    kinds = set(map(type, part))
    if kinds <= FIXED:
        return n, ()
    if kinds <= _INTS:
        return n + (sum(map(int.bit_length, part)) >> 9), ()
    if kinds == _STRS:
        return n + (sum(map(len, part)) >> 6), ()
    if kinds <= _CONTAINER_KINDS:
        return 0, part
    units, inner = 0, []
    for item in part:
        if type(item) in _CONTAINER_KINDS or isinstance(item, dict):
            inner.append(item)
        else:
            units += _scalar(item)
    return units, inner


def _holds_containers(seq) -> bool:
    return not set(map(type, seq)).isdisjoint(_CONTAINER_KINDS)


def check_work(value, what: str, limit: int = MAX_WORK) -> None:
    """Raise TooBig (the sandbox reports it as stopped) when `value` is too big for `what`."""
    if not cheap(value):
        try:
            work(value, limit)
        except TooMuchWork:
            raise TooBig(f"{what} would work through more than {limit} items") from None


def int_bits(value) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def digits_ok(value) -> bool:
    """Whether an int (or an integral Decimal) is short enough to convert to or from text."""
    if isinstance(value, int):
        return value.bit_length() <= MAX_INT_DIGITS * 3.3219  # log2(10)
    if isinstance(value, Decimal):
        return not value.is_finite() or value.adjusted() < MAX_INT_DIGITS
    return True


def check_digits(value, what: str) -> None:
    if not digits_ok(value):
        raise TooBig(f"{what} of a number with more than {MAX_INT_DIGITS} digits is not allowed")


def too_big(op: ast.operator, left, right) -> str | None:
    """Why `left op right` would build a result too large to allow, or None."""
    if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and right * max(1, int_bits(left)) > MAX_INT_BITS:
            return f"the result of ** would have more than {MAX_INT_BITS} bits"
    if isinstance(op, ast.LShift) and isinstance(left, int) and isinstance(right, int):
        if left and right + int_bits(left) > MAX_INT_BITS:
            return f"the result of << would have more than {MAX_INT_BITS} bits"
    if isinstance(op, ast.Mult):
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int):
                if len(seq) * count > MAX_ITEMS:
                    return f"the result of * would have more than {MAX_ITEMS} items"
                if count > 1 and isinstance(seq, (list, tuple)) and _holds_containers(seq):
                    try:
                        work(seq, MAX_WORK // count)
                    except TooMuchWork:
                        return f"the result of * would hold more than {MAX_WORK} items in all"
        if isinstance(left, int) and isinstance(right, int) and int_bits(left) + int_bits(right) > MAX_INT_BITS:
            return f"the result of * would have more than {MAX_INT_BITS} bits"
    if isinstance(op, ast.Mod) and isinstance(left, (str, bytes)):
        text = left.decode("latin-1") if isinstance(left, bytes) else left
        if re.search(r"%[-+ #0]*(\*|\d{7,})|%[^%]*\.(\*|\d{7,})", text):
            return "the format width is too large"
    return None

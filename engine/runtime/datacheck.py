"""What task data the store keeps: plain JSON data, of bounded depth and size, checked after each task.

A script, DMN table or handler can leave in task data values the store then cannot write or cannot
read back: a `map` or generator, an exception, a tuple key, a self-referencing dict, a list 9,000
levels deep (saved, then unreadable: RecursionError), an int of 5,000 digits (`json` reads at most
4,300), a dict shaped like the serializer's own typed values (`{"typename": ...}`, read back as one),
or rows that share one big list and grow ten-thousandfold when written out. `check_task_data`
refuses all of these with one line naming the variable path, before anything is saved:

    task data 'rows[3].x': a map object is not JSON data

What is kept (decided here, see `DataLimits` for the numbers):

* dict with text keys, list, str, bool, None;
* int with |n| < 2**63: what every JSON reader and SQLite's JSON functions keep exactly (json in
  Python keeps more, but no key of the store or reader outside it should depend on that);
* float, finite only: NaN and infinity are not JSON, and readers other than Python's refuse them;
* datetime, timedelta and UUID: the serializer's registry writes them as typed values and reads
  them back (engine/spiff/serializer.py, SpiffWorkflow's DefaultRegistry), except a timedelta's
  microseconds, which it drops: such a timedelta is refused. A date, Decimal,
  tuple or set is refused: the registry does not know the first two, and the last two come back
  as lists, so the data would change type across a save.

Text must be encodable as UTF-8 (a lone surrogate from `'\\ud800'` is not). Size is estimated
as characters of the JSON text, counting a shared value each time it is reached, as the writer will;
the walk stops at the first problem, so an oversized value costs no more than the limit to find.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from engine.errors import TaskDataRefused

__all__ = ["DataChecker", "DataLimits", "check_task_data"]


@dataclass(frozen=True)
class DataLimits:
    """The bounds `check_task_data` holds task data to (a programme's config may set its own)."""

    max_depth: int = 64             # containers nested inside one variable
    max_size: int = 16 << 20        # characters of JSON text for the whole task data, estimated
    max_int_bits: int = 63          # |n| < 2**max_int_bits


LIMITS = DataLimits()
_TYPED = frozenset({_dt.datetime, _dt.timedelta, UUID})  # the serializer registry's types
_TYPED_SIZE = 64                    # {"value":"2024-01-01T00:00:00+08:00","typename":"datetime"}
_HINTS = {tuple: " (use a list)", set: " (use a list)", frozenset: " (use a list)",
          _dt.date: " (store date.isoformat())", _dt.time: " (store time.isoformat())",
          Decimal: " (store it as text or a float)"}


_NOTHING = object()


class _Bad(Exception):
    """A problem found at some depth. On the way out each container adds to `parts` the key or index
    of `found`, the item of its own that holds the problem (looked up by identity only then)."""

    def __init__(self, why: str, whole: bool = False, where=None, found=_NOTHING):
        super().__init__(why)
        self.why, self.whole, self.found = why, whole, found
        self.parts = [] if where is None else [where]


def check_task_data(data: dict, limits: DataLimits = LIMITS) -> None:
    """Raise TaskDataRefused, naming the variable path, unless `data` is plain JSON data within `limits`."""
    if type(data) is not dict:
        raise TaskDataRefused("task data is {value}, not a dict", value=_describe(data))
    try:
        _Walk(limits).top(data)
    except _Bad as bad:
        parts = bad.parts[::-1]
        if bad.whole:
            parts = parts[:1]
        where = f" {_path(parts)!r}" if parts else ""
        raise TaskDataRefused("task data{where}: {why}", where=where, why=bad.why) from None


_PLAIN = frozenset({str, int, float, bool, type(None)})


class DataChecker:
    """`check_task_data` for one runner, remembering the last data it accepted when that data was flat
    (text keys, every value a text, number, bool or None). Most steps pass their data on unchanged
    (a gateway, an event, a merge of one branch): data with the same keys in the same order, each
    value equal to and of the very type of the one accepted, gets the same verdict and the same size
    estimate, so it is accepted without a walk. Values of containers are never remembered: what they
    hold can change in place."""

    __slots__ = ("limits", "_keys", "_values", "_kinds")

    def __init__(self, limits: DataLimits | None = None):
        self.limits = limits or LIMITS
        self._keys = self._values = self._kinds = None

    def __call__(self, data) -> None:
        """Raise TaskDataRefused as `check_task_data(data, self.limits)` does."""
        if type(data) is dict and self._kinds is not None:
            values = tuple(data.values())
            if (values == self._values and tuple(map(type, values)) == self._kinds and tuple(data) == self._keys
                    and set(map(type, data)) <= _TEXT):
                return
        check_task_data(data, self.limits)
        values = tuple(data.values())
        kinds = tuple(map(type, values))
        if set(kinds) <= _PLAIN:
            self._keys, self._values, self._kinds = tuple(data), values, kinds
        else:
            self._keys = self._values = self._kinds = None


_TEXT = frozenset({str})


class _Walk:
    """One check: the limits, and the ids of the containers on the way down (a cycle runs into one)."""

    __slots__ = ("max_depth", "max_size", "max_int", "active")

    def __init__(self, limits: DataLimits):
        self.max_depth, self.max_size = limits.max_depth, limits.max_size
        self.max_int = 1 << limits.max_int_bits
        self.active: set[int] = set()

    def top(self, data: dict) -> None:
        """The task data itself: each variable in turn, so a size problem names the one that tipped it."""
        size = self.keys(data)
        single = [None]
        for name, value in data.items():
            single[0] = value
            try:
                size = self.items(single, 0, size)
            except _Bad as bad:
                bad.parts.append(name)
                raise
            if size > self.max_size:
                raise _Bad(self._too_large(), where=name)

    def container(self, value, depth: int, size: int) -> int:
        """`size` plus the JSON size of `value` (a dict or list), checked on the way."""
        if depth > self.max_depth:
            raise _Bad(f"nested deeper than {self.max_depth} levels")
        key = id(value)
        active = self.active
        if key in active:
            raise _Bad("contains itself (a cycle)")
        active.add(key)
        if type(value) is dict:
            size = self.keys(value, size)
            items = value.values()
        else:
            size += 2 + len(value)
            items = value
        try:
            if len(items) > 16 and set(map(type, items)) <= _PLAIN:  # a run of scalars: a C pass per kind
                size = self._scalars(items, set(map(type, items)), size, items)
            else:
                size = self.items(items, depth, size)
        except _Bad as bad:
            if bad.found is not _NOTHING:  # name the item: its key or index, found by identity
                bad.parts.append(_where(items, bad.found))
                bad.found = _NOTHING
            raise
        active.discard(key)
        if size > self.max_size:
            raise _Bad(self._too_large(), whole=True)
        return size

    @staticmethod
    def keys(value: dict, size: int = 0) -> int:
        keys = set(map(type, value))
        if keys and keys != {str}:
            bad = next(k for k in value if type(k) is not str)
            raise _Bad(f"the key {_short(bad)} is {_describe(bad)}, not text")
        if "typename" in value:
            raise _Bad("a dict with the key 'typename' would be read back as one of the store's typed values")
        return size + 2 + sum(map(len, value)) + 4 * len(value)

    def items(self, items, depth: int, size: int) -> int:
        """`size` plus the JSON size of each of `items`; a problem names the item it was found in."""
        max_int = self.max_int
        for item in items:
            kind = type(item)
            if kind is str:
                size += len(item) + 2
                if not item.isascii():
                    self._encodable(item, None)
            elif kind is int:
                if not -max_int < item < max_int:
                    self._too_big_int((item,), None)
                size += 20
            elif kind is float:
                if item - item != 0.0:  # NaN or infinity
                    raise _Bad(f"{item!r} is not JSON data (NaN and infinity are refused)", found=item)
                size += 24
            elif kind is dict or kind is list:
                try:
                    size = self.container(item, depth + 1, size)
                except _Bad as bad:
                    if bad.found is _NOTHING:  # found in the container itself (depth, cycle, keys): name it
                        bad.found = item
                    raise
            elif item is None or kind is bool:
                size += 5
            elif kind in _TYPED:
                if kind is _dt.timedelta and item.microseconds:
                    raise _Bad("a timedelta with microseconds would lose them in the store (the registry "
                               "keeps days and seconds)", found=item)
                size += _TYPED_SIZE
            else:
                raise _Bad(f"{_describe(item)} is not JSON data{_HINTS.get(kind, '')}", found=item)
        return size

    def _too_large(self) -> str:
        limit = self.max_size
        return f"larger than {limit / (1 << 20):g} MB as JSON" if limit >= 1 << 20 else \
            f"larger than {limit} characters as JSON"

    def _scalars(self, items, kinds, size: int, among) -> int:
        """Check the text, ints and floats of `items` (all plain, of `kinds`), one C pass per kind;
        `among` is the container's items, where a bad one is looked for by identity."""
        if str in kinds:
            texts = items if len(kinds) == 1 else [item for item in items if type(item) is str]
            size += sum(map(len, texts)) + 2 * len(texts)
            if not all(map(str.isascii, texts)):
                try:
                    "".join(texts).encode("utf-8")
                except UnicodeEncodeError:
                    for text in texts:
                        self._encodable(text, among)
        if int in kinds:
            ints = items if len(kinds) == 1 else [item for item in items if type(item) is int]
            if ints and (max(ints) >= self.max_int or min(ints) <= -self.max_int):
                self._too_big_int(ints, among)
            size += 20 * len(ints)
        if float in kinds:
            floats = items if len(kinds) == 1 else [item for item in items if type(item) is float]
            if not all(map(math.isfinite, floats)):
                bad = next(f for f in floats if not math.isfinite(f))
                raise _Bad(f"{bad!r} is not JSON data (NaN and infinity are refused)", where=_where(among, bad))
            size += 24 * len(floats)
        return size + 5 * len(items) if (bool in kinds or type(None) in kinds) else size

    def _encodable(self, text: str, among) -> None:
        """Raise unless `text` encodes as UTF-8; `among`: where to look it up (None: the items loop's own)."""
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _Bad("text with a lone surrogate cannot be stored as UTF-8", **_at(among, text)) from None

    def _too_big_int(self, ints, items) -> None:
        bad = next(n for n in ints if not -self.max_int < n < self.max_int)
        bits = bad.bit_length()
        digits = f"{len(str(abs(bad)))}" if bits < 10_000 else f"about {int(bits * math.log10(2)) + 1}"
        raise _Bad(f"an int of {digits} digits is larger than the store keeps (|n| < 2**{self.max_int.bit_length() - 1})",
                   **_at(items, bad))


def _at(among, found) -> dict:
    return {"found": found} if among is None else {"where": _where(among, found)}


def _where(items, found):
    """The key or index at which `found` sits among `items` (a dict's values or a list)."""
    mapping = getattr(items, "mapping", None)  # a dict's values view knows its dict
    if mapping is not None:
        return next(k for k, v in mapping.items() if v is found)
    return next(i for i, v in enumerate(items) if v is found)


def _describe(value) -> str:
    kind = type(value)
    if isinstance(value, BaseException):
        return f"an exception ({kind.__name__})"
    name = kind.__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    if kind in (int, float, str, bool, tuple, set, frozenset, _dt.date, _dt.time):
        return f"{article} {name}"
    return f"{article} {name} object"


_SCALARS = (str, float, bool, type(None))


def _short(value) -> str:
    """A key as the message shows it: its repr when it is small scalars, else its type."""
    kind = type(value)
    small = kind in _SCALARS or kind is int and value.bit_length() < 256
    if kind is tuple and len(value) <= 8:
        small = all(type(item) in _SCALARS or type(item) is int and item.bit_length() < 256 for item in value)
    text = repr(value) if small else f"<{kind.__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."


def _path(parts: list) -> str:
    text = str(parts[0])
    for part in parts[1:]:
        text += f"[{part}]" if type(part) is int else f".{part}" if part.isidentifier() else f"[{part!r}]"
    return text if len(text) <= 80 else text[:40] + "…" + text[-30:]

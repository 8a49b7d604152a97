"""FEEL's values that Python lacks (years-and-months durations, ranges, unary tests) and the ISO 8601
text that FEEL's temporal literals are written in, read and written without any I/O.

Days-and-time durations are `datetime.timedelta`, dates `date`, date-times `datetime` and times
`time`, so the sandbox's existing attribute rules and SpiffWorkflow's serializer already know them.
A years-and-months duration (`P1Y2M`) has no Python type: it is not a fixed number of days, so it
gets the small `YearMonthDuration` here. Every reader returns None for text it cannot read, the way
FEEL turns a bad `date("...")` into null; digit runs are bounded so no text builds a huge number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import total_ordering

_DATE = re.compile(r"-?\d{4,9}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?")
_DURATION = re.compile(r"(-)?P(?!$)(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})W)?(?:(\d{1,9})D)?"
                       r"(?:T(?!$)(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,9})?)S)?)?")


@total_ordering
@dataclass(frozen=True)
class YearMonthDuration:
    """A FEEL years-and-months duration such as `P1Y2M`, kept as a whole number of months."""

    months: int

    def __lt__(self, other):
        if not isinstance(other, YearMonthDuration):
            return NotImplemented
        return self.months < other.months

    def __str__(self) -> str:
        sign, months = ("-" if self.months < 0 else ""), abs(self.months)
        years, rest = divmod(months, 12)
        body = (f"{years}Y" if years else "") + (f"{rest}M" if rest or not years else "")
        return f"{sign}P{body}"


@dataclass(frozen=True)
class FeelRange:
    """A FEEL range such as `[1..10)`: its end points and whether each end is included."""

    low: object
    high: object
    low_closed: bool = True
    high_closed: bool = True


@dataclass(frozen=True)
class UnaryTest:
    """A FEEL unary test such as `< 5` inside `x in (< 5, > 10)`: an operator and its end point."""

    op: str
    value: object


def parse_date(text) -> date | None:
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_time(text) -> time | None:
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        return None
    try:
        return time.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_date_and_time(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    day, _, clock = text.partition("T")
    if parse_date(day) is None or (clock and parse_time(clock) is None):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_duration(text) -> timedelta | YearMonthDuration | None:
    """`P3D`, `PT1H30M`, `-P1D` as a timedelta; `P1Y2M` as a YearMonthDuration; None otherwise."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if not match:
        return None
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    factor = -1 if sign else 1
    if years or months:
        if any((weeks, days, hours, minutes, seconds)):
            return None  # FEEL has no duration that mixes months with days
        return YearMonthDuration(factor * (int(years or 0) * 12 + int(months or 0)))
    try:
        return factor * timedelta(weeks=int(weeks or 0), days=int(days or 0), hours=int(hours or 0),
                                  minutes=int(minutes or 0), seconds=float(seconds or 0))
    except OverflowError:
        return None


def parse_temporal(text):
    """The value of a FEEL `@"..."` literal: a duration, date-time, time or date, or None."""
    if not isinstance(text, str):
        return None
    if text.lstrip("-").startswith("P"):
        return parse_duration(text)
    if "T" in text:
        return parse_date_and_time(text)
    if ":" in text:
        return parse_time(text)
    return parse_date(text)


def iso_duration(delta: timedelta) -> str:
    """A timedelta as ISO 8601 text (`P1DT2H`), the form SpiffWorkflow's timers read."""
    sign = "-" if delta < timedelta(0) else ""
    delta = abs(delta)
    days, seconds = delta.days, delta.seconds + delta.microseconds / 1_000_000
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = "".join(f"{int(v) if unit != 'S' else _seconds(v)}{unit}"
                    for v, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if v)
    body = (f"{days}D" if days else "") + (f"T{clock}" if clock else "")
    return f"{sign}P{body or 'T0S'}"


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6f}".rstrip("0")


def iso_text(value):
    """A FEEL temporal value as the ISO 8601 text timers read; other values are returned as they are."""
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, YearMonthDuration):
        return str(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept on the month's last day when it has fewer days (Jan 31 + P1M)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    next_month = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (next_month - timedelta(days=1)).day
    return day.replace(year=year, month=month + 1, day=min(day.day, last))

"""The one clock the engine reads, injected so that tests and demos can move time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from engine.i18n import Phrase


class Clock:
    """Source of the current time; every time-dependent part of the engine asks this."""

    def now(self) -> datetime:  # pragma: no cover - interface
        raise NotImplementedError


class SystemClock(Clock):
    """The machine's wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock(Clock):
    """A clock stopped at one instant, as `--now` gives it to a single command."""

    def __init__(self, instant: datetime):
        if instant.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self._instant = instant

    def now(self) -> datetime:
        return self._instant


class FakeClock(FixedClock):
    """A clock that tests move forward by hand instead of sleeping."""

    def advance(self, delta: timedelta) -> datetime:
        self._instant = self._instant + delta
        return self._instant

    def set(self, instant: datetime) -> None:
        self._instant = instant


def parse_instant(text: str, default_tz=timezone.utc) -> datetime:
    """Read an ISO 8601 instant; a naive one is taken in `default_tz`."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=default_tz)


def moment(text: str, zone) -> datetime:
    """An ISO date-time (or ISO week date) as a UTC instant; a naive one is read in `zone`."""
    if "W" in text.upper():
        match = re.match(r"(\d{4})W(\d{2})(\d)(T.+)?", text.upper().replace("-", ""))
        if match is None:
            raise ValueError(f"not an ISO week date: {text!r}")
        year, week, day, rest = match.groups()
        text = datetime.fromisocalendar(int(year), int(week), int(day)).strftime("%Y-%m-%d") + (rest or "")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(timezone.utc)


def timer_due(event_value, zone) -> datetime | None:
    """The UTC instant a waiting timer is due, from what it keeps in `internal_data['event_value']`
    (an ISO text, or a cycle's {"cycles", "next"}); None when not reached, no cycle left or unreadable.
    Read by the engine (`spiff.timers.due_of`) and by the store-only reader alike."""
    if event_value is None:
        return None
    if isinstance(event_value, dict):
        if event_value.get("cycles", 0) == 0:
            return None
        event_value = event_value.get("next")
    try:
        return moment(event_value, zone)
    except (TypeError, ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------
# Instants and spans a person types: checked before anything computes with them
# ---------------------------------------------------------------------------------------------
EARLIEST, LATEST = 1970, 2999          # --now outside these years is a typing slip, not a simulation
LONGEST_SPAN = timedelta(days=100 * 366)
_SPAN = re.compile(r"^(\d{1,6})([mhdw])$", re.IGNORECASE)
_ISO_SPAN = re.compile(r"^P(?!$)(?:(\d{1,6})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})W)?(?:(\d{1,6})D)?"
                       r"(?:T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6})(?:\.\d{1,6})?S)?)?$")


def checked_instant(text: str, zone) -> datetime:
    """`parse_instant` for a simulated `--now`: ValueError when malformed or outside 1970–2999."""
    value = parse_instant(text, zone)
    if not EARLIEST <= value.year <= LATEST:
        raise ValueError(Phrase("'{text}' is outside the years {earliest}–{latest}", text=text, earliest=EARLIEST,
                                latest=LATEST))
    return value


def zone_named(name: str):
    """The IANA time zone `name` (dates without a zone are read in it); BadInput for anything else."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from engine.errors import BadInput

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadInput("'{name}' is not a time zone (e.g. Asia/Shanghai, UTC)", name=name) from None


def parse_span(text: str) -> timedelta:
    """`2d`, `36h`, `90m`, `1w` or an ISO 8601 duration (`P2D`, `PT36H`; a year is 365 days, a month
    30) as a timedelta of at most a hundred years; ValueError otherwise."""
    text = text.strip()
    short = _SPAN.match(text)
    if short:
        span = timedelta(**{{"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[short.group(2).lower()]:
                            int(short.group(1))})
    else:
        iso = _ISO_SPAN.match(text.upper())
        if not iso:
            raise ValueError(Phrase("'{text}' is not a span like 2d, 36h, 90m, 1w or P2D", text=text))
        y, mo, w, d, h, mi, s = (int(part or 0) for part in iso.groups())
        span = timedelta(days=365 * y + 30 * mo + 7 * w + d, hours=h, minutes=mi, seconds=s)
    if span > LONGEST_SPAN:
        raise ValueError(Phrase("'{text}' is longer than a hundred years", text=text))
    return span


# ---------------------------------------------------------------------------------------------
# ISO 8601 timer literals (a bare `P3D`, `R/PT1H`, `2023-10-09T09:00`), shared by the model loader and the sandbox
# ---------------------------------------------------------------------------------------------
_ISO = re.compile(
    r"""^(
        R\d*/.+                                   # repeating interval R/P1W, R3/2024-01-01T00:00/P1D
      | P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?   # duration
      | \d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?    # date / date-time
    )$""",
    re.VERBOSE,
)


def is_iso_literal(text: str) -> bool:
    """True when `text` is a bare ISO 8601 duration, cycle or instant."""
    return bool(_ISO.match(text.strip()))

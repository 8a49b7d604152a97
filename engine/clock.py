"""The one clock the engine reads, injected so that tests and demos can move time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


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

"""Calendars that timers count in: plain calendar days, or working days of a public-holiday calendar.

A designer picks one per timer in the BPMN file with the extension property
`<spiffworkflow:property name="calendar" value="workdays-cn"/>` on the timer event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from engine.errors import ModelInvalid


class Calendar:
    """Counts days: `add_days(start, n)` returns the instant n counted days after `start`."""

    name = "calendar"

    def add_days(self, start: datetime, days: int) -> datetime:
        return start + timedelta(days=days)


class WorkdaysCN(Calendar):
    """Working days of the PRC public-holiday schedule, official make-up working days included.

    The schedule comes from the `chinese-calendar` package (years it publishes; a date outside
    them is an error rather than a silent guess). Counting starts the next working day at the same
    local time, so a report due "within 3 working days" of Friday 10:00 is due Wednesday 10:00.
    """

    name = "workdays-cn"

    def is_workday(self, day: date) -> bool:
        import chinese_calendar

        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise ModelInvalid("the PRC holiday calendar has no data for {year}", year=day.year) from None

    def add_days(self, start: datetime, days: int) -> datetime:
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_workday(current.date()):
                left -= 1
        return current


CALENDARS: dict[str, Calendar] = {c.name: c for c in (Calendar(), WorkdaysCN())}


def calendar_named(name: str | None) -> Calendar:
    """The calendar a timer names, plain calendar days when it names none."""
    if not name:
        return CALENDARS["calendar"]
    if name not in CALENDARS:
        raise ModelInvalid("unknown timer calendar '{name}' (known: {value})", name=name, value=', '.join(sorted(CALENDARS)))
    return CALENDARS[name]

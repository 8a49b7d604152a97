"""phasegate/timer-compiles: timer text is an ISO 8601 literal of its kind, or an expression that compiles."""

from datetime import timedelta

from ...expressions import refusal
from engine.bpmn.timertext import is_iso_literal

DESCRIPTION = "Timers have a value: an ISO 8601 date, duration or cycle, or an expression that compiles."

KINDS = ("timeDate", "timeDuration", "timeCycle")


def check(model, report):
    for definition in model.of_type("timerEventDefinition"):
        if not definition.is_executable:
            continue
        event = definition.parent or definition
        values = [c for c in definition.children if c.type in KINDS]
        if not values:
            report(event, "Timer has no timeDate, timeDuration or timeCycle")
            continue
        for value in values:
            text = _as_engine_reads(value.node.text)
            if not text:
                report(event, "Timer <{type}> is empty", line=value.line, type=value.type)
            elif is_iso_literal(text):
                why = _iso_problem(value.type, text)
                if why:
                    report(event, "Timer <{type}> {text!r}: {why}", line=value.line, type=value.type, text=text, why=why)
            else:
                why = refusal(text)
                if why:
                    report(event, "Timer <{type}> does not compile: {why}", line=value.line, type=value.type, why=why)


def _as_engine_reads(text: str | None) -> str:
    """The timer text as the engine reads it: a FEEL/JUEL constant becomes its ISO text."""
    from engine.errors import ExpressionRefused
    from engine.sandbox.translate import timer_text

    text = (text or "").strip()
    try:
        return timer_text(text) if text else text
    except ExpressionRefused:
        return text  # reported below as not compiling, in the sandbox's words


def _iso_problem(kind: str, text: str) -> str | None:
    from engine.spiff import TimerEventDefinition as Timer

    from datetime import datetime, timezone

    try:
        if kind == "timeDuration":
            span = _span(Timer.parse_iso_duration(text))
            if span <= timedelta(0):
                return "the duration is not positive"
            if span > HORIZON:
                return "the duration is more than a hundred years"
        elif kind == "timeCycle":
            period = [p for p in text.upper().split("/")[1:] if p.startswith("P")]
            if period and _span(Timer.parse_iso_duration(period[0])) <= timedelta(0):
                return "the cycle's period is not positive: it would fire without end"
            Timer.parse_iso_recurring_interval(text)
        else:
            moment = Timer.get_datetime(text)
            if moment.replace(tzinfo=moment.tzinfo or timezone.utc).year > datetime.now(timezone.utc).year + 100:
                return "the date is more than a hundred years away"
    except Exception as err:  # SpiffWorkflow raises plain Exception and ValueError here
        return f"not a valid ISO 8601 {kind[4:].lower()} ({err})"
    return None


HORIZON = timedelta(days=100 * 366)


def _span(parsed: dict):
    """A parsed ISO duration as a timedelta (a year 365 days, a month 30), for the horizon checks."""
    days = 365 * parsed.get("years", 0) + 30 * parsed.get("months", 0) + 7 * parsed.get("weeks", 0)
    return timedelta(days=days + parsed.get("days", 0), hours=parsed.get("hours", 0),
                     minutes=parsed.get("minutes", 0), seconds=parsed.get("seconds", 0))


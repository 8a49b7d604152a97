"""phasegate's script engine: service tasks call the programme's Python handlers, errors keep their cause,
and timers read this engine's clock (see `timers.py`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.errors import TaskFailed


class HandlerScriptEngine(PythonScriptEngine):
    """A PythonScriptEngine whose service tasks dispatch to `handlers` by operator id, and whose
    `now()`, `zone` and `due_after` are what the workflow's timers read.

    SpiffWorkflow's base `call_service` raises a NameError that hides the real error; here an
    unknown operator or a failing handler becomes TaskFailed naming the task and the cause.
    A handler with a keyword parameter `now` that the model does not set receives this engine's
    clock as an ISO 8601 instant (UTC), so handlers stay plain functions and tests move time.
    """

    def __init__(self, handlers: Mapping[str, Callable[..., dict]], environment=None, clock=None, zone=None,
                 due_after: Callable | None = None):
        super().__init__(environment=environment)
        self.handlers = dict(handlers)
        self.clock = clock
        self.zone = zone
        self._due_after = due_after

    def now(self) -> datetime:
        """The engine's clock (the system clock when none was given), aware."""
        return datetime.now(timezone.utc) if self.clock is None else self.clock.now()

    def due_after(self, task, start: datetime, parsed: dict) -> datetime:
        """`start` plus a parsed ISO duration, on the task's calendar when the runner gave one."""
        if self._due_after is not None:
            return self._due_after(task, start, parsed)
        from engine.spiff.timers import timedelta_from_start

        return start + timedelta_from_start(parsed, start)

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        where = f"service task '{task.task_spec.bpmn_id}'"
        handler = self.handlers.get(operation_name)
        if handler is None:
            known = ", ".join(sorted(self.handlers)) or "none"
            raise TaskFailed("{where}: no handler for operator '{operation_name}' (known: {known})", where=where, operation_name=operation_name, known=known)
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        if "now" not in params and _takes_now(handler):
            params["now"] = self.now().astimezone(timezone.utc).isoformat(timespec="seconds")
        try:
            result = handler(**params)
        except TaskFailed:
            raise
        except Exception as err:  # a handler's own failure: report it, keep the cause
            raise TaskFailed("{where} ({operation_name}) failed: {err}", where=where, operation_name=operation_name, err=err) from err
        try:
            return json.dumps(result, ensure_ascii=False)
        except (TypeError, ValueError) as err:
            raise TaskFailed("{where} ({operation_name}) returned data that is not JSON: {err}", where=where, operation_name=operation_name, err=err) from err


def _takes_now(handler: Callable) -> bool:
    """Whether `handler` has a parameter called `now` (the engine's clock is handed to it)."""
    import inspect

    try:
        return "now" in inspect.signature(handler).parameters
    except (TypeError, ValueError):
        return False

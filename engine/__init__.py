"""phasegate's engine: runs BPMN models on SpiffWorkflow with a store, a clock, forms and lanes.

Generic: it knows no department or KPI. A programme (see `Programme`) brings those in.
"""

from engine.clock import Clock, FakeClock, FixedClock, SystemClock
from engine.errors import (BadInput, ChangedMeanwhile, Conflict, InvalidForm, ModelInvalid, NotAllowed, NotFound,
                     PhasegateError, StoreError, TaskFailed, TaskNotReady, UnknownInstance, UnknownPerson,
                     UnknownProcess, UnknownTask)
from engine.programme import Programme
from engine.store import Store

_LAZY = {"Engine": ".api"}  # imported on first use: keeps `phasegate --help` and errors fast


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'engine' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))

__all__ = [
    "BadInput", "ChangedMeanwhile", "Clock", "Conflict", "Engine", "FakeClock", "FixedClock", "InvalidForm",
    "ModelInvalid", "NotAllowed", "NotFound", "PhasegateError", "Programme", "Store", "StoreError",
    "SystemClock", "TaskFailed", "TaskNotReady", "UnknownInstance", "UnknownPerson", "UnknownProcess",
    "UnknownTask",
]

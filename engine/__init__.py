"""phasegate's engine: runs BPMN models on SpiffWorkflow with a store, a clock, forms and lanes.

Generic: it knows no department or KPI. A programme (see `Programme`) brings those in.
"""

from .api import Engine
from .clock import Clock, FakeClock, FixedClock, SystemClock
from .errors import (BadInput, ChangedMeanwhile, Conflict, InvalidForm, ModelInvalid, NotAllowed, NotFound,
                     PhasegateError, StoreError, TaskFailed, TaskNotReady, UnknownInstance, UnknownPerson,
                     UnknownProcess, UnknownTask)
from .programme import Programme
from .store import Store

__all__ = [
    "BadInput", "ChangedMeanwhile", "Clock", "Conflict", "Engine", "FakeClock", "FixedClock", "InvalidForm",
    "ModelInvalid", "NotAllowed", "NotFound", "PhasegateError", "Programme", "Store", "StoreError",
    "SystemClock", "TaskFailed", "TaskNotReady", "UnknownInstance", "UnknownPerson", "UnknownProcess",
    "UnknownTask",
]

"""The two library functions phasegate changes for the whole process (contracts 1 and 2 in
`engine/spiff/__init__.py`). Neither holds per-engine state: every engine in a process wants them
the same, and both are idempotent.

1. Loop stall: `TaskIterator` stops descending at depth 1000, so past ~333 rounds of a send-back
   loop that compaction cannot shorten the READY task is invisible and the instance silently
   stalls. The library builds iterators in many places (joins, the end join, workflows), so the
   default depth is lifted where it is defined, found by the parameter's name.
2. Log extras: every task state change builds a dict of log details (at the default logger level,
   a copy of the task data too) and its message before asking the logger, which then drops the
   record: ~10% of the library's time (issue 6). `skip_unlogged_extras` builds them only when the
   `spiff.task` or `spiff.data` logger would emit INFO records; what is logged does not change. (The workflow's
   details are skipped the same way by `workflow.Workflow.collect_log_extras`, a subclass.)
"""

from __future__ import annotations

import inspect
import logging
import sys

UNLIMITED = sys.maxsize
DEPTH_PARAMETER = "max_depth"
RECURSION_LIMIT = 20000  # the serializer, predictions and `Task.is_descendant_of` recurse along the tree


def _iterator_inits() -> list:
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
    from SpiffWorkflow.util.task import TaskIterator

    return [TaskIterator.__init__, BpmnTaskIterator.__init__]


def depth_default_position(func) -> int:
    """The index in `func.__defaults__` of its `max_depth` default (raises if it has none)."""
    with_defaults = [p.name for p in inspect.signature(func).parameters.values()
                     if p.default is not inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    return with_defaults.index(DEPTH_PARAMETER)


def lift_depth_limit() -> None:
    """Make every task iterator walk the whole task tree, however long a loop has run. Idempotent."""
    for func in _iterator_inits():
        position = depth_default_position(func)
        defaults = list(func.__defaults__)
        if defaults[position] != UNLIMITED:
            defaults[position] = UNLIMITED
            func.__defaults__ = tuple(defaults)
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


# The loggers that log a task's details (SpiffWorkflow 3.2, all at INFO or DEBUG).
TASK_DETAIL_LOGGERS = ("spiff.task", "spiff.data")


def _set_state_quietly(task_module):
    """`Task._set_state` of SpiffWorkflow 3.2 (task.py:304-316), asking the logger before it builds the
    message: `TaskState.get_name` builds a dict per call, ~4% of a command (measured)."""
    state_name, logger = task_module.TaskState.get_name, task_module.logger

    def _set_state(self, value: int) -> None:
        if value != self._state:
            now = task_module.time.time()
            elapsed = now - self.last_state_change
            self.last_state_change = now
            self._state = value
            if logger.isEnabledFor(logging.INFO):
                logger.info(f"State changed to {state_name(value)}", extra=self.collect_log_extras({"elapsed": elapsed}))
        elif logger.isEnabledFor(logging.DEBUG):
            logger.debug(f"State set to {state_name(value)}", extra=self.collect_log_extras())

    _set_state.__wrapped__ = task_module.Task._set_state
    return _set_state


def skip_unlogged_extras() -> None:
    """Build task log details and state-change messages only when they would be logged. Idempotent."""
    from SpiffWorkflow import task as task_module

    cls = task_module.Task
    method = cls.collect_log_extras
    if not hasattr(method, "__wrapped__"):
        loggers = [logging.getLogger(name) for name in TASK_DETAIL_LOGGERS]

        def collect_log_extras(self, dct=None):
            if any(logger.isEnabledFor(logging.INFO) for logger in loggers):
                return method(self, dct)
            return dct if dct is not None else {}

        collect_log_extras.__wrapped__ = method
        cls.collect_log_extras = collect_log_extras
    if not hasattr(cls._set_state, "__wrapped__"):
        cls._set_state = _set_state_quietly(task_module)

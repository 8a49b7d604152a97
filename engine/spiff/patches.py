"""The two places where phasegate must reach into SpiffWorkflow 3.2 itself, kept in one module.

1. Loop stall: `TaskIterator` stops descending at depth 1000, so after ~333 rounds of a
   send-back loop the READY task is invisible and the instance silently stalls. The library
   builds iterators in many places (Join, gateways, workflow), so the default depth is lifted
   where it is defined.
2. Deep trees: `Task.is_descendant_of` recurses once per ancestor, so a parallel join reached
   after ~500 loop rounds (a tree ~2,000 tasks deep) raises RecursionError. It is replaced by the
   same walk written as a loop.
3. The clock: every timer reads `datetime.now(timezone.utc)` through the module
   `SpiffWorkflow.bpmn.specs.event_definitions.timer`, and naive dates are read in its `LOCALTZ`.
   `install_clock` points both at phasegate's injected clock and configured zone.
4. Log extras: every task state change builds a dict of log details (and, at the default logger
   level, a copy of the task data; a workflow's also lists every task) before asking the logger,
   which then drops the record: ~10% of the library's time (issue 6). `skip_unlogged_extras` builds
   them only when the `spiff` loggers would emit INFO records; what is logged does not change.
"""

from __future__ import annotations

import logging
import sys

UNLIMITED = sys.maxsize


def _lift(func, position_of_max_depth: int) -> None:
    defaults = list(func.__defaults__)
    if defaults[position_of_max_depth] != UNLIMITED:
        defaults[position_of_max_depth] = UNLIMITED
        func.__defaults__ = tuple(defaults)


def _is_descendant_of(self, task) -> bool:
    """Whether `task` is an ancestor of this task (iterative: no recursion limit)."""
    node = self.parent
    while node is not None:
        if node == task:
            return True
        node = node.parent
    return False


def lift_depth_limit() -> None:
    """Make every task iterator walk the whole task tree, however long a loop has run. Idempotent."""
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
    from SpiffWorkflow.util.task import TaskIterator

    # TaskIterator(task, end_at_spec=None, max_depth=1000, depth_first=True, task_filter=None)
    _lift(TaskIterator.__init__, 1)
    # BpmnTaskIterator(task, end_at_spec=None, max_depth=1000, depth_first=True, skip_subprocesses=False, ...)
    _lift(BpmnTaskIterator.__init__, 1)
    from SpiffWorkflow.task import Task

    Task.is_descendant_of = _is_descendant_of
    if sys.getrecursionlimit() < 20000:  # serializer and predictions still recurse along the tree
        sys.setrecursionlimit(20000)


def install_clock(clock, zone) -> None:
    """Make every SpiffWorkflow timer read `clock` (one microsecond ahead, so that a timer due at
    an instant fires at that instant rather than just after) and read naive dates in `zone`."""
    from datetime import datetime, timedelta, timezone

    from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module

    class ClockDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            instant = clock.now() + timedelta(microseconds=1)
            return instant.astimezone(tz or timezone.utc)

    timer_module.datetime = ClockDatetime
    timer_module.LOCALTZ = zone


# The loggers that log a task's or a workflow's details (SpiffWorkflow 3.2, all at INFO or DEBUG).
TASK_DETAIL_LOGGERS = ("spiff.task", "spiff.data")
WORKFLOW_DETAIL_LOGGERS = ("spiff.workflow",)


def _quiet(method, names):
    loggers = [logging.getLogger(name) for name in names]

    def collect_log_extras(self, dct=None):
        if any(logger.isEnabledFor(logging.INFO) for logger in loggers):
            return method(self, dct)
        return dct if dct is not None else {}

    collect_log_extras.__wrapped__ = method
    return collect_log_extras


def _set_state_quietly(task_module):
    """`Task._set_state` of SpiffWorkflow 3.2, asking the logger before building the message."""
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
    """Build task and workflow log details only when they would be logged. Idempotent."""
    from SpiffWorkflow import task as task_module
    from SpiffWorkflow import workflow as workflow_module

    for cls, names in ((task_module.Task, TASK_DETAIL_LOGGERS), (workflow_module.Workflow, WORKFLOW_DETAIL_LOGGERS)):
        if not hasattr(cls.collect_log_extras, "__wrapped__"):
            cls.collect_log_extras = _quiet(cls.collect_log_extras, names)
    if not hasattr(task_module.Task._set_state, "__wrapped__"):
        task_module.Task._set_state = _set_state_quietly(task_module)

"""The two places where phasegate must reach into SpiffWorkflow 3.2 itself, kept in one module.

1. Loop stall: `TaskIterator` stops descending at depth 1000, so after ~333 rounds of a
   send-back loop the READY task is invisible and the instance silently stalls. The library
   builds iterators in many places (Join, gateways, workflow), so the default depth is lifted
   where it is defined.
"""

from __future__ import annotations

import sys

UNLIMITED = sys.maxsize


def _lift(func, position_of_max_depth: int) -> None:
    defaults = list(func.__defaults__)
    if defaults[position_of_max_depth] != UNLIMITED:
        defaults[position_of_max_depth] = UNLIMITED
        func.__defaults__ = tuple(defaults)


def lift_depth_limit() -> None:
    """Make every task iterator walk the whole task tree, however long a loop has run. Idempotent."""
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
    from SpiffWorkflow.util.task import TaskIterator

    # TaskIterator(task, end_at_spec=None, max_depth=1000, depth_first=True, task_filter=None)
    _lift(TaskIterator.__init__, 1)
    # BpmnTaskIterator(task, end_at_spec=None, max_depth=1000, depth_first=True, skip_subprocesses=False, ...)
    _lift(BpmnTaskIterator.__init__, 1)

"""Bounds on how far one loop may grow (contract 7 in `engine/spiff/__init__.py`).

A multi-instance activity makes one child task per item before any of them runs: a
`loopCardinality` of `10**9`, or a collection of a million rows, would take every byte of memory
(the parallel kind) or run for hours (the sequential kind, one script child after another). A
standard loop without `loopMaximum` whose condition never turns false runs forever. Both ran past
30 s before issue 13. Now the number of instances is checked after the activity's pre-script and
before the first child is made, and a standard loop stops at its cap; either fails the task
(TaskFailed, exit 3) in one line naming the activity, the count and the cap. The cap is the
workflow's script engine's `max_instances` (each engine's own, set from its programme), so two
engines in one process keep their own.
"""

from __future__ import annotations

from collections.abc import Sized

from engine.errors import TaskFailed

MAX_INSTANCES = 500      # instances of one multi-instance activity; iterations of one standard loop
_BOUND = "_phasegate_bounded"


def cap_of(task) -> int:
    return getattr(task.workflow.script_engine, "max_instances", MAX_INSTANCES)


def instances_of(spec, task) -> int | None:
    """How many children the multi-instance activity `spec` is about to make for `task` (None: the
    library will say what is wrong with its input)."""
    if spec.data_input is not None:
        if not spec.data_input.exists(task):
            return None
        items = spec.data_input.get(task)
        return len(items) if isinstance(items, Sized) else None
    count = task.workflow.script_engine.evaluate(task, spec.cardinality)
    if isinstance(count, bool) or not isinstance(count, int):
        raise TaskFailed("task '{bpmn_id}': its loop cardinality is {name} {count!r:.40}, not a whole number", bpmn_id=spec.bpmn_id, name=type(count).__name__, count=count)
    return count


def bound_loops() -> None:
    """Check every multi-instance activity's count and every standard loop's iterations. Idempotent."""
    from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask

    if getattr(MultiInstanceTask, _BOUND, False):
        return

    def _update_hook(self, my_task):
        result = super(MultiInstanceTask, self)._update_hook(my_task)   # the pre-script may set the input
        count = instances_of(self, my_task)
        cap = cap_of(my_task)
        if count is not None and count > cap:
            raise TaskFailed("task '{bpmn_id}': {count} instances, more than the {cap} a multi-instance activity may have", bpmn_id=self.bpmn_id, count=count, cap=cap)
        return result

    create_child = StandardLoopTask.create_child

    def bounded_create_child(self, my_task):
        cap = cap_of(my_task)
        if len(my_task.internal_data.get("merged", [])) >= cap:
            raise TaskFailed("task '{bpmn_id}': its loop ran {cap} times, the most a standard loop may; give it a loopMaximum or a condition that ends it", bpmn_id=self.bpmn_id, cap=cap)
        return create_child(self, my_task)

    MultiInstanceTask._update_hook = _update_hook
    StandardLoopTask.create_child = bounded_create_child
    setattr(MultiInstanceTask, _BOUND, True)

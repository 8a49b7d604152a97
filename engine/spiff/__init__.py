"""The only code that imports SpiffWorkflow 3.2: the workflow subclass and its tree walk, the serializer
and its converters, the script engine, the clocked timers, compaction of the task tree, and the few
library contracts phasegate still relies on. Other engine modules take what they need from here
(`from engine.spiff import TaskState`); names are imported on first use, so importing this package
costs nothing until then.

Everything here is per engine: the clock, the zone and the calendar a timer reads come from the
script engine of the workflow that runs it (`timers.py`), which each engine's runner attaches after
every load. Nothing rewrites a library attribute that holds per-engine state.

Private contracts kept (SpiffWorkflow 3.2.0; file:line in the installed package). Each has a test in
tests/test_spiff_contracts.py that fails when the library changes it.

1. Iterator depth default (`util/task.py:182` `TaskIterator.__init__(..., max_depth=1000, ...)`,
   `bpmn/util/task.py:49` `BpmnTaskIterator.__init__`). Set to unlimited, found by name
   (`patches.lift_depth_limit`). Kept because the library builds iterators itself with the default
   (`specs/Join.py:115`, `bpmn/specs/control.py:154`, `workflow.py:87`, `bpmn/util/subworkflow.py:35`):
   past depth 1000 (~333 rounds of a loop that compaction cannot shorten, e.g. one in a
   sub-process) the READY task is invisible and the instance silently stalls. Engine-independent.
2. Log details built only when logged: `Task.collect_log_extras` (`task.py:399`) wrapped, and
   `Task._set_state` (`task.py:304-316`) replaced by its 3.2 body with the logger asked first
   (`patches.skip_unlogged_extras`). Kept because tasks are always of the class `Task` (`task.py:241`
   `Task(self.workflow, ...)`: no subclass seam), and building the details and messages was ~10% of
   the library's time (issue 6; `TaskState.get_name` alone ~4% of a command). What is logged does
   not change. Engine-independent. The test pins `_set_state`'s 3.2 source.
3. The task tree's fields, read directly for speed (`task.py:122-137`: `parent`/`children` are
   `workflow.tasks.get(self._parent)` and `[workflow.tasks.get(c) for c in self._children]`;
   `task.py:110` `state` is `self._state`). Kept because hashing each child's UUID through the
   properties was most of a walk's cost (issue 6). Written only through the public setters.
4. `TaskSpec._update(task)` is how a WAITING task is updated (`workflow.py:213-214`
   `Workflow.update_waiting_tasks`). Kept because `workflow.Workflow.update_waiting_tasks` walks the
   tree once as a loop (`tree.walk`) and must do per task what the library does.
5. The task JSON of serializer format 1.5 (`bpmn/serializer/default/workflow.py:31-56`
   `TaskConverter.to_dict`, in encoder mode). Kept because `serializer.dump_state` writes it without
   the registry's dispatch and reuses the text of finished tasks (issue 6): most of a save's cost.
   `stored.py` reads the same JSON without the library (issue 17: `show` and `form` in a fresh process),
   as `TaskConverter.from_dict` restores it (`bpmn/serializer/default/workflow.py:58-85`: data as the
   parent's data plus the delta, when the parent was restored first) and in `get_tasks()` order;
   tests/test_stored_reads.py compares it with the loaded workflow at every step of the programme.
6. The timer protocol (`bpmn/specs/event_definitions/timer.py:147-205`): catching events call
   `has_fired(my_task)` and `update_task(my_task)` (`bpmn/specs/mixins/events/event_types.py:56-62`),
   a cycle's `update_task` calls `cycle_complete(my_task)`, and the due instant is kept in
   `internal_data['event_value']` (read by `details()` and `waiting_events()`). Kept because
   overriding these is the only way a timer reads an engine's clock (the library reads
   `datetime.now` and its module's `LOCALTZ`).
7. Event sub-process triggers (`bpmn/specs/control.py:40-57`): `connect_or_add_trigger` lists a
   signal-started event sub-process in `BpmnStartTask.trigger_specs`, and `trigger_wf` connects it to
   the start task only on first use, only `if self not in spec.inputs`. Kept because that edge is
   never serialized: `signals.connect_triggers` adds the inputs when a spec is restored, or the
   finished sub-process fails in the next process ("No input task connected").
8. Loop growth (`bpmn/specs/mixins/multiinstance_task.py:307`, `:208`): both multi-instance kinds
   call their parent's `_update_hook` before the first child (`create_children`, `add_next_child`)
   and a standard loop makes every iteration through `create_child` (`:61`, `:80`). Kept because a
   count or a loop is checked nowhere else before it grows (`loops.bound_loops` adds the hook on
   `MultiInstanceTask` and wraps `StandardLoopTask.create_child`); the cap is each engine's own
   (its script engine's `max_instances`). Tested in tests/hostile/test_loops.py.

Seams used, not contracts: converters through `BpmnWorkflowSerializer.configure` (`serializer.py`,
`timers.py`), subclasses of `BpmnWorkflow`, `PythonScriptEngine` and the timer event definitions,
the public `Task.parent`/`children` setters (compaction), `registry.clean`/`convert` and
`create_encoder`.
"""

from __future__ import annotations

import importlib

_NAMES = {
    "TaskState": "SpiffWorkflow.util.task",
    "Task": "SpiffWorkflow.task",
    "BpmnWorkflow": "SpiffWorkflow.bpmn.workflow",
    "BoundaryEventSplit": "SpiffWorkflow.bpmn.specs.control",
    "TimerEventDefinition": "SpiffWorkflow.bpmn.specs.event_definitions.timer",
    "ValidationException": "SpiffWorkflow.bpmn.parser.ValidationException",
    "BasePythonScriptEngineEnvironment": "SpiffWorkflow.bpmn.script_engine.python_environment",
    "BpmnWorkflowSerializer": "SpiffWorkflow.bpmn.serializer.workflow",
    "SPIFF_CONFIG": "SpiffWorkflow.spiff.serializer.config",
    "SERIALIZER_CONFIG": "engine.spiff.serializer",
    "SpiffBpmnParser": "SpiffWorkflow.spiff.parser.process",
    "VALIDATOR": "SpiffWorkflow.spiff.parser.process",
    "due_of": "engine.spiff.timers",
    "moment": "engine.spiff.timers",
    "parse_iso_duration": "engine.spiff.timers",
    "timedelta_from_start": "engine.spiff.timers",
    "timer_definition": "engine.spiff.timers",
    "timer_kind": "engine.spiff.timers",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.spiff' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

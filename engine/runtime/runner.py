"""Load → act → save for one workflow: start, list READY user tasks, complete one, run engine steps.

No SQL, no forms, no rendering here: the engine facade (`api.py`) composes those around it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache

from engine.spiff.taskdata import copy_data
from engine.errors import ModelInvalid, PhasegateError, TaskFailed, TaskNotReady, UnknownTask
from engine.spiff.compaction import compact


MAX_STEPS = 2500  # engine steps one command may run: each walks the whole task tree, so a loop costs its square


class Runner:
    """Runs SpiffWorkflow workflows with the programme's handlers attached, on one engine's clock.

    The clock, the zone and the timers' calendars live on this runner's script engine, which every
    workflow this runner starts or loads carries (`attach`): two engines in one process each keep
    their own time."""

    def __init__(self, handlers: Mapping[str, Callable[..., dict]], clock, zone, max_instances: int | None = None):
        from engine.runtime.datacheck import DataChecker
        from engine.runtime.timers import due_after
        from engine.sandbox.environment import SandboxEnvironment
        from engine.spiff.loops import MAX_INSTANCES, bound_loops
        from engine.spiff.patches import lift_depth_limit, skip_unlogged_extras
        from engine.spiff.script_engine import HandlerScriptEngine

        lift_depth_limit()
        skip_unlogged_extras()
        bound_loops()
        self.clock = clock
        self.check_data = DataChecker()
        self.script_engine = HandlerScriptEngine(handlers, environment=SandboxEnvironment(clock), clock=clock, zone=zone,
                                                 due_after=due_after)
        self.script_engine.max_instances = max_instances or MAX_INSTANCES  # read by engine/spiff/loops.py

    # -- building -------------------------------------------------------------------------------

    def new_scanned(self, spec, subprocess_specs, data: dict) -> tuple:
        """A new workflow whose start event carries `data`, advanced to its first wait, and the scan
        of the open tasks its advance ended with."""
        from engine.spiff import TaskState
        from engine.spiff.workflow import Workflow

        try:
            workflow = Workflow(spec, subprocess_specs, script_engine=self.script_engine)
        except RecursionError:  # SpiffWorkflow predicts every path at creation; an endless one recurses
            raise ModelInvalid("process '{name}': its paths loop without end, so it cannot start; run `phasegate lint` on its file", name=spec.name) from None
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(copy.deepcopy(data))
        return workflow, self.advance(workflow)

    def attach(self, workflow) -> None:
        """Re-attach the script engine after deserialization (it is not serialized)."""
        workflow.script_engine = self.script_engine

    # -- acting ---------------------------------------------------------------------------------

    def advance(self, workflow) -> "Scan":
        """Run every engine step that is ready (gateways, scripts, service tasks, due timers) until
        only user tasks and timers not yet due are left (a timer reached fixes its due instant on this
        runner's clock). Returns the open tasks found by the last walk of the tree (valid until the
        workflow runs again). More than `MAX_STEPS` engine steps in one advance (a loop of gateways and
        scripts that never waits for a person or a timer) fail the task."""
        steps = 0

        def checked(task) -> None:
            nonlocal steps
            steps += 1
            if steps > MAX_STEPS:
                raise TaskFailed("task '{task}': more than {MAX_STEPS} engine steps without waiting for a person or a timer (a loop that never waits?)", task=task.task_spec.bpmn_id or task.task_spec.name, MAX_STEPS=MAX_STEPS)
            self._checked_data(task)

        try:
            for _ in range(10_000):
                workflow.refresh_timers()
                workflow.do_engine_steps(will_complete_task=_isolate_data, did_complete_task=checked)
                found = scan(workflow)
                if not found.engine_ready:
                    break
        except PhasegateError:
            raise
        except Exception as err:
            raise _task_failure(err) from err
        compact(workflow)  # a loop's completed past would otherwise make every later command slower
        return found  # compaction removes only completed tasks: the open ones and their order stay

    def complete(self, workflow, task, values: dict) -> "Scan":
        """Complete a READY user task with validated form values, then advance."""
        _isolate_data(task)
        for key, value in values.items():
            task.data[key] = copy.deepcopy(value)  # set fields directly: DeepMerge loses list items
        try:
            task.run()
        except PhasegateError:
            raise
        except Exception as err:
            raise _task_failure(err) from err
        self._checked_data(task)
        return self.advance(workflow)

    def _checked_data(self, task) -> None:
        """Only plain JSON data that the store can write and read back leaves a step (engine.runtime.datacheck)."""
        self.check_data(task.data)

    def signal(self, workflow, name: str) -> int:
        """Deliver the BPMN signal `name` (engine.spiff.signals); the caller advances afterwards."""
        from engine.spiff.signals import send_signal

        try:
            return send_signal(workflow, name)
        except PhasegateError:
            raise
        except Exception as err:
            raise _task_failure(err) from err

    # -- reading --------------------------------------------------------------------------------

    @staticmethod
    def ready_user_tasks(workflow) -> list:
        return scan(workflow).ready

    @staticmethod
    def find_ready(workflow, task_ref: str, found: "Scan | None" = None):
        """The READY user task named by its BPMN id or a prefix of its guid (`found`: a current scan).

        Raises UnknownTask when the model has no such task and TaskNotReady when it exists
        but is not READY (already completed, cancelled, or not reached yet).
        """
        from engine.spiff import TaskState

        ready = (found or scan(workflow)).ready
        by_id = [t for t in ready if t.task_spec.bpmn_id == task_ref]
        if len(by_id) == 1:
            return by_id[0]
        if len(by_id) > 1:
            guids = ", ".join(str(t.id)[:8] for t in by_id)
            raise UnknownTask("'{task_ref}' is READY {by_id_count} times; name one by guid ({guids})", task_ref=task_ref, by_id_count=len(by_id), guids=guids)
        by_guid = [t for t in ready if len(task_ref) >= 4 and str(t.id).startswith(task_ref)]
        if len(by_guid) == 1:
            return by_guid[0]
        every = workflow.get_tasks()
        same = [t for t in every if t.task_spec.bpmn_id == task_ref or str(t.id).startswith(task_ref)]
        if any(t.state == TaskState.COMPLETED for t in same):
            raise TaskNotReady("task '{task_ref}' is already completed and is not open again", task_ref=task_ref)
        if any(t.state in (TaskState.CANCELLED,) for t in same):
            raise TaskNotReady("task '{task_ref}' was cancelled", task_ref=task_ref)
        if same or _spec_ids(workflow).__contains__(task_ref):
            raise TaskNotReady("task '{task_ref}' is not open now (not reached yet, or waiting)", task_ref=task_ref)
        raise UnknownTask("the instance's model has no task '{task_ref}'", task_ref=task_ref)


class Scan:
    """What one walk of the task tree finds: READY user tasks, WAITING timer tasks (both in
    `workflow.get_tasks` order) and whether any engine step (READY, not manual) is left."""

    __slots__ = ("ready", "timers", "engine_ready", "_views")

    def __init__(self, ready: list, timers: list, engine_ready: bool):
        self.ready = ready
        self.timers = timers
        self.engine_ready = engine_ready
        self._views: list[dict] | None = None

    def ready_views(self) -> list[dict]:
        """`task_view` of each READY user task, computed once (copy before changing one)."""
        if self._views is None:
            self._views = [task_view(t) for t in self.ready]
        return self._views


def scan(workflow) -> Scan:
    """The READY user tasks and WAITING timers in the order `workflow.get_tasks(state=READY)` /
    `(state=WAITING)` give them: read off the task table when there is at most one of each (no order
    to find), else found by `walk_scan`."""
    if not workflow.top_workflow.subprocesses:
        # The walk reaches every READY and WAITING task in `workflow.tasks` (see engine.spiff.workflow.tasks_in_state).
        found = _collect(workflow.tasks.values())
        if len(found.ready) <= 1 and len(found.timers) <= 1:
            return found
    return walk_scan(workflow)


def walk_scan(workflow) -> Scan:
    """`scan` by one depth-first walk of the task tree, with the order and descent rules of SpiffWorkflow
    3.2's BpmnTaskIterator (depth limit lifted): it descends into a task that is at least FUTURE or
    hosts a sub-process, a sub-process's tree before the task's children."""
    from engine.spiff import TaskState
    from engine.spiff.tree import walk

    return _collect(walk(workflow, TaskState.READY | TaskState.WAITING))


def _collect(tasks) -> Scan:
    """Sort `tasks` into READY user tasks, WAITING timers and whether an engine step is READY."""
    from engine.spiff import TaskState, timer_definition

    ready_state, waiting_state = TaskState.READY, TaskState.WAITING
    ready, timers, engine_ready = [], [], False
    for task in tasks:
        state = task._state
        if state & ready_state:
            if task.task_spec.manual:
                ready.append(task)
            else:
                engine_ready = True
        elif state & waiting_state and timer_definition(task) is not None:
            timers.append(task)
    return Scan(ready, timers, engine_ready)


def task_view(task) -> dict:
    """Plain data describing a task for listings."""
    spec = task.task_spec
    return {
        "task_guid": str(task.id),
        "task_id": spec.bpmn_id,
        "name": spec.bpmn_name or spec.bpmn_id,
        "lane": getattr(spec, "lane", None),
        "state": _state_name(task._state),
        "changed_at": _local_iso(int(task.last_state_change)),
    }


@lru_cache(maxsize=4096)
def _local_iso(seconds: int) -> str:
    """A task's state-change stamp as local ISO text to the second (tasks of one command share it)."""
    return datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")


@lru_cache(maxsize=64)
def _state_name(state: int) -> str:
    from engine.spiff import TaskState

    return TaskState.get_name(state)


def _spec_ids(workflow) -> set[str]:
    ids = {spec.bpmn_id for spec in workflow.spec.task_specs.values() if getattr(spec, "bpmn_id", None)}
    for sub in workflow.subprocess_specs.values():
        ids |= {spec.bpmn_id for spec in sub.task_specs.values() if getattr(spec, "bpmn_id", None)}
    return ids


def _isolate_data(task) -> None:
    """Give a task its own copy of the data: since 3.2 children share nested lists and dicts."""
    task.data = copy_data(task.data)


def _task_failure(err: Exception) -> PhasegateError:
    cause = err
    while cause is not None:
        if isinstance(cause, PhasegateError):
            return cause
        cause = cause.__cause__ or getattr(cause, "exception", None) or cause.__context__
    task = getattr(err, "task", None)
    where = f"task '{task.task_spec.bpmn_id}': " if task is not None else ""
    text = " ".join(str(err).split())
    return TaskFailed("{where}{text}", where=where, text=text)

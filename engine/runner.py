"""Load → act → save for one workflow: start, list READY user tasks, complete one, run engine steps.

No SQL, no forms, no rendering here: the engine facade (`api.py`) composes those around it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime

from .compaction import compact
from .errors import PhasegateError, TaskFailed, TaskNotReady, UnknownTask
from .spiffcompat import lift_depth_limit


class Runner:
    """Runs SpiffWorkflow workflows with the programme's handlers attached."""

    def __init__(self, handlers: Mapping[str, Callable[..., dict]], clock, zone):
        from .sandbox import SandboxEnvironment
        from .scripting import HandlerScriptEngine
        from .spiffcompat import install_clock

        lift_depth_limit()
        install_clock(clock, zone)
        self.clock = clock
        self.script_engine = HandlerScriptEngine(handlers, environment=SandboxEnvironment())

    # -- building -------------------------------------------------------------------------------

    def new(self, spec, subprocess_specs, data: dict):
        """A new workflow whose start event carries `data`, advanced to its first wait."""
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(copy.deepcopy(data))
        self.advance(workflow)
        return workflow

    def attach(self, workflow) -> None:
        """Re-attach the script engine after deserialization (it is not serialized)."""
        workflow.script_engine = self.script_engine

    # -- acting ---------------------------------------------------------------------------------

    def advance(self, workflow) -> None:
        """Run every engine step that is ready (gateways, scripts, service tasks, due timers) until
        only user tasks and timers not yet due are left; fix the due instant of timers reached."""
        from SpiffWorkflow.util.task import TaskState

        from .timers import schedule

        now = self.clock.now()
        try:
            for _ in range(10_000):
                workflow.refresh_timers()
                workflow.do_engine_steps(will_complete_task=_isolate_data)
                schedule(workflow, now)
                if workflow.get_next_task(state=TaskState.READY, manual=False) is None:
                    break
        except PhasegateError:
            raise
        except Exception as err:
            raise _task_failure(err) from err
        compact(workflow)  # a loop's completed past would otherwise make every later command slower

    def complete(self, workflow, task, values: dict) -> None:
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
        self.advance(workflow)

    # -- reading --------------------------------------------------------------------------------

    @staticmethod
    def ready_user_tasks(workflow) -> list:
        from SpiffWorkflow.util.task import TaskState

        return workflow.get_tasks(state=TaskState.READY, manual=True)

    @staticmethod
    def find_ready(workflow, task_ref: str):
        """The READY user task named by its BPMN id or a prefix of its guid.

        Raises UnknownTask when the model has no such task and TaskNotReady when it exists
        but is not READY (already completed, cancelled, or not reached yet).
        """
        from SpiffWorkflow.util.task import TaskState

        ready = Runner.ready_user_tasks(workflow)
        by_id = [t for t in ready if t.task_spec.bpmn_id == task_ref]
        if len(by_id) == 1:
            return by_id[0]
        if len(by_id) > 1:
            guids = ", ".join(str(t.id)[:8] for t in by_id)
            raise UnknownTask(f"'{task_ref}' is READY {len(by_id)} times; name one by guid ({guids})")
        by_guid = [t for t in ready if len(task_ref) >= 4 and str(t.id).startswith(task_ref)]
        if len(by_guid) == 1:
            return by_guid[0]
        every = workflow.get_tasks()
        same = [t for t in every if t.task_spec.bpmn_id == task_ref or str(t.id).startswith(task_ref)]
        if any(t.state == TaskState.COMPLETED for t in same):
            raise TaskNotReady(f"task '{task_ref}' is already completed and is not open again")
        if any(t.state in (TaskState.CANCELLED,) for t in same):
            raise TaskNotReady(f"task '{task_ref}' was cancelled")
        if same or _spec_ids(workflow).__contains__(task_ref):
            raise TaskNotReady(f"task '{task_ref}' is not open now (not reached yet, or waiting)")
        raise UnknownTask(f"the instance's model has no task '{task_ref}'")


def task_view(task) -> dict:
    """Plain data describing a task for listings."""
    spec = task.task_spec
    return {
        "task_guid": str(task.id),
        "task_id": spec.bpmn_id,
        "name": spec.bpmn_name or spec.bpmn_id,
        "lane": getattr(spec, "lane", None),
        "state": _state_name(task),
        "changed_at": datetime.fromtimestamp(task.last_state_change).astimezone().isoformat(timespec="seconds"),
    }


def _state_name(task) -> str:
    from SpiffWorkflow.util.task import TaskState

    return TaskState.get_name(task.state)


def _spec_ids(workflow) -> set[str]:
    ids = {spec.bpmn_id for spec in workflow.spec.task_specs.values() if getattr(spec, "bpmn_id", None)}
    for sub in workflow.subprocess_specs.values():
        ids |= {spec.bpmn_id for spec in sub.task_specs.values() if getattr(spec, "bpmn_id", None)}
    return ids


def _isolate_data(task) -> None:
    """Give a task its own copy of the data: since 3.2 children share nested lists and dicts."""
    task.data = copy.deepcopy(task.data)


def _task_failure(err: Exception) -> PhasegateError:
    cause = err
    while cause is not None:
        if isinstance(cause, PhasegateError):
            return cause
        cause = cause.__cause__ or getattr(cause, "exception", None) or cause.__context__
    task = getattr(err, "task", None)
    where = f"task '{task.task_spec.bpmn_id}': " if task is not None else ""
    text = " ".join(str(err).split())
    return TaskFailed(f"{where}{text}")

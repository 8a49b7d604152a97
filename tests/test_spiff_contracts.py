"""The SpiffWorkflow 3.2 internals phasegate relies on (listed in engine/spiff/__init__.py), one test each.

A test here fails when the library changes what its contract relies on: then the contract is
re-checked against the new library (and dropped where a seam now exists).
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.event_definitions import timer as library_timer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskIterator, TaskState
from SpiffWorkflow.workflow import Workflow as LibraryWorkflow

import engine.spiff
from engine.spiff import patches

FIXTURES = Path(__file__).parent / "fixtures"


def source(obj) -> str:
    return inspect.getsource(obj)


@pytest.fixture
def timers_workflow():
    """A workflow of tests/fixtures/timers, parsed by the catalog and restored as the engine runs it,
    advanced to its first user task."""
    from engine.bpmn.catalog import Catalog
    from engine.spiff.script_engine import HandlerScriptEngine
    from engine.spiff.serializer import restore_spec, spec_to_dict
    from engine.spiff.workflow import Workflow

    model = Catalog(FIXTURES / "timers").parse("timers")
    spec, subprocess_specs = restore_spec(json.dumps(spec_to_dict(*_specs(model))))
    workflow = Workflow(spec, subprocess_specs, script_engine=HandlerScriptEngine({}))
    workflow.do_engine_steps()
    return workflow


def _specs(model):
    from engine.spiff.serializer import serializer

    ser = serializer()
    return ser.from_dict(model.spec["spec"]), {k: ser.from_dict(v) for k, v in model.spec["subprocess_specs"].items()}


def test_the_contract_list_is_short_and_each_contract_names_a_library_line():
    listed = re.findall(r"^(\d+)\. ", engine.spiff.__doc__, flags=re.M)
    assert listed == [str(n) for n in range(1, len(listed) + 1)] and len(listed) <= 8  # 7: loop caps (issue 13), 8: event sub-process wiring (issue 14)
    assert len(re.findall(r"`[\w/]+\.py:\d+", engine.spiff.__doc__)) >= len(listed)


# 1. Iterator depth default -------------------------------------------------------------------------

def test_1_iterators_have_a_max_depth_default_and_the_library_builds_its_own():
    for init in (TaskIterator.__init__, BpmnTaskIterator.__init__):
        parameter = inspect.signature(init).parameters["max_depth"]
        assert parameter.default in (1000, patches.UNLIMITED)
        assert init.__defaults__[patches.depth_default_position(init)] == parameter.default
    # Still built by the library with the default, out of reach of any subclass:
    assert "TaskIterator(my_task.workflow.task_tree" in source(_EndJoin._check_threshold_unstructured)
    assert "TaskIterator(my_task.workflow.task_tree" in source(Join)
    patches.lift_depth_limit()
    for init in (TaskIterator.__init__, BpmnTaskIterator.__init__):
        assert inspect.signature(init).parameters["max_depth"].default == patches.UNLIMITED


# 2. Task log details -------------------------------------------------------------------------------

def test_2_tasks_are_always_of_the_class_task_and_log_details_on_every_state_change():
    assert "Task(self.workflow" in source(Task._add_child)  # no task-class seam to subclass
    assert "collect_log_extras" in source(Task._set_state)
    patches.skip_unlogged_extras()
    original = Task.collect_log_extras.__wrapped__
    assert list(inspect.signature(original).parameters) == ["self", "dct"]
    assert "'task_spec': self.task_spec.name" in source(original)


SET_STATE_3_2 = """
    def _set_state(self, value: int) -> None:
        \"\"\"Force set the state on a task\"\"\"

        if value != self.state:
            elapsed = time.time() - self.last_state_change
            self.last_state_change = time.time()
            self._state = value
            logger.info(
                f'State changed to {TaskState.get_name(value)}',
                extra=self.collect_log_extras({'elapsed': elapsed})
            )
        else:
            logger.debug(f'State set to {TaskState.get_name(value)}', extra=self.collect_log_extras())
"""


def test_2_set_state_is_the_body_phasegate_copied():
    patches.skip_unlogged_extras()
    assert source(Task._set_state.__wrapped__).strip() == SET_STATE_3_2.strip()


def test_2_log_details_are_built_only_when_logged(timers_workflow, caplog):
    patches.skip_unlogged_extras()
    task = timers_workflow.get_tasks(state=TaskState.READY)[0]
    assert task.collect_log_extras({"elapsed": 1}) == {"elapsed": 1}
    with caplog.at_level(logging.INFO, logger="spiff.task"):
        assert task.collect_log_extras()["task_spec"] == "prepare"


# 3. The task tree's fields --------------------------------------------------------------------------

def test_3_parent_children_and_state_are_the_fields_the_walks_read(timers_workflow):
    assert "self.workflow.tasks.get(self._parent)" in source(Task.parent.fget)
    assert "self.workflow.tasks.get(child) for child in self._children" in source(Task.children.fget)
    assert "return self._state" in source(Task.state.fget)
    assert "self._parent = task.id" in source(Task.parent.fset)
    assert "self._children = [child.id for child in tasks]" in source(Task.children.fset)
    for task in timers_workflow.tasks.values():
        assert task._state == task.state
        assert [timers_workflow.tasks[c] for c in task._children] == task.children
        assert task.parent is (None if task._parent is None else timers_workflow.tasks[task._parent])


# 4. Updating a WAITING task -------------------------------------------------------------------------

def test_4_a_waiting_task_is_updated_by_its_specs_update():
    body = source(LibraryWorkflow.update_waiting_tasks)
    assert "TaskIterator(self.task_tree, state=TaskState.WAITING)" in body
    assert "task.task_spec._update(task)" in body


# 5. The task JSON of format 1.5 ---------------------------------------------------------------------

def test_5_the_task_json_is_the_librarys(timers_workflow):
    from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter

    from engine.spiff.serializer import dump_state, serializer

    ser = serializer()
    assert ser.VERSION == "1.5"
    keys = re.findall(r"'(\w+)':", source(TaskConverter.to_dict))
    assert keys == ["updates", "deletions", "id", "parent", "children", "last_state_change", "state", "task_spec",
                    "triggered", "internal_data", "data", "delta"]
    library = json.loads(ser.serialize_json(timers_workflow))
    ours = json.loads(dump_state(timers_workflow))
    assert ours["tasks"] == library["tasks"] and len(ours["tasks"]) > 5
    assert {k: v for k, v in library.items() if k not in ("spec", "subprocess_specs", ser.VERSION_KEY)} == ours


# 6. The timer protocol ------------------------------------------------------------------------------

def test_6_catching_events_ask_their_timer_and_the_timer_keeps_its_due_instant():
    update = source(CatchingEvent._update_hook)
    assert "self.event_definition.has_fired(my_task)" in update
    assert "self.event_definition.update_task(my_task)" in update
    assert "self.cycle_complete(my_task)" in source(library_timer.CycleTimerEventDefinition.update_task)
    for cls in (library_timer.TimeDateEventDefinition, library_timer.DurationTimerEventDefinition):
        assert "_get_internal_data('event_value')" in source(cls.details)
    assert "datetime.now(timezone.utc)" in source(library_timer.DurationTimerEventDefinition.has_fired)


class _Clock:
    def __init__(self, now):
        self.value = now

    def now(self):
        return self.value


def test_6_the_clocked_timers_read_the_clock_of_their_workflows_script_engine(timers_workflow):
    from engine.spiff.script_engine import HandlerScriptEngine
    from engine.spiff.timers import ClockedDuration

    clock = _Clock(datetime(2023, 10, 2, 1, tzinfo=timezone.utc))
    timers_workflow.script_engine = HandlerScriptEngine({}, clock=clock, zone=timezone(timedelta(hours=8)))
    timeout = next(t for t in timers_workflow.tasks.values() if t.task_spec.bpmn_id == "prepare_timeout")
    assert isinstance(timeout.task_spec.event_definition, ClockedDuration)
    assert timeout.internal_data["event_value"] is not None  # reached when the workflow advanced
    timeout.internal_data.clear()
    definition = timeout.task_spec.event_definition
    assert definition.has_fired(timeout) is False
    assert timeout.internal_data["event_value"] == "2023-10-02T05:00:00+00:00"
    clock.value += timedelta(hours=4)
    assert definition.has_fired(timeout) is True
    assert library_timer.datetime is datetime  # the library's module is left alone


# 7. Event sub-process triggers ----------------------------------------------------------------------

def test_7_a_triggered_event_sub_process_is_connected_only_on_first_use():
    from SpiffWorkflow.bpmn.specs.control import BpmnStartTask

    assert "self.trigger_specs.append(sp_spec.name)" in source(BpmnStartTask.connect_or_add_trigger)
    body = source(BpmnStartTask.trigger_wf)
    assert "if self not in spec.inputs:" in body and "self.connect(spec)" in body


def test_7_an_emergency_plan_started_in_one_process_finishes_in_another(tmp_path):
    """Signal, handle and inform as three OS processes: the restored spec knows the trigger's edges."""
    from conftest import phasegate_process
    from processes.samples import SAMPLES

    db = tmp_path / "store" / "phasegate.db"
    assert phasegate_process("start", "business_adjustment", db=db, user="周涛").returncode == 0
    assert phasegate_process("signal", "系统故障", db=db, user="杨磊").returncode == 0
    for task, person in (("restore_system", "杨磊"), ("inform_failure", "孙志强")):
        done = phasegate_process("complete", "1", task, "--data", json.dumps(SAMPLES[task], ensure_ascii=False),
                                 db=db, user=person)
        assert done.returncode == 0, done.stderr
    shown = json.loads(phasegate_process("tasks", "--instance", "1", "--json", "--all", db=db, user="周涛").stdout)
    assert [t["task_id"] for t in shown] == ["form_task_force"]


def test_7_a_signal_in_a_long_running_engine_does_not_start_the_plan_in_later_instances(tmp_path):
    """The restored spec is shared by every instance of a version: a trigger must not wire the start
    task to the event sub-process, or each new instance would start its emergency plan at once."""
    from engine.api import Engine
    from processes.programme import build

    engine = Engine.open(tmp_path / "phasegate.db", build())
    first = engine.start("business_adjustment", "周涛").id
    engine.signal("系统故障", "杨磊", first)
    second = engine.start("business_adjustment", "周涛").id
    assert [t.task_id for t in engine.tasks(instance_id=second, every_lane=True)] == ["form_task_force"]
    assert {t.task_id for t in engine.tasks(instance_id=first, every_lane=True)} == {"form_task_force", "restore_system"}

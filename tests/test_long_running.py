"""A long-running process (a worker, a script over the engine) saves exactly what one-shot commands save.

The engine keeps workflows in memory between commands, reuses the JSON of finished tasks and writes
only the task and timer rows that changed (issue 6). None of that may change what lands in the store:
the same programme run through one engine, and through a new engine per command as the CLI does,
must leave byte-identical instance states, task and timer tables and audit logs.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest

from engine.api import Engine
from engine.clock import FakeClock
from engine.store.store import Store
from processes.programme import build
from processes.samples import ACTORS, SAMPLES

pytestmark = pytest.mark.store

PM = ACTORS["专项小组"]
SEND_BACK = {"draft_decision": "revise", "review_comments": "补充ROI依据"}
PROGRAMME = (
    ["form_task_force", "collect_feedback", "benchmark_peers", "draft_proposal",
     ("review_draft", SEND_BACK), "revise_draft", ("review_draft", SEND_BACK), "revise_draft", "review_draft",
     timedelta(days=92), "platform_pilot", "smart_answer_pilot", "assign_experts"]
    + [("weekly_review", {"week_no": n}) for n in range(1, 14)] + [("weekly_review", {"week_no": 14, "fault_rate": 3.5}),
       "pilot_survey", ("adjust_pilot", {"extend_weeks": 1}), ("weekly_review", {"week_no": 15}), "pilot_survey",
       "expert_secondment", "early_signoff"]
    + [timedelta(days=100), "batch_decision", "marketing_rollout", "warehouse_rollout", ("staff_training", {"training_pass_rate": 80}),
     ("staff_training", {"training_round": 2, "training_pass_rate": 95}), "transition_support",
     ("batch_check", {"batch_status": "rollback"}), "rollback_batch", timedelta(days=4), "review_report", "escalate_review"]
    + ["batch_decision", "marketing_rollout", "warehouse_rollout", "staff_training", "transition_support",
       "batch_check", timedelta(days=40)]
    + ["monthly_report", timedelta(days=27)] * 12 + ["yearly_summary"]  # one report a month, none overdue
)
SERVICE_LOOP = [("submit_inquiry", {"inquiry_kind": "complex"}), "answer_inquiry", "prepare_quote", "place_order",
                timedelta(hours=3), "deliver_order", "confirm_receipt", "handle_after_sales", "tech_support"]


class Deterministic:
    """Task ids and state-change stamps that repeat from run to run, so two runs can be compared byte for byte."""

    def __init__(self, monkeypatch, clock: FakeClock):
        import SpiffWorkflow.task as spiff_task

        counter = itertools.count(1)
        monkeypatch.setattr(spiff_task, "uuid4", lambda: UUID(int=next(counter)))
        monkeypatch.setattr(spiff_task, "time", type("T", (), {"time": staticmethod(lambda: clock.now().timestamp())}))


def run(location, monkeypatch, one_engine: bool, scripts=None, programme=None) -> Store:
    """The scripts (default: the programme and an inquiry) through one engine (`one_engine`) or through
    a new engine for every command."""
    clock = FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc))
    Deterministic(monkeypatch, clock)
    programme = programme or build()
    shared = Engine.open(location, programme, clock)

    def engine() -> Engine:
        if one_engine:
            return shared
        fresh = Engine(shared.store, programme, clock)
        fresh.catalog = shared.catalog  # parsing a model makes task ids too: keep the two runs' ids in step
        return fresh

    fired = 0
    scripts = scripts or [("business_adjustment", PM, PROGRAMME, SAMPLES, ACTORS),
                          ("service_loop_after", ACTORS["客户"], SERVICE_LOOP, SAMPLES, ACTORS)]
    for process, starter, steps, samples, actors in scripts:
        instance = engine().start(process, starter).id
        for step in steps:
            clock.advance(timedelta(minutes=7))
            if isinstance(step, timedelta):
                clock.advance(step)
                fired += len(engine().tick().fired)
                continue
            task_id, overrides = step if isinstance(step, tuple) else (step, {})
            ready = {t.task_id: t for t in engine().tasks(every_lane=True, instance_id=instance)}
            assert task_id in ready, f"{process}: {task_id} is not ready; ready: {sorted(ready)}"
            engine().complete(instance, task_id, {**samples[task_id], **overrides}, actors[ready[task_id].lane])
        assert engine().instances(process)[0].status == "completed"
    if scripts[0][0] == "business_adjustment":
        assert fired == 4  # the pilot and rollout windows open, the review report and a monthly report go overdue
    return shared.store


def spiff_state(workflow) -> dict:
    """What SpiffWorkflow's serializer writes for `workflow`, without the spec phasegate stores apart."""
    from engine.spiff.serializer import SPEC_KEYS, serializer

    ser = serializer()
    dct = json.loads(ser.serialize_json(workflow))
    for key in (*SPEC_KEYS, ser.VERSION_KEY):
        dct.pop(key, None)
    return dct


def contents(store: Store) -> dict:
    return {
        "instances": store._x("SELECT id, status, revision, updated_at, state_json FROM instances ORDER BY id").fetchall(),
        "open_tasks": store._x("SELECT * FROM open_tasks ORDER BY instance_id, task_guid").fetchall(),
        "timers": store._x("SELECT * FROM timers ORDER BY instance_id, task_guid").fetchall(),
        "audit": store._x("SELECT at, actor, instance_id, task_id, task_guid, action, revision, data_json"
                          " FROM audit ORDER BY id").fetchall(),
    }


def test_a_long_running_engine_saves_what_one_shot_commands_save(new_store, monkeypatch):
    with monkeypatch.context() as patch:
        warm = contents(run(new_store("warm"), patch, one_engine=True))
    with monkeypatch.context() as patch:
        cold = contents(run(new_store("cold"), patch, one_engine=False))
    assert len(warm["audit"]) == len(cold["audit"]) > 40
    for table in warm:
        assert warm[table] == cold[table], f"{table} differs between a long-running engine and one-shot commands"


def test_a_long_send_back_loop_is_compacted_the_same_way_in_both(new_store, monkeypatch):
    from loop_programme import loop_engine

    programme = loop_engine(new_store("programme")).programme
    rounds = ["write", ("review", {"decision": "revise"})] * 60 + ["write", ("review", {"decision": "approve"})]
    script = [("loop", "writer", rounds, {"write": {"text": "draft"}, "review": {}},
               {"Writer": "writer", "Reviewer": "reviewer"})]
    with monkeypatch.context() as patch:
        warm = contents(run(new_store("warm"), patch, True, script, programme))
    with monkeypatch.context() as patch:
        cold = contents(run(new_store("cold"), patch, False, script, programme))
    assert len(warm["audit"]) == len(cold["audit"]) == 1 + 122
    assert warm == cold


def test_the_loop_walks_take_the_steps_the_library_walks_take(new_store, monkeypatch):
    """engine/walks.py rewrites SpiffWorkflow's task-tree walks as loops: same tasks, same order."""
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

    from engine.spiff import workflow as walks

    import engine.api
    from SpiffWorkflow.util.task import TaskState

    from engine.runtime.runner import scan, walk_scan

    masks = [TaskState.READY, TaskState.WAITING, TaskState.COMPLETED, TaskState.MAYBE | TaskState.LIKELY,
             TaskState.NOT_FINISHED_MASK, TaskState.ANY_MASK, TaskState.FUTURE | TaskState.CANCELLED]
    compared = []

    def compare_then_dump(workflow, dump=engine.api.dump_state):
        for mask in masks:  # the same tasks in the same order, at every state the scripts save
            assert walks.tasks_in_state(workflow, mask) == BpmnWorkflow.get_tasks(workflow, state=mask)
        assert workflow.is_completed() == BpmnWorkflow.is_completed(workflow)
        quick, walked = scan(workflow), walk_scan(workflow)
        assert (quick.ready, quick.timers, quick.engine_ready) == (walked.ready, walked.timers, walked.engine_ready)
        compared.append(workflow)
        text = dump(workflow)
        assert json.loads(text) == spiff_state(workflow)  # the library's own serialization, spec apart
        return text

    with monkeypatch.context() as patch:
        patch.setattr(engine.api, "dump_state", compare_then_dump)
        fast = contents(run(new_store("loops"), patch, one_engine=True))
    assert len(compared) > 40
    with monkeypatch.context() as patch:
        for name in ("get_tasks", "update_waiting_tasks", "is_completed"):
            patch.setattr(walks.Workflow, name, getattr(BpmnWorkflow, name))
        library = contents(run(new_store("library"), patch, one_engine=True))
    assert fast == library


# -- the state's JSON: written by python-rapidjson, read back as the library wrote it ----------------

def _plain_values():
    from hypothesis import strategies as st

    leaves = (st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
              | st.floats(allow_nan=True, allow_infinity=True) | st.text())
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=5)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=5), max_leaves=30)


def test_the_state_json_is_what_the_librarys_encoder_writes():
    """Every value task data can hold is written as SpiffWorkflow's encoder writes it (control
    characters aside, which rapidjson escapes in upper case: the same JSON string)."""
    from datetime import datetime as moment
    from decimal import Decimal

    from hypothesis import given, settings

    from engine.spiff.serializer import _encode, _encoder

    def same(value):
        assert _encode(value).lower() == _encoder().encode(value).lower()

    for value in ({1: "int key"}, (1, 2), {"set": {3}}, {"when": moment(2023, 7, 3, 9, 30)}, 2**200,
                  {"uuid": UUID(int=7)}, [float("nan"), float("inf")], "控制\x1f字符"):
        same(value)
    for refused in (b"bytes", Decimal("1.5"), {"gen": (x for x in [])}):
        with pytest.raises(TypeError):
            _encode(refused)
    settings(max_examples=300, deadline=None)(given(_plain_values())(same))()


def test_spiffworkflows_log_records_keep_their_details_when_an_operator_turns_them_on(tmp_path, caplog):
    """The engine builds SpiffWorkflow's log details only when its loggers would emit them (issue 6);
    with INFO on, every state change is logged with its details as before."""
    import logging

    from loop_programme import loop_engine

    engine = loop_engine(tmp_path / "loop.db")
    instance = engine.start("loop", "writer").id
    with caplog.at_level(logging.INFO, logger="spiff"):
        engine.complete(instance, "write", {"text": "draft"}, "writer")
    changes = [r for r in caplog.records if r.name == "spiff.task" and r.getMessage().startswith("State changed to")]
    assert "State changed to COMPLETED" in {r.getMessage() for r in changes}
    assert all(r.task_spec and r.workflow_spec == "loop" and r.elapsed >= 0 for r in changes)
    caplog.clear()
    engine.complete(instance, "review", {"decision": "revise"}, "reviewer")  # default levels: nothing built
    assert not [r for r in caplog.records if r.name.startswith("spiff")]
    from engine.spiff.patches import TASK_DETAIL_LOGGERS

    task = engine._cache.peek(instance)[1].get_tasks()[-1]
    for name in TASK_DETAIL_LOGGERS:  # each logger that logs task details turns them on by itself
        with caplog.at_level(logging.INFO, logger=name):
            assert task.collect_log_extras()["task_spec"] == task.task_spec.name
    assert task.collect_log_extras() == {}


def test_tasks_the_library_changes_after_they_finish_are_saved_as_it_saves_them(new_store, monkeypatch):
    """SpiffWorkflow writes into finished tasks' data: a multi-instance task merges each instance into
    itself, and a join's merge writes into the nested dicts a finished branch shares. The JSON the
    engine keeps for finished tasks must follow (tests/fixtures/reuse: a sequential multi-instance
    task, three parallel branches with nested data)."""
    from pathlib import Path

    from pydantic import BaseModel

    import engine.api
    from engine.programme import Programme

    class Fill(BaseModel):
        comment: str

    class Branch(BaseModel):
        info: dict = {}

    programme = Programme(name="reuse", bpmn_dir=Path(__file__).parent / "fixtures" / "reuse",
                          forms={"fill": Fill, "b1": Branch, "b2": Branch, "b3": Branch}, roster={"L": ["u"]})
    branches = [("b2", {"info": {"a": {"b": {"x": 1}}}}), ("b3", {"info": {"a": {"b": {"y": 2}}}}), "b1", "after"]
    samples = {"fill": {}, "b1": {}, "b2": {}, "b3": {}, "after": {}}
    scripts = [("mi", "u", [("fill", {"comment": c}) for c in "abc"] + ["after"], samples, {"L": "u"}),
               ("par", "u", branches, samples, {"L": "u"})]
    saved = []

    def dump_as_the_library(workflow, dump=engine.api.dump_state):
        text = dump(workflow)
        assert json.loads(text) == spiff_state(workflow)
        saved.append(text)
        return text

    with monkeypatch.context() as patch:
        patch.setattr(engine.api, "dump_state", dump_as_the_library)
        warm = contents(run(new_store("warm"), patch, True, scripts, programme))
    with monkeypatch.context() as patch:
        cold = contents(run(new_store("cold"), patch, False, scripts, programme))
    assert len(saved) == 2 + 4 + 4
    assert warm == cold
    merged = [t["delta"]["updates"] for t in json.loads(warm["instances"][1][4])["tasks"].values()
              if t["task_spec"] == "b2"]
    assert merged == [{"info": {"a": {"b": {"x": 1, "y": 2}}}}]  # the library's aliasing, kept as it writes it


def test_the_saved_state_is_the_librarys_own_json_byte_for_byte(new_store, monkeypatch):
    """What dump_state writes at every save of the programme and an inquiry, long-running engine or
    not, is the text SpiffWorkflow's serializer and encoder write for the workflow (spec apart), to the
    byte: the kept texts of finished tasks, the fields written directly and the encoder's parts."""
    import engine.api
    from engine.spiff.serializer import SPEC_KEYS, _encoder, serializer

    def library_text(workflow) -> str:
        ser = serializer()
        ser.registry._encoder_mode = True
        try:
            dct = ser.registry.convert(workflow)
        finally:
            ser.registry._encoder_mode = False
        for key in SPEC_KEYS:
            dct.pop(key)
        return _encoder().encode(dct)

    compared = []

    def compare(workflow, dump=engine.api.dump_state):
        text = dump(workflow)
        assert text == library_text(workflow)
        compared.append(text)
        return text

    for one_engine in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(engine.api, "dump_state", compare)
            run(new_store(f"library-{one_engine}"), patch, one_engine=one_engine)
    assert len(compared) > 80

"""A designer's send-back loop keeps working however often it goes round (SpiffWorkflow traps 1 and 3)."""

from __future__ import annotations

import pytest

from engine.errors import ChangedMeanwhile, TaskNotReady
from engine.spiff.serializer import dump_state, load_state
from loop_programme import loop_engine

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set


@pytest.fixture
def engine(new_store):
    return loop_engine(new_store("loop"))


def test_send_back_loop_still_offers_the_task_after_500_rounds(engine):
    instance = engine.start("loop", "writer")
    row, workflow = engine._open(instance.id)
    runner = engine.runner
    for _ in range(500):
        runner.complete(workflow, runner.find_ready(workflow, "write"), {"text": "draft"})
        runner.complete(workflow, runner.find_ready(workflow, "review"), {"decision": "revise"})
    # Past SpiffWorkflow's default iterator depth of 1000 (~333 rounds) the READY task used to vanish.
    assert [t.task_spec.bpmn_id for t in runner.ready_user_tasks(workflow)] == ["write"]
    spec = engine.store.model_spec(row["model_version_id"])
    restored = load_state(dump_state(workflow), spec, row["serializer_version"])
    engine.runner.attach(restored)
    runner.complete(restored, runner.find_ready(restored, "write"), {"text": "final"})
    runner.complete(restored, runner.find_ready(restored, "review"), {"decision": "approve"})
    assert restored.is_completed()
    assert restored.last_task.data["rounds"] == 501


def test_each_round_is_persisted_and_audited(engine):
    instance = engine.start("loop", "writer")
    for n in range(20):
        engine.complete(instance.id, "write", {"text": f"v{n}"}, "writer")
        engine.complete(instance.id, "review", {"decision": "revise"}, "reviewer")
    engine.complete(instance.id, "write", {"text": "final"}, "writer")
    done = engine.complete(instance.id, "review", {"decision": "approve"}, "reviewer")
    assert done.instance.status == "completed"
    assert done.instance.revision == 43
    history = engine.history(instance.id)
    assert [h.action for h in history].count("complete") == 42
    assert history[-1].data == {"decision": "approve"}
    assert engine.tasks(every_lane=True) == []


def test_earlier_steps_keep_their_data_when_a_script_extends_a_list(engine):
    """Trap 3: since 3.2 child tasks share nested lists; a later append must not rewrite history."""
    instance = engine.start("loop", "writer")
    engine.complete(instance.id, "write", {"text": "one"}, "writer")
    engine.complete(instance.id, "review", {"decision": "revise"}, "reviewer")
    engine.complete(instance.id, "write", {"text": "two"}, "writer")
    row, workflow = engine._open(instance.id)
    tallies = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "tally" and t.data.get("history")]
    assert [t.data["history"] for t in tallies] == [[1], [1, 2]]


def test_a_task_completes_at_most_once(engine):
    instance = engine.start("loop", "writer")
    engine.complete(instance.id, "write", {"text": "one"}, "writer")
    with pytest.raises(TaskNotReady, match="already completed"):
        engine.complete(instance.id, "write", {"text": "again"}, "writer")


def test_a_stale_write_is_refused_as_changed_meanwhile(engine, tmp_path):
    instance = engine.start("loop", "writer")
    row = engine.store.instance(instance.id)
    engine.complete(instance.id, "write", {"text": "one"}, "writer")
    with pytest.raises(ChangedMeanwhile, match="changed meanwhile"):
        engine.store.update_instance(instance.id, expected_revision=row["revision"], status="running",
                                     now="2023-07-03T01:00:00+00:00", state_json="{}")
    assert engine.store.instance(instance.id)["revision"] == 2

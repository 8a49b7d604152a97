"""A long send-back loop stays as cheap as a short one, and listings read the same rows either way."""

from __future__ import annotations

import pytest

from engine.spiff.compaction import KEEP
from engine.store.listings import Listings
from loop_programme import loop_engine

@pytest.fixture
def engine(tmp_path):
    return loop_engine(tmp_path / "loop.db")


def _round(engine, instance_id, decision="revise"):
    engine.complete(instance_id, "write", {"text": "draft"}, "writer")
    return engine.complete(instance_id, "review", {"decision": decision}, "reviewer")


def test_a_long_send_back_loop_keeps_a_short_task_tree_and_its_whole_audit(engine):
    instance = engine.start("loop", "writer")
    for _ in range(20):
        _round(engine, instance.id)
    tasks_after_20 = len(engine._open(instance.id)[1].tasks)
    for _ in range(60):
        _round(engine, instance.id)
    row, workflow = engine._open(instance.id)
    assert len(workflow.tasks) == tasks_after_20 < 3 * KEEP  # without compaction: ~5 more every round
    detail = engine.show(instance.id)
    assert {"start", "write", "review"} <= {s.task_id for s in detail.completed}  # every step that ran stays visible
    done = _round(engine, instance.id, "approve")
    assert done.instance.status == "completed"
    assert engine.show(instance.id).data["rounds"] == 81
    assert [h.action for h in engine.history(instance.id)].count("complete") == 162


def test_listings_give_the_rows_the_engine_gives(engine):
    first = engine.start("loop", "writer")
    engine.start("loop", "writer")
    engine.complete(first.id, "write", {"text": "draft"}, "writer")
    listings = Listings(engine.store, engine.clock, engine.zone)
    assert [t.model_dump(mode="json") for t in engine.tasks("reviewer")] == listings.tasks("reviewer")
    assert [t.model_dump(mode="json") for t in engine.tasks(every_lane=True)] == listings.tasks(every_lane=True)
    assert [d.model_dump(mode="json") for d in engine.deadlines()] == listings.deadlines()

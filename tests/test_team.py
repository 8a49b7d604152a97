"""A team on one store: many processes completing and ticking at once, and processes killed mid-command.

Runs on SQLite, and on PostgreSQL in the suite's second pass (PHASEGATE_TEST_DIALECT=postgresql).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest

from conftest import REPO

pytestmark = pytest.mark.store

WORKER = REPO / "tests" / "team_worker.py"


def seeded_engine(location, instances: int):
    from engine.api import Engine
    from engine.clock import FakeClock
    from engine.store.store import Store
    from processes.programme import build
    from team_worker import BASE

    engine = Engine.open(location, build(), FakeClock(BASE))
    for _ in range(instances):
        engine.start("service_loop_after", "何佳怡", {"case_ref": "load"})
    return engine


def check_consistency(location) -> dict:
    """The store opens, every instance loads, and the audit log matches the state exactly."""
    from SpiffWorkflow.util.task import TaskState

    from engine.api import Engine
    from engine.clock import FakeClock
    from engine.store.store import Store
    from processes.programme import build
    from team_worker import BASE

    store = Store(location)
    if store.dialect == "sqlite":
        assert store._x("PRAGMA integrity_check").fetchone()[0] == "ok"
    engine = Engine.open(store, build(), FakeClock(BASE + timedelta(hours=3)))
    audit = store.audit()
    completions = [(a["instance_id"], a["task_guid"]) for a in audit if a["action"] == "complete"]
    assert len(completions) == len(set(completions)), "a task was completed twice"
    timer_fires = [(a["instance_id"], a["task_guid"]) for a in audit if a["action"] == "timer"]
    assert len(timer_fires) == len(set(timer_fires)), "a timer fired twice"
    by_instance = Counter(i for i, _ in completions)
    for row in store.instances():
        _, workflow = engine._open(row["id"])
        done = {str(t.id) for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.manual}
        assert done == {g for i, g in completions if i == row["id"]}, f"instance {row['id']}: audit ≠ state"
        revisions = {a["revision"] for a in audit if a["instance_id"] == row["id"] and a["action"] != "start"}
        assert revisions == set(range(2, row["revision"] + 1)), f"instance {row['id']}: a change without audit"
    store.close()
    return {"completions": len(completions), "timers": len(timer_fires), "instances": len(by_instance)}


def test_eight_people_complete_200_tasks_each_and_tick_at_once_without_losing_anything(new_store):
    location = new_store("team")
    seeded_engine(location, 300).store.close()
    workers = [subprocess.Popen([sys.executable, str(WORKER), location, str(seed), "200", "--tick-every", "10"],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for seed in range(8)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=900)
        assert worker.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["completed"] for r in results) == 1600
    totals = check_consistency(location)
    assert totals["completions"] == 1600
    # Every timer that fired was reported by exactly one worker's tick.
    assert totals["timers"] == sum(r["fired"] for r in results)
    assert sum(r["ticks"] for r in results) == 160


def test_fifty_kills_mid_command_leave_a_store_that_opens_loads_and_matches_its_audit(new_store):
    location = new_store("kills")
    seeded_engine(location, 60).store.close()
    rng = random.Random(7)
    for kill in range(50):
        worker = subprocess.Popen([sys.executable, str(WORKER), location, str(kill), "1000", "--markers",
                                   "--tick-every", "3"],
                                  cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait for a random number of marker lines, then kill -9: the process is somewhere inside
        # the next completion, tick or commit.
        for _ in range(rng.randint(1, 6)):
            if not worker.stdout.readline():
                break
        worker.kill()
        worker.wait(timeout=30)
        if kill % 10 == 9:
            check_consistency(location)
    totals = check_consistency(location)
    assert totals["completions"] > 0


def test_two_people_completing_at_the_same_moment_one_is_told_to_try_again(new_store):
    """杨磊 (技术部) and 黄丽 (客服中心) complete the two parallel pilots of one instance at once."""
    from engine.api import Engine
    from engine.clock import FakeClock
    from engine.errors import ChangedMeanwhile
    from engine.store.store import Store
    from processes.programme import build
    from processes.samples import SAMPLES
    from team_worker import BASE

    location = new_store("race")
    clock = FakeClock(BASE)
    tech, service = Engine.open(location, build(), clock), Engine.open(location, build(), clock)
    instance = tech.start("business_adjustment", "周涛").id
    for task, person in [("form_task_force", "周涛"), ("collect_feedback", "黄丽"), ("benchmark_peers", "周涛"),
                         ("draft_proposal", "周涛"), ("review_draft", "孙志强")]:
        tech.complete(instance, task, SAMPLES[task], person)
    assert {t.task_id for t in tech.tasks(instance_id=instance, every_lane=True)} == {"platform_pilot",
                                                                                     "smart_answer_pilot",
                                                                                     "assign_experts"}
    run = tech.runner.complete

    def meanwhile(workflow, task, values):
        # 杨磊's command has read the instance; before it saves, 黄丽's command completes and saves.
        service.complete(instance, "smart_answer_pilot", SAMPLES["smart_answer_pilot"], "黄丽")
        run(workflow, task, values)

    tech.runner.complete = meanwhile
    with pytest.raises(ChangedMeanwhile, match="changed meanwhile by someone else; nothing was saved, try again"):
        tech.complete(instance, "platform_pilot", SAMPLES["platform_pilot"], "杨磊")
    tech.runner.complete = run
    history = [(h.action, h.task_id) for h in tech.history(instance)]
    assert history[-1] == ("complete", "smart_answer_pilot")
    assert {t.task_id for t in tech.tasks(instance_id=instance, every_lane=True)} == {"platform_pilot", "assign_experts"}
    tech.complete(instance, "platform_pilot", SAMPLES["platform_pilot"], "杨磊")  # the retry succeeds
    assert {t.task_id for t in tech.tasks(instance_id=instance, every_lane=True)} == {"weekly_review", "assign_experts"}
    check_consistency(location)

"""The business-adjustment programme walked by its people at simulated instants, for the stories of the
draft, the monthly reports and the yearly summary (tests/test_reports.py and friends)."""

from __future__ import annotations

import json

from processes.samples import ACTORS, MONTHLY_FIGURES, SAMPLES

PM, MANAGER = ACTORS["专项小组"], ACTORS["管理层"]
PREPARATION = ["form_task_force", "collect_feedback", "benchmark_peers", "draft_proposal"]
BATCH = ["batch_decision", "marketing_rollout", "warehouse_rollout", "staff_training", "transition_support",
         "batch_check"]
FOLLOW_UPS = ("corrective_plan", "budget_decision")   # what a flagged month asks for before the next


def ready(terminal, instance: int) -> dict[str, dict]:
    return {t["task_id"]: t for t in terminal.json("tasks", "--instance", instance)}


def complete(terminal, instance: int, task: str, **overrides):
    """The task completed by a member of its lane with the sample values (and overrides); the result."""
    lane = ready(terminal, instance)[task]["lane"]
    values = json.dumps({**SAMPLES[task], **overrides}, ensure_ascii=False)
    return terminal.run("complete", instance, task, "--data", values, "--json", user=ACTORS[lane])


def walk(terminal, instance: int, steps) -> dict:
    last = None
    for step in steps:
        task, overrides = step if isinstance(step, tuple) else (step, {})
        result = complete(terminal, instance, task, **overrides)
        assert result.exit_code == 0, f"{task}: {result.stderr}"
        last = json.loads(result.stdout)
    return last


def drafted(terminal, **draft) -> int:
    """A programme started on 2023-07-03 whose task force has written the draft (not yet reviewed)."""
    terminal.now = "2023-07-03T09:00:00+08:00"
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    walk(terminal, instance, PREPARATION[:-1] + [("draft_proposal", draft)])
    return instance


def through_pilot(terminal, instance: int) -> None:
    """The pilot window opens (2023-10-01) and the pilot's tasks are done on its last day, a weekly
    review for each week it asks for, until the rollout window is awaited; then the window opens."""
    terminal.now = "2023-10-09T09:00:00+08:00"
    terminal.run("tick")
    terminal.now = "2023-12-31T18:00:00+08:00"
    week = 0
    for _ in range(80):
        tasks = ready(terminal, instance)
        if not tasks:
            break
        task = next(iter(tasks))
        week += task == "weekly_review"
        walk(terminal, instance, [(task, {"week_no": week} if task == "weekly_review" else {})])
    else:
        raise AssertionError(f"the pilot does not end: {sorted(ready(terminal, instance))} still ready")
    terminal.now = "2024-01-02T09:00:00+08:00"
    terminal.run("tick")


def to_monthly_loop(terminal) -> int:
    """A programme through gate 1, the pilot and one rollout batch: the first 成效报告 is ready."""
    instance = drafted(terminal)
    walk(terminal, instance, ["review_draft"])
    through_pilot(terminal, instance)
    walk(terminal, instance, BATCH)
    assert list(ready(terminal, instance)) == ["monthly_report"]
    return instance


def report_month(terminal, instance: int, number: int, **overrides) -> dict:
    """Month `number` (1 = 2024-01) reported on the 28th at 17:00 with the sample figures, and the
    follow-ups a flagged month asks for done; returns the completion of monthly_report."""
    terminal.now = f"2024-{number:02d}-28T17:00:00+08:00"
    done = walk(terminal, instance, [("monthly_report", {**MONTHLY_FIGURES[number - 1], **overrides})])
    for task in [t["task_id"] for t in done["ready"]]:
        if task in FOLLOW_UPS:
            walk(terminal, instance, [task])
    return done


def kept(terminal, instance: int) -> list[dict]:
    return terminal.json("show", instance)["data"].get("monthly_reports", [])

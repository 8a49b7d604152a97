"""The programme's time rules, walked in simulated time from 2023 Q3 to 2024 Q1 with `--now`."""

from __future__ import annotations

import pytest


import json
import os
import signal
import subprocess
import sys

from conftest import REPO, phasegate_process
from processes.samples import ACTORS
from test_programme_gates import BATCH_OK, PILOT_OK, PREPARATION, walk

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set

PM, MANAGER, SERVICE_LEAD = ACTORS["专项小组"], ACTORS["管理层"], "林晓燕"


def tick(terminal, now):
    return [f["task_id"] for f in terminal.json("tick", now=now)["fired"]]


def test_the_pilot_opens_at_the_start_of_its_window_in_shanghai_time(terminal):
    terminal.now = "2023-07-03T09:00:00+08:00"
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    terminal.now = "2023-09-20T15:00:00+08:00"
    walk(terminal, instance, PREPARATION + ["review_draft"])
    assert terminal.json("deadlines") == [{
        "kind": "timer", "instance_id": instance, "process_id": "business_adjustment",
        "task_id": "await_pilot_window", "name": "试点阶段开始", "lane": "管理层",
        "due_at": "2023-09-30T16:00:00.000000+00:00", "attached_to": None, "overdue": False}]
    assert tick(terminal, "2023-09-30T23:59:59+08:00") == []
    assert tick(terminal, "2023-10-01T00:00:00+08:00") == ["await_pilot_window"]
    assert {t["task_id"] for t in terminal.json("tasks", "--instance", instance)} == {"platform_pilot",
                                                                                      "smart_answer_pilot",
                                                                                      "assign_experts"}


def rollout_ready(terminal, pilot_opens="2023-10-01T00:00:00+08:00", **windows):
    """An instance whose pilot passed; it waits for the rollout window."""
    terminal.now = "2023-06-01T09:00:00+08:00"
    instance = terminal.ok("start", "business_adjustment", user=PM, **windows)["id"]
    walk(terminal, instance, PREPARATION + ["review_draft"])
    terminal.now = pilot_opens
    tick(terminal, pilot_opens)  # nothing to fire when the window opened before approval
    walk(terminal, instance, PILOT_OK)
    if "early_signoff" in {t["task_id"] for t in terminal.json("tasks", "--instance", instance)}:
        walk(terminal, instance, ["early_signoff"])  # the pilot passed before its window ended: 管理层 agrees
    return instance


def test_a_review_report_is_due_three_calendar_days_after_a_rollback_even_across_national_day(terminal):
    instance = rollout_ready(terminal, "2023-06-01T09:00:00+08:00", preparation_start="2023-05-01", preparation_end="2023-05-31",
                             pilot_start="2023-06-01", pilot_end="2023-08-31",
                             rollout_start="2023-09-01", rollout_end="2023-11-30")
    assert tick(terminal, "2023-09-01T00:00:00+08:00") == ["await_rollout_window"]
    terminal.now = "2023-09-28T10:00:00+08:00"  # Thursday before the National Day week
    walk(terminal, instance, BATCH_OK[:-1] + [("batch_check", {"batch_status": "rollback"}), "rollback_batch"])
    # 细则: 「需在3日内提交复盘报告」 is 3 days, not 3 working days: the holidays (Sep 29 - Oct 6) do not stretch
    # it to Monday Oct 9, 11 calendar days later.
    due = "2023-10-01T02:00:00.000000+00:00"  # Sunday Oct 1, 10:00 in Shanghai
    [task] = terminal.json("tasks", "--instance", instance)
    assert (task["task_id"], task["due_at"]) == ("review_report", due)
    assert terminal.json("deadlines", "--within", "3d", now="2023-09-28T10:00:00+08:00")[0]["due_at"] == due
    assert terminal.json("deadlines", "--within", "2d", now="2023-09-28T10:00:00+08:00") == []
    assert tick(terminal, "2023-10-01T09:59:59+08:00") == []
    assert tick(terminal, "2023-10-01T10:00:00+08:00") == ["review_report_overdue"]
    # The overdue report escalates to 管理层 and stays open, flagged overdue.
    assert [t["task_id"] for t in terminal.json("tasks", "--instance", instance, user=MANAGER)] == ["escalate_review"]
    overdue = terminal.json("deadlines", "--overdue", now="2023-10-01T10:00:01+08:00")
    assert [(d["task_id"], d["overdue"]) for d in overdue] == [("review_report", True)]
    walk(terminal, instance, ["escalate_review", "review_report"])
    assert terminal.json("deadlines") == []


def test_the_weekly_review_is_flagged_every_week_it_stays_open(terminal):
    terminal.now = "2023-10-02T09:00:00+08:00"
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    walk(terminal, instance, PREPARATION + ["review_draft", "platform_pilot", "smart_answer_pilot"])
    assert tick(terminal, "2023-10-09T08:59:59+08:00") == []
    assert tick(terminal, "2023-10-09T09:00:00+08:00") == ["weekly_review_reminder"]
    assert tick(terminal, "2023-10-16T09:00:00+08:00") == ["weekly_review_reminder"]
    timers = [h for h in terminal.json("history", instance) if h["action"] == "timer"]
    assert [h["data"]["due_at"] for h in timers] == ["2023-10-09T01:00:00.000000+00:00",
                                                     "2023-10-16T01:00:00.000000+00:00"]
    assert terminal.json("deadlines", "--overdue", now="2023-10-16T09:00:00+08:00")[0]["task_id"] == "weekly_review"


def test_a_monthly_report_open_a_month_is_flagged_overdue(terminal):
    instance = rollout_ready(terminal)
    assert tick(terminal, "2024-01-01T00:00:00+08:00") == ["await_rollout_window"]
    terminal.now = "2024-01-05T17:00:00+08:00"
    walk(terminal, instance, BATCH_OK)
    assert tick(terminal, "2024-02-05T16:59:59+08:00") == []
    assert tick(terminal, "2024-02-05T17:00:00+08:00") == ["monthly_report_overdue"]
    assert terminal.json("deadlines", "--overdue", now="2024-02-05T17:00:00+08:00")[0]["task_id"] == "monthly_report"


def test_an_inquiry_unanswered_for_two_hours_is_escalated(terminal):
    terminal.now = "2024-01-15T09:00:00+08:00"
    instance = terminal.ok("start", "service_loop_after", user=ACTORS["客户"])["id"]
    walk(terminal, instance, [("submit_inquiry", {"inquiry_kind": "complex"})])
    assert terminal.json("tasks", "--instance", instance)[0]["due_at"] == "2024-01-15T03:00:00.000000+00:00"
    assert tick(terminal, "2024-01-15T10:59:59+08:00") == []
    assert tick(terminal, "2024-01-15T11:00:00+08:00") == ["answer_overdue"]
    assert sorted(t["task_id"] for t in terminal.json("tasks", "--instance", instance, user=SERVICE_LEAD)) == [
        "answer_inquiry", "escalate_inquiry"]


def test_ticks_from_several_processes_at_once_fire_each_timer_once(new_store):
    db = new_store("shared")
    env = {"PHASEGATE_NOW": "2024-01-15T09:00:00+08:00"}
    ids = []
    for n in range(6):
        started = phasegate_process("start", "service_loop_after", "--json", db=db, user="何佳怡", env_extra=env)
        ids.append(json.loads(started.stdout)["id"])
        done = phasegate_process("complete", ids[-1], "submit_inquiry", "--set", "customer_name=何佳怡",
                                 "--set", f"inquiry_text=第{n}个问题", "--set", "inquiry_kind=complex",
                                 db=db, user="何佳怡", env_extra=env)
        assert done.returncode == 0, done.stderr
    later = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_") or k == "PHASEGATE_LANG"}
    later.update(PHASEGATE_DB=str(db), PHASEGATE_NOW="2024-01-15T11:30:00+08:00")
    tickers = [subprocess.Popen([sys.executable, "-m", "cli", "tick", "--json"], cwd=REPO, env=later,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in tickers]
    assert all(p.returncode == 0 for p in tickers), [o[1] for o in outputs]
    fired = [f["instance_id"] for out, _ in outputs for f in json.loads(out)["fired"]]
    assert sorted(fired) == sorted(ids)
    for instance in ids:
        history = json.loads(phasegate_process("history", instance, "--json", db=db).stdout)
        assert [h["task_id"] for h in history if h["action"] == "timer"] == ["answer_overdue"]


def test_the_worker_ticks_until_sigterm_then_stops_cleanly(new_store):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_") or k == "PHASEGATE_LANG"}
    env["PHASEGATE_DB"] = new_store("w")
    worker = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--interval", "3600"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "ticking every 3600s" in worker.stderr.readline()
    assert "worker: tick 1 at" in worker.stderr.readline()  # now waiting an hour for the next tick
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0
    assert "stopped after 1 tick(s)" in err


def test_a_bounded_worker_run_stops_by_itself(terminal):
    result = terminal.run("worker", "--interval", "0", "--ticks", "2")
    assert result.exit_code == 0 and "stopped after 2 tick(s)" in result.stderr

"""The programme walked by its people, through every path of every gate, from separate lanes."""

from __future__ import annotations

import pytest

from processes.samples import ACTORS, SAMPLES

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set

PM, MANAGER = ACTORS["专项小组"], ACTORS["管理层"]

PREPARATION = ["form_task_force", "collect_feedback", "benchmark_peers", "draft_proposal"]
PILOT_WEEKS = 14  # the default pilot window 2023-10-01..2023-12-31: a weekly review for each of its weeks


def weeks(first: int, last: int, **last_overrides) -> list:
    """Weekly reviews `first`..`last`, the last one with `last_overrides` (what the sign-off reads)."""
    return [("weekly_review", {"week_no": n, **(last_overrides if n == last else {})}) for n in range(first, last + 1)]


PILOT_OK = ["platform_pilot", "smart_answer_pilot", "assign_experts"] + weeks(1, PILOT_WEEKS) + ["pilot_survey",
                                                                                                "expert_secondment"]
BATCH_OK = ["batch_decision", "marketing_rollout", "warehouse_rollout", "staff_training", "transition_support",
            "batch_check"]
CLOSING = ["monthly_report"] * 12 + ["yearly_summary"]  # the year closes after 12 kept reports


def walk(terminal, instance_id, steps):
    """Complete each step as a member of its lane; a step is a task id or (task id, overriding values)."""
    last = None
    for step in steps:
        task_id, overrides = step if isinstance(step, tuple) else (step, {})
        ready = {t["task_id"]: t for t in terminal.json("tasks", "--instance", instance_id)}
        assert task_id in ready, f"{task_id} is not ready; ready: {sorted(ready)}"
        values = {**SAMPLES[task_id], **overrides}
        last = terminal.ok("complete", instance_id, task_id, user=ACTORS[ready[task_id]["lane"]], **values)
    return last


def start(terminal, **values):
    return terminal.ok("start", "business_adjustment", user=PM, **values)["id"]


def data_of(terminal, instance_id):
    return terminal.json("show", instance_id)["data"]


def test_the_programme_runs_straight_through_when_every_gate_passes(terminal):
    instance = start(terminal)
    done = walk(terminal, instance, PREPARATION + [("review_draft", {})] + PILOT_OK + BATCH_OK + CLOSING)
    assert done["instance"]["status"] == "completed"
    data = data_of(terminal, instance)
    assert data["pilot_passed"] is True and data["month_on_track"] is True
    assert data["best_team"] == "客服中心"  # ranked first on its KPIs (best_team_ranked_first)
    assert [h["action"] for h in terminal.json("history", instance)].count("complete") == 28 + 2 + PILOT_WEEKS - 1


def test_the_top3_analysis_runs_on_the_crm_export_when_feedback_is_collected(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION[:2])
    top3 = data_of(terminal, instance)["top3"]
    assert [p["category"] for p in top3["top3"]] == ["等待时间长", "物流延迟", "操作复杂"]
    assert top3["total"] == 2410


def test_management_sends_the_draft_back_twice_then_approves(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION)
    for comment in ("补充ROI依据", "明确算力预算"):
        walk(terminal, instance, [("review_draft", {"draft_decision": "revise", "review_comments": comment}),
                                  "revise_draft"])
        assert data_of(terminal, instance)["review_comments"] == comment
    done = walk(terminal, instance, ["review_draft"])
    assert {t["task_id"] for t in done["ready"]} == {"platform_pilot", "smart_answer_pilot", "assign_experts"}


def test_a_send_back_without_comments_is_refused(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION)
    result = terminal.run("complete", instance, "review_draft", "--set", "draft_decision=revise", user=MANAGER)
    assert result.exit_code == 6
    assert "退回修改时必须填写审议意见" in result.stderr


@pytest.mark.parametrize("overrides,reason", [
    ({"pilot_survey": {"satisfaction": 80}}, "满意度"),
    ({"weekly_review": {"fault_rate": 3.5}}, "故障率"),
    ({"weekly_review": {"handling_minutes": 150}}, "处理时长"),
])
def test_a_failed_pilot_is_adjusted_and_extended_then_signed_off(terminal, overrides, reason):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft", "platform_pilot", "smart_answer_pilot", "assign_experts"])
    failing = weeks(1, PILOT_WEEKS, **overrides.get("weekly_review", {})) + [("pilot_survey", overrides.get("pilot_survey", {}))]
    done = walk(terminal, instance, failing)
    assert {t["task_id"] for t in done["ready"]} == {"adjust_pilot", "expert_secondment"}
    data = data_of(terminal, instance)
    assert data["pilot_passed"] is False and reason in data["pilot_reason"]
    done = walk(terminal, instance, [("adjust_pilot", {"extend_weeks": 2})] + weeks(PILOT_WEEKS + 1, PILOT_WEEKS + 2)
                + ["pilot_survey"])
    assert [t["task_id"] for t in done["ready"]] == ["expert_secondment"]
    done = walk(terminal, instance, ["expert_secondment"])
    assert [t["task_id"] for t in done["ready"]] == ["batch_decision"]


def test_the_boundary_values_of_the_pilot_table_pass(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft", "platform_pilot", "smart_answer_pilot"]
         + weeks(1, PILOT_WEEKS, fault_rate=2, handling_minutes=120) + [("pilot_survey", {"satisfaction": 85})])
    assert data_of(terminal, instance)["pilot_passed"] is True


def through_pilot(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft"] + PILOT_OK)
    return instance


def test_a_no_go_batch_is_replanned_and_decided_again(terminal):
    instance = through_pilot(terminal)
    done = walk(terminal, instance, [("batch_decision", {"batch_go": "no_go", "decision_reason": "华南仓网络未就绪"})])
    assert [t["task_id"] for t in done["ready"]] == ["replan_batch"]
    done = walk(terminal, instance, ["replan_batch", "batch_decision"])
    assert {t["task_id"] for t in done["ready"]} == {"marketing_rollout", "warehouse_rollout", "staff_training"}


def test_training_repeats_until_ninety_percent_pass(terminal):
    instance = through_pilot(terminal)
    walk(terminal, instance, ["batch_decision", "marketing_rollout", "warehouse_rollout"])
    done = walk(terminal, instance, [("staff_training", {"training_pass_rate": 89.9})])
    assert [t["task_id"] for t in done["ready"]] == ["staff_training"]
    done = walk(terminal, instance, [("staff_training", {"training_round": 2, "training_pass_rate": 90})])
    assert [t["task_id"] for t in done["ready"]] == ["transition_support"]


def test_a_batch_rolls_back_locally_and_a_review_report_follows(terminal):
    instance = through_pilot(terminal)
    done = walk(terminal, instance, BATCH_OK[:-1] + [("batch_check", {"batch_status": "rollback"})])
    assert [t["task_id"] for t in done["ready"]] == ["rollback_batch"]
    done = walk(terminal, instance, ["rollback_batch"])
    assert [t["task_id"] for t in done["ready"]] == ["review_report"]
    shown = terminal.json("show", instance)
    assert [w["task_id"] for w in shown["waiting"]] == ["review_report_overdue"]
    done = walk(terminal, instance, ["review_report"])
    assert [t["task_id"] for t in done["ready"]] == ["batch_decision"]
    assert terminal.json("show", instance)["waiting"] == []
    done = walk(terminal, instance, BATCH_OK + CLOSING)
    assert done["instance"]["status"] == "completed"


def test_several_batches_then_monthly_reports_until_the_year_is_done(terminal):
    instance = through_pilot(terminal)
    walk(terminal, instance, BATCH_OK[:-1] + [("batch_check", {"more_batches": True})])
    walk(terminal, instance, [("batch_decision", {"batch_no": 2, "batch_scope": "第2批：华南仓"})] + BATCH_OK[1:])
    done = walk(terminal, instance, [("monthly_report", {"complaint_rate": 3.4, "feature_usage": 22})])
    assert [t["task_id"] for t in done["ready"]] == ["corrective_plan"]
    data = data_of(terminal, instance)
    assert data["month_on_track"] is False
    assert "投诉率" in data["month_flags"] and "使用率" in data["month_flags"]
    done = walk(terminal, instance, ["corrective_plan"])
    assert [t["task_id"] for t in done["ready"]] == ["monthly_report"]
    done = walk(terminal, instance, CLOSING[1:])
    assert done["instance"]["status"] == "completed"


def test_phase_windows_default_to_the_seed_and_can_be_set_at_start(terminal):
    default = start(terminal)
    assert data_of(terminal, default)["pilot_start"] == "2023-10-01"
    custom = start(terminal, pilot_start="2023-10-09", pilot_end="2024-01-05", rollout_start="2024-01-08")
    data = data_of(terminal, custom)
    assert (data["pilot_start"], data["rollout_start"], data["rollout_end"]) == ("2023-10-09", "2024-01-08", "2024-03-31")
    refused = terminal.run("start", "business_adjustment", "--set", "pilot_start=2023-06-01", user=PM)
    assert refused.exit_code == 6 and "顺序" in refused.stderr

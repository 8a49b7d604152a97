"""One test per rule of the seed (../shared/seed/业务调整细则.txt, README.md there), named after the rule.

Each proves the rule is enforced, not labelled: an action against it is refused (one line on stderr,
its exit code, the store byte for byte as it was) or the instance is rerouted (another task opens,
a timer fires, a lane changes). The draft, budget, monthly and yearly rules are in
test_seed_facts_reports.py.
"""

from __future__ import annotations

import json

import pytest

from conftest import Terminal, store_bytes
from processes.samples import ACTORS, CRM_EXPORT, SAMPLES
from test_programme_gates import BATCH_OK, PILOT_WEEKS, PREPARATION, data_of, walk, weeks

pytestmark = pytest.mark.store  # rerun on PostgreSQL by `make test` when PHASEGATE_TEST_PG is set

PM, MANAGER, TECH, SERVICE = ACTORS["专项小组"], ACTORS["管理层"], ACTORS["技术部"], ACTORS["客服中心"]
MARKETING = ACTORS["市场部"]
SHORT_EXPORT = CRM_EXPORT.replace("crm_complaints_2022-07_2023-06.csv", "crm_complaints_2023-05_2023-06.csv")
EXPERTS = SAMPLES["assign_experts"]["experts"]


def ready(terminal, instance) -> list[str]:
    return sorted(t["task_id"] for t in terminal.json("tasks", "--instance", instance))


def refused(terminal, code: int, text: str, *args, user: str | None = None, values: dict | None = None) -> str:
    """Run a command that must be refused: exit `code`, one line on stderr naming `text`, no output, no change."""
    before = store_bytes(terminal.db)
    extra = ["--data", json.dumps(values, ensure_ascii=False)] if values is not None else []
    result = terminal.run(*args, *extra, user=user)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == code, result.stderr
    assert len(lines) == 1 and text in lines[0], result.stderr
    assert result.stdout == ""
    assert store_bytes(terminal.db) == before
    return lines[0]


def tick(terminal, now: str) -> list[str]:
    return [f["task_id"] for f in terminal.json("tick", now=now)["fired"]]


def start(terminal, **windows) -> int:
    return terminal.ok("start", "business_adjustment", user=PM, **windows)["id"]


def in_pilot(terminal, **windows) -> int:
    """An instance in its pilot: both pilots done, the experts seconded, week 1 up for review."""
    instance = start(terminal, **windows)
    walk(terminal, instance, PREPARATION + ["review_draft", "platform_pilot", "smart_answer_pilot", "assign_experts"])
    return instance


def signed_off(terminal) -> int:
    """An instance whose pilot passed after its window (system time): it is in the rollout."""
    instance = in_pilot(terminal)
    walk(terminal, instance, weeks(1, PILOT_WEEKS) + ["pilot_survey", "expert_secondment"])
    return instance


def values(task: str, **overrides) -> dict:
    return {**SAMPLES[task], **overrides}


# -- 涵盖部门: the departments are the lanes ----------------------------------------------------

def test_the_departments_are_the_lanes_and_a_person_outside_a_lane_is_refused(terminal):
    instance = in_pilot(terminal)
    [process] = [p for p in terminal.json("processes") if p["process_id"] == "business_adjustment"]
    assert {"市场部", "运营部", "技术部", "客服中心", "管理层", "专项小组"} <= set(process["lanes"])
    walk(terminal, instance, [("weekly_review", {})] + weeks(2, PILOT_WEEKS) + ["pilot_survey"])
    line = refused(terminal, 5, "it belongs to lane 技术部", "complete", instance, "expert_secondment",
                   user=MARKETING, values=values("expert_secondment"))
    assert line.startswith("phasegate: not-allowed: 李娜 may not complete 'expert_secondment'")


# -- 成立专项小组 ---------------------------------------------------------------------------------

def test_the_task_force_is_two_marketing_three_operations_two_technology_one_service_and_a_manager(terminal):
    instance = start(terminal)
    refused(terminal, 6, "marketing_members", "complete", instance, "form_task_force", user=PM,
            values=values("form_task_force", marketing_members=["李娜", "张伟", "高峰"]))
    refused(terminal, 6, "service_members", "complete", instance, "form_task_force", user=PM,
            values=values("form_task_force", service_members=[]))


def test_task_force_members_must_belong_to_their_departments_lanes(terminal):
    instance = start(terminal)
    line = refused(terminal, 6, "technology_members: 高峰 not in lane 技术部", "complete", instance, "form_task_force",
                   user=PM, values=values("form_task_force", technology_members=["杨磊", "高峰"]))
    assert line.startswith("phasegate: invalid-form: invalid values for task 'form_task_force'")
    refused(terminal, 6, "not in lane 运营部", "complete", instance, "form_task_force", user=PM,
            values=values("form_task_force", operations_members=["王芳", "刘洋", "无名氏"]))


def test_the_task_force_lane_then_holds_exactly_its_members_as_the_audit_log_records(terminal):
    instance = start(terminal)
    walk(terminal, instance, [("form_task_force", {"marketing_members": ["李娜", "高峰"]})])
    members = sorted(m["person"] for m in terminal.json("people") if m["lane"] == "专项小组")
    assert members == sorted(["周涛", "李娜", "高峰", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "黄丽"])
    [seated] = [h for h in terminal.json("history", instance) if h["action"] == "lane-set"]
    assert (seated["actor"], seated["task_id"]) == (PM, "form_task_force")
    assert (seated["data"]["lane"], seated["data"]["added"], seated["data"]["removed"]) == ("专项小组", ["高峰"], ["张伟"])
    walk(terminal, instance, ["collect_feedback"])
    refused(terminal, 5, "it belongs to lane 专项小组", "complete", instance, "benchmark_peers", user="张伟",
            values=values("benchmark_peers"))
    assert terminal.ok("complete", instance, "benchmark_peers", user="高峰", **SAMPLES["benchmark_peers"])


# -- 数据收集与分析 ------------------------------------------------------------------------------

def test_the_crm_export_must_span_twelve_months_counted_from_the_file(terminal):
    instance = start(terminal)
    walk(terminal, instance, ["form_task_force"])
    line = refused(terminal, 3, "须覆盖至少 12 个月", "complete", instance, "collect_feedback", user=SERVICE,
                   values={"crm_export": SHORT_EXPORT, "months_covered": 12})  # typed 12, the file says 2
    assert "仅覆盖 2 个月（2023-05-01～2023-06-30）" in line
    walk(terminal, instance, ["collect_feedback"])
    assert data_of(terminal, instance)["top3"]["months"] == 12


def test_top3_keeps_only_problems_with_a_share_of_5_percent_and_a_score_of_at_most_3(terminal):
    instance = start(terminal)
    walk(terminal, instance, ["form_task_force", "collect_feedback"])
    top3 = data_of(terminal, instance)["top3"]
    assert len(top3["top3"]) == 3
    assert all(p["share"] >= 0.05 and p["avg_score"] <= 3 for p in top3["top3"])
    reasons = " ".join(p["reason"] for p in top3["excluded"])
    assert "average score above threshold" in reasons and "share below threshold" in reasons


def test_benchmarking_compares_three_different_leading_companies(terminal):
    instance = start(terminal)
    walk(terminal, instance, ["form_task_force", "collect_feedback"])
    peers = SAMPLES["benchmark_peers"]["peers"]
    refused(terminal, 6, "标杆企业不能重复", "complete", instance, "benchmark_peers", user=PM,
            values=values("benchmark_peers", peers=[peers[0], peers[1], {**peers[2], "company": peers[0]["company"]}]))
    refused(terminal, 6, "peers", "complete", instance, "benchmark_peers", user=PM,
            values=values("benchmark_peers", peers=peers[:2]))


# -- 管理层审议 ----------------------------------------------------------------------------------

def test_the_draft_is_published_only_once_management_approves_it(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION)
    refused(terminal, 5, "it belongs to lane 管理层", "complete", instance, "review_draft", user=PM,
            values=values("review_draft"))
    walk(terminal, instance, [("review_draft", {"draft_decision": "revise", "review_comments": "补充算力需求"})])
    assert ready(terminal, instance) == ["revise_draft"]  # sent back: no pilot task opens
    walk(terminal, instance, ["revise_draft", "review_draft"])
    assert ready(terminal, instance) == ["assign_experts", "platform_pilot", "smart_answer_pilot"]


def test_the_phases_run_preparation_then_pilot_then_rollout(terminal):
    start(terminal)
    refused(terminal, 6, "准备→试点→推广", "start", "business_adjustment", user=PM,
            values={"preparation_end": "2023-10-15", "pilot_start": "2023-10-01"})


def test_the_pilot_opens_only_when_its_window_starts(terminal):
    terminal.now = "2023-07-03T09:00:00+08:00"
    instance = start(terminal)
    terminal.now = "2023-09-27T16:00:00+08:00"
    walk(terminal, instance, PREPARATION + ["review_draft"])
    assert ready(terminal, instance) == []
    assert tick(terminal, "2023-09-30T23:59:59+08:00") == []
    assert tick(terminal, "2023-10-01T00:00:00+08:00") == ["await_pilot_window"]
    assert ready(terminal, instance) == ["assign_experts", "platform_pilot", "smart_answer_pilot"]


# -- 试点阶段 -------------------------------------------------------------------------------------

def test_the_platform_pilot_covers_at_least_20_percent_of_internal_users(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft"])
    refused(terminal, 6, "pilot_user_share_pct", "complete", instance, "platform_pilot", user=TECH,
            values=values("platform_pilot", pilot_user_share_pct=15))


def test_the_platform_pilot_publishes_its_user_manual_first(terminal):
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft"])
    refused(terminal, 6, "须先发布《平台使用手册》", "complete", instance, "platform_pilot", user=TECH,
            values=values("platform_pilot", manual_published=False))


def test_weekly_reviews_are_numbered_without_gaps_or_repeats(terminal):
    instance = in_pilot(terminal)
    refused(terminal, 6, "本次应为第1周", "complete", instance, "weekly_review", user=PM,
            values=values("weekly_review", week_no=2))
    walk(terminal, instance, weeks(1, 1))
    refused(terminal, 6, "上次复盘为第1周，本次应为第2周", "complete", instance, "weekly_review", user=PM,
            values=values("weekly_review", week_no=1))
    refused(terminal, 6, "本次应为第2周", "complete", instance, "weekly_review", user=PM,
            values=values("weekly_review", week_no=3))


def test_sign_off_needs_a_weekly_review_for_each_week_of_the_pilot_window(terminal):
    instance = in_pilot(terminal)
    assert data_of(terminal, instance)["pilot_weeks"] == PILOT_WEEKS  # 2023-10-01..2023-12-31
    walk(terminal, instance, weeks(1, PILOT_WEEKS - 1))
    assert ready(terminal, instance) == ["expert_secondment", "weekly_review"]  # no survey, no sign-off yet
    walk(terminal, instance, weeks(PILOT_WEEKS, PILOT_WEEKS))
    assert ready(terminal, instance) == ["expert_secondment", "pilot_survey"]
    short = in_pilot(terminal, pilot_start="2023-10-09", pilot_end="2023-10-29")  # three weeks
    walk(terminal, short, weeks(1, 3))
    assert ready(terminal, short) == ["expert_secondment", "pilot_survey"]


def test_a_pilot_below_85_percent_satisfaction_is_adjusted_and_extended_not_signed_off(terminal):
    instance = in_pilot(terminal)
    walk(terminal, instance, weeks(1, PILOT_WEEKS) + [("pilot_survey", {"satisfaction": 84})])
    assert ready(terminal, instance) == ["adjust_pilot", "expert_secondment"]
    assert "满意度" in data_of(terminal, instance)["pilot_reason"]
    walk(terminal, instance, [("adjust_pilot", {"extend_weeks": 2})])
    walk(terminal, instance, weeks(PILOT_WEEKS + 1, PILOT_WEEKS + 1))
    assert ready(terminal, instance) == ["expert_secondment", "weekly_review"]  # two extra weeks, not one


def pilot_passed_early(terminal) -> int:
    """Every week reviewed by mid-November 2023 and the survey passed, before the window's end (Dec 31)."""
    terminal.now = "2023-07-03T09:00:00+08:00"
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft"])
    terminal.now = "2023-10-09T09:00:00+08:00"
    tick(terminal, terminal.now)
    walk(terminal, instance, ["platform_pilot", "smart_answer_pilot", "assign_experts"])
    terminal.now = "2023-11-20T10:00:00+08:00"
    walk(terminal, instance, weeks(1, PILOT_WEEKS) + ["expert_secondment", "pilot_survey"])
    return instance


def test_the_pilot_cannot_pass_before_its_window_ends_unless_management_approves(terminal):
    instance = pilot_passed_early(terminal)
    assert data_of(terminal, instance)["pilot_passed"] is True
    assert ready(terminal, instance) == ["early_signoff"]  # not the rollout: 管理层 decides
    refused(terminal, 5, "it belongs to lane 管理层", "complete", instance, "early_signoff", user=PM,
            values=values("early_signoff"))
    walk(terminal, instance, [("early_signoff", {"early_decision": "wait", "early_reason": "按计划执行至年底"})])
    assert [d["task_id"] for d in terminal.json("deadlines")] == ["await_pilot_end"]
    assert tick(terminal, "2023-12-30T23:59:59+08:00") == []
    assert tick(terminal, "2023-12-31T00:00:00+08:00") == ["await_pilot_end"]
    assert [d["task_id"] for d in terminal.json("deadlines")] == ["await_rollout_window"]


def test_management_may_approve_an_early_sign_off(terminal):
    instance = pilot_passed_early(terminal)
    walk(terminal, instance, ["early_signoff"])
    assert [d["task_id"] for d in terminal.json("deadlines")] == ["await_rollout_window"]
    [approved] = [h for h in terminal.json("history", instance) if h["task_id"] == "early_signoff"]
    assert (approved["actor"], approved["data"]["early_decision"]) == (MANAGER, "approve")


# -- 人员调配: 10名技术专家，按季度轮换 ------------------------------------------------------------

def test_ten_technology_experts_are_seconded_to_the_pilot(terminal):
    technology = {m["person"] for m in terminal.json("people") if m["lane"] == "技术部"}
    assert set(EXPERTS) <= technology and len(EXPERTS) == 10
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft"])
    refused(terminal, 6, "须借调10名技术专家，现仅9名", "complete", instance, "assign_experts", user=TECH,
            values=values("assign_experts", experts=EXPERTS[:9]))
    refused(terminal, 6, "experts: 李娜 not in lane 技术部", "complete", instance, "assign_experts", user=TECH,
            values=values("assign_experts", experts=EXPERTS[:9] + ["李娜"]))


def test_the_experts_rotate_every_quarter_while_the_pilot_runs(terminal):
    terminal.now = "2023-07-03T09:00:00+08:00"
    instance = start(terminal)
    walk(terminal, instance, PREPARATION + ["review_draft"])
    terminal.now = "2023-10-09T09:00:00+08:00"
    tick(terminal, terminal.now)
    walk(terminal, instance, ["assign_experts"])
    rotation = [d for d in terminal.json("deadlines") if d["task_id"] == "expert_rotation_due"]
    assert [d["due_at"] for d in rotation] == ["2024-01-09T01:00:00.000000+00:00"]
    assert tick(terminal, "2024-01-09T08:59:59+08:00") == []
    assert tick(terminal, "2024-01-09T09:00:00+08:00") == ["expert_rotation_due"]
    assert "rotate_experts" in ready(terminal, instance)
    refused(terminal, 6, "须借调10名技术专家", "complete", instance, "rotate_experts", user=TECH,
            values=values("rotate_experts", experts=SAMPLES["rotate_experts"]["experts"][:8]))
    walk(terminal, instance, ["rotate_experts"])
    due = [d["due_at"] for d in terminal.json("deadlines") if d["task_id"] == "expert_rotation_due"]
    assert len(due) == 1 and due[0].startswith("2024-04-")  # the next quarter (a cycle repeats its first span)
    walk(terminal, instance, ["expert_secondment"])  # released at the pilot's end: no more rotations
    assert [d for d in terminal.json("deadlines") if d["task_id"] == "expert_rotation_due"] == []


# -- 应急预案: 系统故障、用户投诉激增 ----------------------------------------------------------------

def test_a_system_failure_starts_its_emergency_plan_in_any_phase(terminal):
    instance = start(terminal)  # 准备阶段
    sent = terminal.json("signal", "系统故障", user=TECH)
    [reached] = sent["instances"]
    assert (reached["instance_id"], [s["task_id"] for s in reached["started"]]) == (instance, ["restore_system"])
    assert reached["started"][0]["lane"] == "技术部"
    refused(terminal, 5, "it belongs to lane 技术部", "complete", instance, "restore_system", user=SERVICE,
            values=values("restore_system"))
    walk(terminal, instance, ["restore_system"])
    assert ready(terminal, instance) == ["form_task_force", "inform_failure"]  # 管理层 is informed
    walk(terminal, instance, ["inform_failure"])
    walk(terminal, instance, PREPARATION + ["review_draft"])  # 试点阶段
    terminal.json("signal", "系统故障", "--instance", instance, user=TECH)
    assert "restore_system" in ready(terminal, instance)
    assert [h["data"]["signal"] for h in terminal.json("history", instance) if h["action"] == "signal"] == [
        "系统故障", "系统故障"]


def test_an_unknown_signal_is_refused_in_one_line_and_changes_nothing(terminal):
    instance = start(terminal)
    line = refused(terminal, 2, "unknown signal '地震'", "signal", "地震", user=TECH)
    assert "signals caught: 用户投诉激增, 系统故障" in line
    refused(terminal, 4, "no instance 99", "signal", "系统故障", "--instance", "99", user=TECH)
    refused(terminal, 5, "", "signal", "系统故障", "--instance", instance, user="路人甲")


def test_a_weekly_complaint_rate_over_5_percent_starts_the_complaint_surge_plan(terminal):
    instance = in_pilot(terminal)
    walk(terminal, instance, weeks(1, 1, complaint_rate=5))
    assert "handle_complaints" not in ready(terminal, instance)
    walk(terminal, instance, weeks(2, 2, complaint_rate=5.1))
    assert ready(terminal, instance) == ["expert_secondment", "handle_complaints", "weekly_review"]
    [surge] = [t for t in terminal.json("tasks", "--instance", instance) if t["task_id"] == "handle_complaints"]
    assert surge["lane"] == "客服中心"
    assert not [h for h in terminal.json("history", instance) if h["action"] == "signal"]  # the model threw it


def test_the_complaint_surge_is_handled_by_customer_service_and_management_is_informed(terminal):
    instance = start(terminal)
    terminal.json("signal", "用户投诉激增", user=SERVICE)
    refused(terminal, 5, "it belongs to lane 客服中心", "complete", instance, "handle_complaints", user=TECH,
            values=values("handle_complaints"))
    walk(terminal, instance, ["handle_complaints"])
    assert "inform_surge" in ready(terminal, instance)
    refused(terminal, 5, "it belongs to lane 管理层", "complete", instance, "inform_surge", user=SERVICE,
            values=values("inform_surge"))
    walk(terminal, instance, ["inform_surge"])
    assert ready(terminal, instance) == ["form_task_force"]


def test_emergency_plans_have_deadlines_that_escalate_to_management(terminal):
    terminal.now = "2023-08-01T10:00:00+08:00"
    instance = start(terminal)
    terminal.json("signal", "系统故障", user=TECH)
    terminal.json("signal", "用户投诉激增", user=SERVICE)
    due = {d["task_id"]: d["due_at"] for d in terminal.json("deadlines") if d["kind"] == "timer"}
    assert due == {"restore_overdue": "2023-08-01T06:00:00.000000+00:00",   # 4 hours
                   "handle_overdue": "2023-08-01T04:00:00.000000+00:00"}    # 2 hours
    assert tick(terminal, "2023-08-01T11:59:59+08:00") == []
    assert tick(terminal, "2023-08-01T12:00:00+08:00") == ["handle_overdue"]
    assert tick(terminal, "2023-08-01T14:00:00+08:00") == ["restore_overdue"]
    managers = sorted(t["task_id"] for t in terminal.json("tasks", "--instance", instance, user=MANAGER))
    assert managers == ["escalate_failure", "escalate_surge"]
    assert {"restore_system", "handle_complaints"} <= set(ready(terminal, instance))  # still open, overdue


# -- 容错机制: 局部回退与3日内复盘报告 ------------------------------------------------------------

def test_a_local_rollback_in_the_pilot_is_followed_by_a_review_report_due_in_3_days(terminal):
    terminal.now = "2023-07-03T09:00:00+08:00"
    instance = start(terminal, preparation_end="2023-09-24", pilot_start="2023-09-25")
    walk(terminal, instance, PREPARATION + ["review_draft"])
    terminal.now = "2023-09-28T10:00:00+08:00"  # Thursday before the National Day week
    tick(terminal, terminal.now)
    walk(terminal, instance, ["platform_pilot", "smart_answer_pilot", "assign_experts"]
         + weeks(1, 1, pilot_rollback=True))
    assert ready(terminal, instance) == ["expert_secondment", "pilot_rollback"]
    walk(terminal, instance, ["pilot_rollback"])
    [report] = [t for t in terminal.json("tasks", "--instance", instance) if t["task_id"] == "pilot_review_report"]
    assert report["due_at"] == "2023-10-01T02:00:00.000000+00:00"  # 3 calendar days, holidays or not
    assert tick(terminal, "2023-10-01T09:59:59+08:00") == []
    assert tick(terminal, "2023-10-01T10:00:00+08:00") == ["pilot_review_overdue"]
    walk(terminal, instance, ["pilot_review_report"])
    assert ready(terminal, instance) == ["expert_secondment", "weekly_review"]  # the pilot goes on, week 2


def test_a_local_rollback_in_the_rollout_needs_its_review_report_within_3_days(terminal):
    terminal.now = "2024-01-10T10:00:00+08:00"
    instance = signed_off(terminal)
    walk(terminal, instance, BATCH_OK[:-1] + [("batch_check", {"batch_status": "rollback"}), "rollback_batch"])
    [report] = terminal.json("tasks", "--instance", instance)
    assert (report["task_id"], report["due_at"]) == ("review_report", "2024-01-13T02:00:00.000000+00:00")  # Saturday
    assert tick(terminal, "2024-01-13T10:00:00+08:00") == ["review_report_overdue"]
    assert [t["task_id"] for t in terminal.json("tasks", "--instance", instance, user=MANAGER)] == ["escalate_review"]


WORKDAY_TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="workday_report" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="report" name="报告"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="report" cancelActivity="false">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="calendar" value="workdays-cn"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P3D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="flagged"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="report"/>
    <bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="e"/>
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="flagged"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_timer_that_names_the_working_day_calendar_still_counts_chinese_working_days(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "workday.bpmn").write_text(WORKDAY_TIMER, encoding="utf-8")
    terminal = Terminal(tmp_path / "store" / "phasegate.db", models=models)
    terminal.now = "2023-09-28T10:00:00+08:00"
    instance = terminal.ok("start", "workday_report", user=PM)["id"]
    [task] = terminal.json("tasks", "--instance", instance)
    assert task["due_at"] == "2023-10-09T02:00:00.000000+00:00"  # Mon Oct 9: the third working day
    assert tick(terminal, "2023-10-08T23:59:59+08:00") == []


# -- 全面推广: 分批次上线、培训 ---------------------------------------------------------------------

def test_the_rollout_goes_in_batches_each_decided_by_management(terminal):
    instance = signed_off(terminal)
    refused(terminal, 5, "it belongs to lane 管理层", "complete", instance, "batch_decision", user=MARKETING,
            values=values("batch_decision"))
    refused(terminal, 6, "暂缓上线时必须说明理由", "complete", instance, "batch_decision", user=MANAGER,
            values=values("batch_decision", batch_go="no_go"))
    walk(terminal, instance, [("batch_decision", {"batch_go": "no_go", "decision_reason": "华南仓未就绪"})])
    assert ready(terminal, instance) == ["replan_batch"]


def test_training_repeats_until_90_percent_of_staff_master_the_new_systems(terminal):
    instance = signed_off(terminal)
    walk(terminal, instance, BATCH_OK[:3] + [("staff_training", {"training_pass_rate": 89.9})])
    assert ready(terminal, instance) == ["staff_training"]
    walk(terminal, instance, [("staff_training", {"training_round": 2, "training_pass_rate": 90})])
    assert ready(terminal, instance) == ["transition_support"]


# -- 核心目标: 响应时间平均2小时内 ------------------------------------------------------------------

def test_an_inquiry_unanswered_for_2_hours_escalates_to_the_service_lead(terminal):
    terminal.now = "2024-01-15T09:00:00+08:00"
    loop = terminal.ok("start", "service_loop_after", user=ACTORS["客户"])["id"]
    walk(terminal, loop, [("submit_inquiry", {"inquiry_kind": "complex"})])
    assert tick(terminal, "2024-01-15T10:59:59+08:00") == []
    assert tick(terminal, "2024-01-15T11:00:00+08:00") == ["answer_overdue"]
    assert "escalate_inquiry" in [t["task_id"] for t in terminal.json("tasks", "--instance", loop, user="林晓燕")]

"""One test per rule of the seed (../shared/seed/) about the draft, the monthly 成效报告 and the yearly
summary, each named after its rule and each proving it with a refused or rerouted action: a refusal
is one line with its exit code and leaves the store as it was."""

from __future__ import annotations

import json

import pytest

from conftest import store_bytes
from programme_story import (MANAGER, PM, PREPARATION, complete, drafted, kept, ready, report_month,
                             to_monthly_loop, walk)
from processes.samples import SAMPLES

pytestmark = pytest.mark.store

ROI = SAMPLES["draft_proposal"]["roi_table"]


def refused_draft(terminal, **overrides):
    """The draft form completed with `overrides`: (exit code, stderr), checking nothing changed."""
    instance = drafted_up_to_the_draft(terminal)
    before = store_bytes(terminal.db)
    result = complete(terminal, instance, "draft_proposal", **overrides)
    assert store_bytes(terminal.db) == before
    assert "draft_proposal" in ready(terminal, instance)
    return result.exit_code, result.stderr


def drafted_up_to_the_draft(terminal) -> int:
    terminal.now = "2023-07-03T09:00:00+08:00"
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    walk(terminal, instance, PREPARATION[:-1])
    return instance


# -- 《业务调整草案》 ----------------------------------------------------------------------------------

def test_budget_500wan_over_budget_plan_is_refused(terminal):
    rows = ROI + [{"quarter": "2024Q4", "category": "技术平台升级", "item": "扩容", "investment_wan": 40,
                   "saving_wan": 10, "roi_pct": -75.0}]
    assert refused_draft(terminal, roi_table=rows) == (
        6, "phasegate: invalid-form: invalid values for task 'draft_proposal': roi_table: 投入合计 510 万元超过预算总金额 500 万元\n")


def test_budget_technology_upgrades_first_plan_starving_technology_is_refused(terminal):
    rows = [{**row, "category": "产品线优化"} if row["item"] == "平台全面推广" else row for row in ROI]
    rows = [{**row, "category": "产品线优化"} if row["item"] == "新开发平台试点" else row for row in rows]
    code, line = refused_draft(terminal, roi_table=rows)
    assert code == 6 and line.endswith("roi_table: 须优先保障技术升级项目：技术平台升级投入 80 万元少于产品线优化 280 万元\n")


def test_roi_table_quarters_outside_the_programme_are_refused(terminal):
    rows = ROI[:1] + [{"quarter": "2031Q2", "category": "技术平台升级", "item": "远期", "investment_wan": 9000,
                       "saving_wan": 0, "roi_pct": -100.0}]
    code, line = refused_draft(terminal, roi_table=rows)
    assert code == 6 and line.endswith("roi_table: roi_table 第2行（2031Q2 远期）：季度须在 2023Q3～2024Q4 之内\n")


def test_roi_table_rows_whose_arithmetic_does_not_add_up_are_refused(terminal):
    rows = [dict(ROI[0], saving_wan=30)] + ROI[1:]   # 30 saved of 60: -50 %, not the -100 % typed
    code, line = refused_draft(terminal, roi_table=rows)
    assert code == 6 and line.endswith("roi_table: roi_table 第1行（2023Q3 AI客服机器人与算力）：ROI -100.0% 与 "
                                       "(节约30−投入60)÷投入 = -50.0% 不符\n")


def test_draft_scope_carries_product_line_and_staffing_changes(terminal):
    scope = [row for row in SAMPLES["draft_proposal"]["scope_items"] if row["item"] != "人力资源配置调整"]
    code, line = refused_draft(terminal, scope_items=scope)
    assert code == 6 and "scope_items: List should have at least 4 items" in line
    twice = scope + [dict(scope[0])]
    code, line = refused_draft(terminal, scope_items=twice)
    assert code == 6 and line.endswith("scope_items: 调整内容不能重复\n")


def test_draft_key_technical_dependencies_name_need_requirement_and_owner(terminal):
    code, line = refused_draft(terminal, tech_dependencies=[{"item": "AI客服机器人算力", "requirement": "GPU"}])
    assert code == 6
    assert "tech_dependencies.0.needed_by: Field required" in line and "tech_dependencies.0.owner: Field required" in line
    code, line = refused_draft(terminal, tech_dependencies=[])
    assert code == 6 and "tech_dependencies: List should have at least 1 item" in line


def test_draft_is_published_only_when_management_approves_and_the_proposal_says_so(terminal, tmp_path):
    instance = drafted(terminal)
    assert terminal.json("proposal", "-o", tmp_path / "a")["figures"]["review"] == "待管理层审议"
    walk(terminal, instance, [("review_draft", {"draft_decision": "revise", "review_comments": "补充算力"})])
    assert terminal.json("proposal", "-o", tmp_path / "b")["figures"]["review"].startswith("管理层退回修改")
    assert list(ready(terminal, instance)) == ["revise_draft"]


# -- 《业务调整成效报告》 ----------------------------------------------------------------------------------

def test_monthly_report_month_is_counted_not_typed(terminal):
    instance = to_monthly_loop(terminal)
    terminal.now = "2024-01-28T17:00:00+08:00"
    before = store_bytes(terminal.db)
    typed = complete(terminal, instance, "monthly_report", report_month=12)
    assert (typed.exit_code, typed.stderr) == (6, "phasegate: invalid-form: invalid values for task 'monthly_report': "
                                                  "report_month: Extra inputs are not permitted\n")
    assert store_bytes(terminal.db) == before
    done = report_month(terminal, instance, 1)
    assert [r["month"] for r in kept(terminal, instance)] == ["2024-01"]
    assert [t["task_id"] for t in done["ready"]] != ["yearly_summary"]


def test_monthly_report_a_month_already_reported_cannot_be_overwritten(terminal):
    instance = to_monthly_loop(terminal)
    report_month(terminal, instance, 1)
    terminal.now = "2024-01-31T23:00:00+08:00"
    before = store_bytes(terminal.db)
    again = complete(terminal, instance, "monthly_report", complaint_rate=0.5)
    assert again.exit_code == 3 and "2024-01 的成效报告已于 2024-01-28 17:00 登记，每月一份，不能覆盖" in again.stderr
    assert again.stderr.count("\n") == 1
    assert store_bytes(terminal.db) == before
    assert [r["complaint_rate"] for r in kept(terminal, instance)] == [3.6]


def test_monthly_report_cumulative_spend_and_saving_cannot_shrink(terminal):
    instance = to_monthly_loop(terminal)
    report_month(terminal, instance, 1)
    terminal.now = "2024-02-28T17:00:00+08:00"
    before = store_bytes(terminal.db)
    shrunk = complete(terminal, instance, "monthly_report", budget_used_wan=200)
    assert shrunk.exit_code == 3 and shrunk.stderr.endswith("累计投入 200 万元少于 2024-01 已登记的 310 万元（累计数不能减少）\n")
    assert store_bytes(terminal.db) == before


def test_year_closes_after_12_kept_monthly_reports(terminal):
    instance = to_monthly_loop(terminal)
    for number in range(1, 12):
        report_month(terminal, instance, number, budget_used_wan=400)
        assert list(ready(terminal, instance)) == ["monthly_report"], number
    done = report_month(terminal, instance, 12, budget_used_wan=400)
    assert [t["task_id"] for t in done["ready"]] == ["yearly_summary"]
    assert len(kept(terminal, instance)) == 12


def test_complaint_rate_target_3pct_flags_month(terminal):
    instance = to_monthly_loop(terminal)
    terminal.now = "2024-01-28T17:00:00+08:00"
    over = walk(terminal, instance, [("monthly_report", {"complaint_rate": 3.1, "feature_usage": 40, "budget_used_wan": 300})])
    assert [t["task_id"] for t in over["ready"]] == ["corrective_plan"]      # rerouted to 整改措施
    assert terminal.json("show", instance)["data"]["month_flags"] == "投诉率超标"
    walk(terminal, instance, ["corrective_plan"])
    terminal.now = "2024-02-28T17:00:00+08:00"
    at_target = walk(terminal, instance, [("monthly_report", {"complaint_rate": 3.0, "feature_usage": 40,
                                                              "budget_used_wan": 320})])
    assert [t["task_id"] for t in at_target["ready"]] == ["monthly_report"]


def test_feature_usage_target_30pct_flags_month(terminal):
    instance = to_monthly_loop(terminal)
    terminal.now = "2024-01-28T17:00:00+08:00"
    low = walk(terminal, instance, [("monthly_report", {"complaint_rate": 2.0, "feature_usage": 29.9, "budget_used_wan": 300})])
    assert [t["task_id"] for t in low["ready"]] == ["corrective_plan"]
    walk(terminal, instance, ["corrective_plan"])
    terminal.now = "2024-02-28T17:00:00+08:00"
    met = walk(terminal, instance, [("monthly_report", {"complaint_rate": 2.0, "feature_usage": 30, "budget_used_wan": 320})])
    assert [t["task_id"] for t in met["ready"]] == ["monthly_report"]


def test_spending_over_500wan_routes_to_a_management_decision(terminal):
    instance = to_monthly_loop(terminal)
    fine = dict(complaint_rate=2.0, feature_usage=40)
    terminal.now = "2024-01-28T17:00:00+08:00"
    over = walk(terminal, instance, [("monthly_report", dict(fine, budget_used_wan=501))])
    assert [(t["task_id"], t["lane"]) for t in over["ready"]] == [("budget_decision", "管理层")]
    before = store_bytes(terminal.db)
    wrong_lane = terminal.run("complete", instance, "budget_decision", "--data",
                              json.dumps(SAMPLES["budget_decision"], ensure_ascii=False), user=PM)
    assert wrong_lane.exit_code == 5 and wrong_lane.stderr.count("\n") == 1
    no_amount = terminal.run("complete", instance, "budget_decision", "--set", "overrun_decision=extend",
                             "--set", "decision_note=追加", user=MANAGER)
    assert no_amount.exit_code == 6 and no_amount.stderr.endswith("extra_budget_wan: 追加预算时须填写追加金额（万元）\n")
    assert store_bytes(terminal.db) == before
    walk(terminal, instance, [("budget_decision", {"overrun_decision": "extend", "extra_budget_wan": 30})])
    assert terminal.json("show", instance)["data"]["approved_budget_wan"] == 530
    terminal.now = "2024-02-28T17:00:00+08:00"
    within = walk(terminal, instance, [("monthly_report", dict(fine, budget_used_wan=525))])
    assert [t["task_id"] for t in within["ready"]] == ["monthly_report"]   # within the extended budget
    terminal.now = "2024-03-28T17:00:00+08:00"
    beyond = walk(terminal, instance, [("monthly_report", dict(fine, budget_used_wan=531))])
    assert [t["task_id"] for t in beyond["ready"]] == ["budget_decision"]  # over it again: management again
    walk(terminal, instance, [("budget_decision", {"overrun_decision": "freeze", "extra_budget_wan": 0,
                                                   "decision_note": "冻结新增投入"})])
    terminal.now = "2024-04-28T17:00:00+08:00"
    grown = walk(terminal, instance, [("monthly_report", dict(fine, budget_used_wan=532))])
    assert [t["task_id"] for t in grown["ready"]] == ["budget_decision"]   # frozen: any growth goes back up


def test_yearly_summary_awards_the_department_ranked_first_on_its_kpis(terminal):
    instance = to_monthly_loop(terminal)
    for number in range(1, 13):
        report_month(terminal, instance, number)
    before = store_bytes(terminal.db)
    wrong = complete(terminal, instance, "yearly_summary", best_team="运营部")
    assert wrong.exit_code == 6 and wrong.stderr.endswith(
        "best_team: 优秀执行团队须为KPI达成率第一的部门：客服中心（130.4%），不是运营部（113.3%）\n")
    partial = complete(terminal, instance, "yearly_summary",
                       department_results=SAMPLES["yearly_summary"]["department_results"][:3] * 2)
    assert partial.exit_code == 6 and partial.stderr.endswith("department_results: 缺少部门：客服中心\n")
    assert store_bytes(terminal.db) == before
    done = walk(terminal, instance, ["yearly_summary"])
    assert done["instance"]["status"] == "completed"


def test_review_report_within_3_days_of_a_rollback_is_measured_on_time_or_late(terminal, tmp_path):
    from programme_story import BATCH, through_pilot

    instance = drafted(terminal)
    walk(terminal, instance, ["review_draft"])
    through_pilot(terminal, instance)
    walk(terminal, instance, BATCH[:-1] + [("batch_check", {"batch_status": "rollback"}), "rollback_batch"])
    terminal.now = "2024-01-06T10:00:00+08:00"   # four days later: late
    walk(terminal, instance, ["review_report"] + BATCH[:-1] + [("batch_check", {"batch_status": "rollback"}),
                                                              "rollback_batch"])
    terminal.now = "2024-01-08T10:00:00+08:00"   # two days later: on time
    walk(terminal, instance, ["review_report"] + BATCH)
    report_month(terminal, instance, 1)
    rollbacks = terminal.json("report", "monthly", "-o", tmp_path)["figures"]["rollbacks"]
    assert [(r["rollback"], r["on_time"]) for r in rollbacks] == [("rollback_batch", False), ("rollback_batch", True)]
    assert rollbacks[0]["due"] == "2024-01-05T01:00:00+00:00"   # 3 calendar days after 2024-01-02 09:00

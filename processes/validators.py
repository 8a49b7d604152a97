"""The checks the programme's forms cannot say themselves, by the name a form gives them.

The forms live where the designers drew them (inline `camunda:formData` in bpmn/*.bpmn, form-js
files bpmn/*.form); a field or a form names one of these with `properties.validator` (form-js) or
`<camunda:constraint name="validator" config="NAME"/>`. Each takes the form's values as JSON data
and raises ValueError with the line a person reads; `FieldProblem` puts that line under one field.
The engine runs them only once every field on its own is valid. A check taking a second argument
also gets the task's data so far (read only), e.g. the week number the last review entered.

Where the fields they read go (every gateway condition and DMN input reads a form field):

    business_adjustment
      draft_decision      <- review_draft.draft_decision        ("approve" | "revise")
      weekly_route        <- weekly_review.week_no, .complaint_rate, .pilot_rollback, plan_pilot_weeks.pilot_weeks
      pilot_window_gate   <- start.pilot_end (FEEL today() >= date(pilot_end))
      early_gate          <- early_signoff.early_decision      ("approve" | "wait")
      pilot_signoff (DMN) <- weekly_review.fault_rate, weekly_review.handling_minutes,
                             pilot_survey.satisfaction          -> pilot_passed, pilot_reason
      batch_go_gate       <- batch_decision.batch_go            ("go" | "no_go")
      training_gate       <- staff_training.training_pass_rate  (>= 90)
      batch_status_gate   <- batch_check.batch_status           ("stable" | "rollback")
      more_batches_gate   <- batch_check.more_batches           (bool)
      monthly_verdict(DMN)<- monthly_report.complaint_rate, .feature_usage, .budget_used_wan
      kpi_gate            <- monthly_verdict.kpi_on_track       (DMN output)
      budget_gate         <- monthly_verdict.within_budget      (DMN output)
      year_gate           <- keep_monthly_report -> monthly_reports (len >= 12: counted, not typed)
    service_loop_before / service_loop_after
      inquiry_kind_gate   <- submit_inquiry.inquiry_kind        (after only: "simple" | "complex")
      order_gate          <- place_order.order_placed           (bool)
      after_sales_gate    <- confirm_receipt.has_issue          (bool)
      tech_gate           <- handle_after_sales.needs_tech      (bool)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from engine.runtime.forms import FieldProblem

from . import targets

PHASE_FIELDS = ("preparation_start", "preparation_end", "pilot_start", "pilot_end", "rollout_start", "rollout_end")
TASK_FORCE_FIELDS = ("marketing_members", "operations_members", "technology_members", "service_members")


def _unique(values: list[str], what: str, field: str | None = None) -> None:
    problem = (f"{what}不能重复" if len(set(values)) != len(values)
               else f"{what}不能为空" if any(not v for v in values) else None)
    if problem:
        raise FieldProblem(field, problem) if field else ValueError(problem)


def phase_windows_in_order(values: dict) -> None:
    """Start form of business_adjustment: 准备 → 试点 → 推广, each start no later than its end."""
    seq = [dt.date.fromisoformat(values[name]) for name in PHASE_FIELDS]
    if any(a > b for a, b in zip(seq, seq[1:])):
        raise ValueError("阶段时间窗须按 准备→试点→推广 顺序排列，且每阶段开始不晚于结束")


def task_force_distinct(values: dict) -> None:
    """form_task_force: the project manager and every member are different people."""
    everyone = [values["project_manager"]] + [name for field in TASK_FORCE_FIELDS for name in values[field]]
    _unique(everyone, "专项小组成员")


def crm_export_csv(values: dict) -> None:
    """collect_feedback: the CRM export is a .csv file."""
    if not values["crm_export"].lower().endswith(".csv"):
        raise FieldProblem("crm_export", "导出文件须为 .csv")


def peers_distinct(values: dict) -> None:
    """benchmark_peers: three different companies."""
    _unique([peer["company"] for peer in values["peers"]], "标杆企业", "peers")


def swimlanes_bpmn(values: dict) -> None:
    """draft_proposal: both swimlane pictures are .bpmn files."""
    for field in ("swimlane_before", "swimlane_after"):
        if not values[field].endswith(".bpmn"):
            raise FieldProblem(field, "泳道图须为 .bpmn 文件")


def roi_quarters_distinct(values: dict) -> None:
    """draft_proposal: one ROI row per quarter and item."""
    _unique([f"{row['quarter']} {row['item']}" for row in values["roi_table"]], "ROI测算行（季度+投入项目）", "roi_table")


def scope_covers_the_seed(values: dict) -> None:
    """draft_proposal: the draft plans each of the four 调整内容 once (产品线优化, 人力资源配置调整, ...)."""
    items = [row["item"] for row in values["scope_items"]]
    _unique(items, "调整内容", "scope_items")
    missing = [item for item in targets.SCOPE if item not in items]
    if missing:
        raise FieldProblem("scope_items", f"调整内容缺少：{'、'.join(missing)}")


def draft_plan_adds_up(values: dict) -> None:
    """draft_proposal: every ROI row's quarter lies in the programme, its ROI is (节约−投入)÷投入, the
    total stays within the 500万元 budget, and 技术平台升级 gets no less than any other item."""
    allowed = targets.quarters()
    by_category: dict[str, float] = {}
    for number, row in enumerate(values["roi_table"], 1):
        where = f"roi_table 第{number}行（{row['quarter']} {row['item']}）"
        if row["quarter"] not in allowed:
            raise FieldProblem("roi_table", f"{where}：季度须在 {allowed[0]}～{allowed[-1]} 之内")
        if not row["investment_wan"]:
            raise FieldProblem("roi_table", f"{where}：投入须大于0，否则无法计算ROI")
        expected = targets.roi_pct(row["investment_wan"], row["saving_wan"])
        if abs(row["roi_pct"] - expected) > 0.1:
            raise FieldProblem("roi_table", f"{where}：ROI {row['roi_pct']}% 与 (节约{row['saving_wan']:g}−投入"
                                            f"{row['investment_wan']:g})÷投入 = {expected}% 不符")
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["investment_wan"]
    total = sum(by_category.values())
    if total > targets.BUDGET_WAN:
        raise FieldProblem("roi_table", f"投入合计 {total:g} 万元超过预算总金额 {targets.BUDGET_WAN} 万元")
    technology = by_category.get(targets.TECHNOLOGY, 0)
    ahead = {name: amount for name, amount in by_category.items() if amount > technology}
    if ahead:
        name, amount = max(ahead.items(), key=lambda item: item[1])
        raise FieldProblem("roi_table", f"须优先保障技术升级项目：{targets.TECHNOLOGY}投入 {technology:g} 万元"
                                        f"少于{name} {amount:g} 万元")


def best_team_ranked_first(values: dict) -> None:
    """yearly_summary: each department's KPIs are given, and the award goes to the one ranked first."""
    scores = department_ranking(values["department_results"])
    missing = [d for d in targets.DEPARTMENTS if d not in dict(scores)]
    if missing:
        raise FieldProblem("department_results", f"缺少部门：{'、'.join(missing)}")
    top = scores[0][1]
    leaders = [d for d, score in scores if score == top]
    if values["best_team"] not in leaders:
        mine = dict(scores)[values["best_team"]]
        raise FieldProblem("best_team", f"优秀执行团队须为KPI达成率第一的部门：{'、'.join(leaders)}（{top:.1f}%），"
                                        f"不是{values['best_team']}（{mine:.1f}%）")


def department_ranking(rows: list[dict]) -> list[tuple[str, float]]:
    """(department, mean KPI achievement in %) from the best; a department's KPIs weigh alike."""
    per: dict[str, list[float]] = {}
    for row in rows:
        per.setdefault(row["department"], []).append(
            targets.achievement_pct(row["target"], row["actual"], row.get("higher_is_better", True)))
    return sorted(((d, sum(v) / len(v)) for d, v in per.items()), key=lambda item: (-item[1], item[0]))


def extra_budget_when_extended(values: dict) -> None:
    """budget_decision: extending the budget names the extra amount."""
    if values["overrun_decision"] == "extend" and not values.get("extra_budget_wan"):
        raise FieldProblem("extra_budget_wan", "追加预算时须填写追加金额（万元）")


def comments_when_revise(values: dict) -> None:
    """review_draft: sending the draft back needs the reviewers' comments."""
    if values["draft_decision"] == "revise" and not values["review_comments"]:
        raise ValueError("退回修改时必须填写审议意见")


def manual_published(values: dict) -> None:
    """platform_pilot: the pilot starts only once the user manual is out."""
    if not values["manual_published"]:
        raise FieldProblem("manual_published", "须先发布《平台使用手册》")


def week_in_sequence(values: dict, data) -> None:
    """weekly_review: week numbers run 1, 2, 3, ... with none repeated or skipped (the week before is
    the one this task's data still holds; `data` is None when no task data is at hand)."""
    if data is None:
        return
    expected = int(data.get("week_no") or 0) + 1
    if values["week_no"] != expected:
        last = f"上次复盘为第{expected - 1}周" if expected > 1 else "尚无复盘记录"
        raise FieldProblem("week_no", f"周次须连续且不重复：{last}，本次应为第{expected}周")


def ten_experts(values: dict) -> None:
    """assign_experts / rotate_experts: 10 different experts are seconded to the pilot (细则: 10名技术专家)."""
    _unique(values["experts"], "借调专家", "experts")
    if len(values["experts"]) < 10:
        raise FieldProblem("experts", f"须借调10名技术专家，现仅{len(values['experts'])}名")


def reason_when_no_go(values: dict) -> None:
    """batch_decision: holding a batch back needs a reason."""
    if values["batch_go"] == "no_go" and not values["decision_reason"]:
        raise ValueError("暂缓上线时必须说明理由")


def quantity_when_ordered(values: dict) -> None:
    """place_order: an order has at least one item."""
    if values["order_placed"] and values["order_quantity"] < 1:
        raise ValueError("下单时数量至少为1")


def issue_text_when_has_issue(values: dict) -> None:
    """confirm_receipt: asking for after-sales service needs the problem described."""
    if values["has_issue"] and not values["issue_text"]:
        raise ValueError("需要售后时必须描述问题")


VALIDATORS: dict[str, Callable[[dict], None]] = {
    check.__name__: check
    for check in (phase_windows_in_order, task_force_distinct, crm_export_csv, peers_distinct, swimlanes_bpmn,
                  roi_quarters_distinct, scope_covers_the_seed, draft_plan_adds_up, best_team_ranked_first,
                  extra_budget_when_extended, comments_when_revise, manual_published, week_in_sequence, ten_experts,
                  reason_when_no_go,
                  quantity_when_ordered, issue_text_when_has_issue)
}

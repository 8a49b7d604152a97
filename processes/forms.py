"""Forms (pydantic v2) for every user task and start event of the models in bpmn/.

``FORMS`` maps a user-task id to its form; a key ``"process_id:task_id"`` overrides
the plain task id for one process (service_loop_after's ``submit_inquiry`` adds the
inquiry kind). ``START_FORMS`` maps a process id to the form of its start data.
The engine stores ``model_dump(mode="json")`` into the task data, so every field a
gateway condition or a DMN table reads comes from one of these forms:

    business_adjustment
      draft_decision      <- review_draft.draft_decision        ("approve" | "revise")
      pilot_signoff (DMN) <- weekly_review.fault_rate, weekly_review.handling_minutes,
                             pilot_survey.satisfaction          -> pilot_passed, pilot_reason
      pilot_gate          <- pilot_passed (DMN output)
      batch_go_gate       <- batch_decision.batch_go            ("go" | "no_go")
      training_gate       <- staff_training.training_pass_rate  (>= 90)
      batch_status_gate   <- batch_check.batch_status           ("stable" | "rollback")
      more_batches_gate   <- batch_check.more_batches           (bool)
      monthly_verdict(DMN)<- monthly_report.complaint_rate, .feature_usage, .budget_used_wan
                                                                -> month_on_track, month_flags
      year_gate           <- monthly_report.report_month        (>= 12)
    service_loop_before / service_loop_after
      inquiry_kind_gate   <- submit_inquiry.inquiry_kind        (after only: "simple" | "complex")
      smart_resolved_gate <- smart_reply["resolved"]            (result of the smart_answer handler)
      order_gate          <- place_order.order_placed           (bool)
      after_sales_gate    <- confirm_receipt.has_issue          (bool)
      tech_gate           <- handle_after_sales.needs_tech      (bool)

Service handlers (written in processes/handlers.py, not here):
    top3_complaints   task analyse_top3 (business_adjustment)
        params:  export_path = crm_export (str, CSV path from collect_feedback)
        result:  stored in ``top3``; a dict with key "top3" (list of the three problems)
    smart_answer      task smart_answer_inquiry (service_loop_after)
        params:  question = inquiry_text (str), kind = inquiry_kind (str),
                 customer = customer_name (str)
        result:  stored in ``smart_reply``; a JSON object
                 {"answer": str, "resolved": bool, "confidence": float 0..1}
                 ``resolved`` True -> the quote step; anything else -> human answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEPARTMENTS = ("市场部", "运营部", "技术部", "客服中心")
Department = Literal["市场部", "运营部", "技术部", "客服中心"]


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _names(min_len: int, max_len: int, title: str, description: str):
    return Field(min_length=min_len, max_length=max_len, title=title, description=description)


def _unique(values: list[str], what: str) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError(f"{what}不能重复")
    if any(not v for v in values):
        raise ValueError(f"{what}不能为空")
    return values


# ---------------------------------------------------------------------------
# Start forms
# ---------------------------------------------------------------------------
class BusinessAdjustmentStart(Form):
    """业务调整启动：三个阶段的时间窗（细则：准备2023年Q3、试点2023年Q4、推广2024年Q1）。"""

    preparation_start: dt.date = Field(dt.date(2023, 7, 1), title="准备阶段开始")
    preparation_end: dt.date = Field(dt.date(2023, 9, 30), title="准备阶段结束")
    pilot_start: dt.date = Field(dt.date(2023, 10, 1), title="试点阶段开始")
    pilot_end: dt.date = Field(dt.date(2023, 12, 31), title="试点阶段结束")
    rollout_start: dt.date = Field(dt.date(2024, 1, 1), title="全面推广阶段开始")
    rollout_end: dt.date = Field(dt.date(2024, 3, 31), title="全面推广阶段结束")

    @model_validator(mode="after")
    def _ordered(self):
        seq = [self.preparation_start, self.preparation_end, self.pilot_start,
               self.pilot_end, self.rollout_start, self.rollout_end]
        if any(a > b for a, b in zip(seq, seq[1:])):
            raise ValueError("阶段时间窗须按 准备→试点→推广 顺序排列，且每阶段开始不晚于结束")
        return self


class ServiceLoopStart(Form):
    """服务闭环启动（可选工单编号）。"""

    case_ref: str = Field("", max_length=64, title="工单编号", description="可选，便于追踪")


# ---------------------------------------------------------------------------
# business_adjustment: 准备阶段
# ---------------------------------------------------------------------------
class FormTaskForce(Form):
    """成立专项小组：市场部2人、运营部3人、技术部2人、客服中心1人，另设项目经理1人。"""

    project_manager: str = Field(min_length=1, title="项目经理")
    marketing_members: list[str] = _names(2, 2, "市场部成员", "2人")
    operations_members: list[str] = _names(3, 3, "运营部成员", "3人")
    technology_members: list[str] = _names(2, 2, "技术部成员", "2人")
    service_members: list[str] = _names(1, 1, "客服中心成员", "1人")

    @model_validator(mode="after")
    def _distinct(self):
        everyone = ([self.project_manager] + self.marketing_members + self.operations_members
                    + self.technology_members + self.service_members)
        _unique(everyone, "专项小组成员")
        return self


class CollectFeedback(Form):
    crm_export: str = Field(min_length=5, title="CRM投诉记录导出文件",
                            description="CSV文件路径（过去12个月客户反馈）")
    months_covered: int = Field(12, ge=12, le=24, title="覆盖月数", description="至少12个月")

    @field_validator("crm_export")
    @classmethod
    def _csv(cls, v: str) -> str:
        if not v.lower().endswith(".csv"):
            raise ValueError("导出文件须为 .csv")
        return v


class PeerBenchmark(Form):
    company: str = Field(min_length=1, title="标杆企业")
    inquiry: str = Field(min_length=1, title="咨询环节做法")
    ordering: str = Field(min_length=1, title="下单环节做法")
    delivery: str = Field(min_length=1, title="交付环节做法")
    after_sales: str = Field(min_length=1, title="售后环节做法")
    scale_fit: bool = Field(title="规模匹配")
    customer_fit: bool = Field(title="客群匹配")
    feasibility: Literal["高", "中", "低"] = Field(title="可行性评估")


class BenchmarkPeers(Form):
    """对标分析：恰好3家行业领先企业。"""

    peers: list[PeerBenchmark] = Field(min_length=3, max_length=3, title="标杆企业（3家）")
    lessons: str = Field(min_length=1, title="可借鉴经验")

    @field_validator("peers")
    @classmethod
    def _distinct(cls, v):
        _unique([p.company for p in v], "标杆企业")
        return v


class TechDependency(Form):
    item: str = Field(min_length=1, title="依赖项", description="如：AI客服机器人所需算力")
    requirement: str = Field(min_length=1, title="需求说明")


class RoiRow(Form):
    quarter: str = Field(pattern=r"^\d{4}Q[1-4]$", title="季度", description="如 2023Q4")
    investment_wan: float = Field(ge=0, title="投入（万元）")
    saving_wan: float = Field(ge=0, title="预计节约（万元）")
    roi_pct: float = Field(title="ROI（%）")


class DraftProposal(Form):
    """《业务调整草案》三部分：泳道图对比、关键技术依赖清单、分季度ROI测算表。"""

    swimlane_before: str = Field("bpmn/service_loop_before.bpmn", title="调整前流程泳道图",
                                 description="BPMN文件")
    swimlane_after: str = Field("bpmn/service_loop_after.bpmn", title="调整后流程泳道图",
                                description="BPMN文件")
    tech_dependencies: list[TechDependency] = Field(min_length=1, title="关键技术依赖清单")
    roi_table: list[RoiRow] = Field(min_length=1, title="分阶段ROI测算表（按季度）")

    @field_validator("swimlane_before", "swimlane_after")
    @classmethod
    def _bpmn(cls, v: str) -> str:
        if not v.endswith(".bpmn"):
            raise ValueError("泳道图须为 .bpmn 文件")
        return v

    @field_validator("roi_table")
    @classmethod
    def _quarters(cls, v):
        _unique([r.quarter for r in v], "ROI季度")
        return v


class ReviewDraft(Form):
    """管理层审议：approve 通过；revise 退回修改（须填写审议意见）。"""

    draft_decision: Literal["approve", "revise"] = Field(title="审议结论",
                                                         description="approve 通过 / revise 退回修改")
    review_comments: str = Field("", title="审议意见", description="退回修改时必填")

    @model_validator(mode="after")
    def _comments(self):
        if self.draft_decision == "revise" and not self.review_comments:
            raise ValueError("退回修改时必须填写审议意见")
        return self


class ReviseDraft(Form):
    revision_summary: str = Field(min_length=1, title="修改说明",
                                  description="逐条回应审议意见（review_comments）")


# ---------------------------------------------------------------------------
# 试点阶段
# ---------------------------------------------------------------------------
class PlatformPilot(Form):
    """技术部开发平台试点：覆盖20%内部用户，用户分层，《平台使用手册》，专人记录使用数据。"""

    pilot_user_share_pct: float = Field(20, ge=20, le=100, title="试点覆盖内部用户比例（%）",
                                        description="细则要求覆盖20%内部用户")
    user_layers: list[str] = Field(min_length=1, title="用户分层",
                                   description="按使用频率与岗位分层")
    manual_published: bool = Field(title="《平台使用手册》已发布", description="图文教程+FAQ")
    usage_observer: str = Field(min_length=1, title="使用数据记录专人",
                                description="记录登录次数、功能点击热力图")

    @field_validator("manual_published")
    @classmethod
    def _manual(cls, v: bool) -> bool:
        if not v:
            raise ValueError("须先发布《平台使用手册》")
        return v


class SmartAnswerPilot(Form):
    simple_inquiry_share_pct: float = Field(ge=0, le=100, title="简单咨询占比（%）")
    auto_resolved_pct: float = Field(ge=0, le=100, title="智能应答解决率（%）")


class WeeklyReview(Form):
    """每周复盘会：记录故障率、处理时长。"""

    week_no: int = Field(ge=1, title="试点周次")
    fault_rate: float = Field(ge=0, le=100, title="故障率（%）")
    handling_minutes: float = Field(ge=0, title="平均处理时长（分钟）",
                                    description="目标：平均2小时（120分钟）内")
    notes: str = Field("", title="复盘记录")


class PilotSurvey(Form):
    satisfaction: float = Field(ge=0, le=100, title="满意度（%）", description="目标≥85%")
    respondents: int = Field(ge=1, title="有效问卷数")


class AdjustPilot(Form):
    adjustment_plan: str = Field(min_length=1, title="调整措施", description="针对 pilot_reason")
    extend_weeks: int = Field(ge=1, le=26, title="延长周数")


# ---------------------------------------------------------------------------
# 全面推广阶段
# ---------------------------------------------------------------------------
class BatchDecision(Form):
    """分批上线决策：go 上线 / no_go 暂缓（须说明理由）。"""

    batch_no: int = Field(ge=1, title="批次号")
    batch_scope: str = Field(min_length=1, title="批次范围", description="如：第1批 市场部营销工具")
    batch_go: Literal["go", "no_go"] = Field(title="决策", description="go 上线 / no_go 暂缓")
    decision_reason: str = Field("", title="决策理由", description="暂缓时必填")

    @model_validator(mode="after")
    def _reason(self):
        if self.batch_go == "no_go" and not self.decision_reason:
            raise ValueError("暂缓上线时必须说明理由")
        return self


class ReplanBatch(Form):
    replan_notes: str = Field(min_length=1, title="批次计划调整说明")


class MarketingRollout(Form):
    tools_launched: list[str] = Field(min_length=1, title="上线的数字化营销工具")
    target_segments: list[str] = Field(default_factory=list, title="面向的细分市场")


class WarehouseRollout(Form):
    """新仓储管理方案：目标库存周转率提升15%。"""

    warehouses: list[str] = Field(min_length=1, title="实施仓库")
    turnover_baseline: float = Field(gt=0, title="基线库存周转率（次/年）")
    turnover_target_pct: float = Field(15, ge=15, le=100, title="周转率提升目标（%）",
                                       description="不低于15%")


class StaffTraining(Form):
    """全员线上培训：考核通过率须≥90%。"""

    training_round: int = Field(ge=1, title="培训轮次")
    trained_staff: int = Field(ge=1, title="参训人数")
    training_pass_rate: float = Field(ge=0, le=100, title="考核通过率（%）", description="≥90%方可结束培训")


class TransitionSupport(Form):
    support_staff: list[str] = Field(min_length=1, title="过渡期支持专人")
    hotline: str = Field("", title="支持渠道")


class BatchCheck(Form):
    """批次运行检查：stable 稳定 / rollback 局部回退。"""

    batch_status: Literal["stable", "rollback"] = Field(title="运行状态",
                                                        description="stable 稳定 / rollback 回退")
    more_batches: bool = Field(False, title="还有后续批次", description="运行稳定时填写")
    check_notes: str = Field("", title="检查记录")


class RollbackBatch(Form):
    rollback_scope: str = Field(min_length=1, title="回退范围")
    rollback_reason: str = Field(min_length=1, title="回退原因")


class ReviewReport(Form):
    """复盘报告（须在3日内提交）。"""

    report_summary: str = Field(min_length=1, title="复盘摘要")
    root_cause: str = Field(min_length=1, title="根本原因")
    corrective_actions: list[str] = Field(min_length=1, title="整改措施")


class EscalateReview(Form):
    escalation_action: str = Field(min_length=1, title="督办措施")


# ---------------------------------------------------------------------------
# 绩效评估
# ---------------------------------------------------------------------------
class MonthlyReport(Form):
    """《业务调整成效报告》：投诉率≤3%、新功能使用率≥30%、成本节约与500万元预算对比。"""

    report_month: int = Field(ge=1, le=12, title="报告月份（第几个月）", description="满12个月进入年度总结")
    complaint_rate: float = Field(ge=0, le=100, title="投诉率（%）", description="目标≤3%")
    feature_usage: float = Field(ge=0, le=100, title="新功能使用率（%）", description="目标≥30%")
    cost_saving_wan: float = Field(ge=0, title="累计成本节约（万元）")
    budget_used_wan: float = Field(ge=0, title="累计投入（万元）", description="预算总金额500万元")


class YearlySummary(Form):
    """年度总结：对照KPI，表彰最佳执行团队（须为四个部门之一）。"""

    kpi_summary: str = Field(min_length=1, title="KPI达成情况")
    annual_cost_saving_pct: float = Field(ge=0, le=100, title="年度运营成本节约（%）",
                                          description="目标10%–15%")
    best_team: Department = Field(title="最佳执行团队")
    award_note: str = Field("", title="表彰说明")


# ---------------------------------------------------------------------------
# service_loop_before / service_loop_after (shared ids, shared forms)
# ---------------------------------------------------------------------------
class SubmitInquiry(Form):
    customer_name: str = Field(min_length=1, title="客户姓名")
    inquiry_text: str = Field(min_length=1, title="咨询内容")
    channel: Literal["电话", "在线客服", "邮件", "门店"] = Field("在线客服", title="咨询渠道")


class SubmitInquiryClassified(SubmitInquiry):
    """调整后：客户选择咨询类型，简单咨询走智能应答。"""

    inquiry_kind: Literal["simple", "complex"] = Field(title="咨询类型",
                                                       description="simple 简单/常见问题；complex 复杂问题")


class AnswerInquiry(Form):
    answer_text: str = Field(min_length=1, title="答复内容")
    response_minutes: float = Field(ge=0, title="响应用时（分钟）", description="调整后目标≤120分钟")


class EscalateInquiry(Form):
    supervisor: str = Field(min_length=1, title="客服中心主管")
    escalation_note: str = Field(min_length=1, title="升级处置记录")


class PrepareQuote(Form):
    quote_items: str = Field(min_length=1, title="报价内容")
    quote_amount: float = Field(gt=0, title="报价金额（元）")


class PlaceOrder(Form):
    order_placed: bool = Field(title="确认下单")
    order_quantity: int = Field(0, ge=0, title="下单数量", description="下单时≥1")

    @model_validator(mode="after")
    def _qty(self):
        if self.order_placed and self.order_quantity < 1:
            raise ValueError("下单时数量至少为1")
        return self


class DeliverOrder(Form):
    delivery_no: str = Field(min_length=1, title="出库/物流单号")
    shipped_on: dt.date = Field(title="发货日期")


class ConfirmReceipt(Form):
    has_issue: bool = Field(title="需要售后")
    issue_text: str = Field("", title="问题描述", description="需要售后时必填")
    satisfaction_score: int = Field(ge=1, le=5, title="满意度评分（1–5）")

    @model_validator(mode="after")
    def _issue(self):
        if self.has_issue and not self.issue_text:
            raise ValueError("需要售后时必须描述问题")
        return self


class HandleAfterSales(Form):
    resolution: str = Field(min_length=1, title="处理结果")
    needs_tech: bool = Field(False, title="需技术部处理")


class TechSupport(Form):
    fix_summary: str = Field(min_length=1, title="技术处理说明")


FORMS: dict[str, type[BaseModel]] = {
    # business_adjustment
    "form_task_force": FormTaskForce,
    "collect_feedback": CollectFeedback,
    "benchmark_peers": BenchmarkPeers,
    "draft_proposal": DraftProposal,
    "review_draft": ReviewDraft,
    "revise_draft": ReviseDraft,
    "platform_pilot": PlatformPilot,
    "smart_answer_pilot": SmartAnswerPilot,
    "weekly_review": WeeklyReview,
    "pilot_survey": PilotSurvey,
    "adjust_pilot": AdjustPilot,
    "batch_decision": BatchDecision,
    "replan_batch": ReplanBatch,
    "marketing_rollout": MarketingRollout,
    "warehouse_rollout": WarehouseRollout,
    "staff_training": StaffTraining,
    "transition_support": TransitionSupport,
    "batch_check": BatchCheck,
    "rollback_batch": RollbackBatch,
    "review_report": ReviewReport,
    "escalate_review": EscalateReview,
    "monthly_report": MonthlyReport,
    "yearly_summary": YearlySummary,
    # service loops (same ids in both files)
    "submit_inquiry": SubmitInquiry,
    "service_loop_after:submit_inquiry": SubmitInquiryClassified,
    "answer_inquiry": AnswerInquiry,
    "escalate_inquiry": EscalateInquiry,
    "prepare_quote": PrepareQuote,
    "place_order": PlaceOrder,
    "deliver_order": DeliverOrder,
    "confirm_receipt": ConfirmReceipt,
    "handle_after_sales": HandleAfterSales,
    "tech_support": TechSupport,
}

START_FORMS: dict[str, type[BaseModel]] = {
    "business_adjustment": BusinessAdjustmentStart,
    "service_loop_before": ServiceLoopStart,
    "service_loop_after": ServiceLoopStart,
}

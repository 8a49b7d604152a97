"""The monthly 《业务调整成效报告》 and the yearly summary, written from the store: the months kept by
register_month (`monthly_reports`), the draft's baseline, the yearly_summary's ranking, and what the
engine measured in its audit log (processes/measures.py). Markdown + PDF + PNG/SVG trend plots.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from engine.files import check_output_folder
from engine.documents.document import Document, format_number
from engine.documents.plots import Target, Trend, write_trend
from engine.documents.writer import write_document
from engine.errors import BadInput, UnknownInstance
from engine.views import DocumentView

from . import measures, targets
from .programme import ZONE
from .validators import department_ranking

PROCESS = "business_adjustment"
MONTHLY_TITLE = "《业务调整成效报告》"
YEARLY_TITLE = "业务调整年度总结"
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PLOTS = ("complaint_rate", "feature_usage", "spend_saving", "saving_rate")


def kept_months(engine, instance_id: int | None) -> tuple[int, list[dict]]:
    """(instance, its kept monthly records): the newest instance with a report unless one is named."""
    entry = engine.latest_entry(PROCESS, ("monthly_report",), instance_id)
    versions = [value for _, value in engine.values_of(entry.instance_id, "monthly_reports")]
    kept = max(versions, key=len, default=[])
    if not kept:
        raise UnknownInstance("instance {instance_id} has no kept monthly report yet", instance_id=entry.instance_id)
    return entry.instance_id, kept


def monthly(engine, out_dir: Path | str, month: str | None = None, instance_id: int | None = None,
            progress: Callable[[str], None] = lambda line: None) -> DocumentView:
    """Write the report of `month` (default: the last kept) with the trends of every month up to it."""
    check_output_folder(out_dir, "folder for the report")
    if month is not None and not MONTH.fullmatch(month):
        raise BadInput("--month takes YYYY-MM (e.g. 2024-02), not {month!r}", month=month)
    instance, kept = kept_months(engine, instance_id)
    months = [r["month"] for r in kept]
    month = month or months[-1]
    if month not in months:
        raise UnknownInstance("instance {instance} has no 成效报告 for {month} (kept: {first} … {last})", instance=instance, month=month, first=months[0], last=months[-1])
    upto = kept[:months.index(month) + 1]
    record = upto[-1]
    out = Path(out_dir)
    progress(f"成效报告 {month}：实例 {instance}，第 {record['number']} 个月")
    baseline = _baseline(engine, instance)
    month_end = _month_end(month)
    now = engine.clock.now()
    doc = Document(f"{MONTHLY_TITLE} {month}",
                   f"业务调整 实例 {instance} · 第 {record['number']} 个月 · 登记于 {record['reported_at'][:16].replace('T', ' ')}")
    figures = _kpi_section(doc, record, baseline)
    progress("绘制趋势图 …")
    files = _trends(doc, upto, baseline, out, progress, f"monthly-{month}")
    doc.heading("各月数据")
    _months_table(doc, upto, baseline)
    doc.heading("调整内容进展")
    for item in ("产品线优化", "服务流程再造", "技术平台升级", "人力资源配置调整"):
        doc.heading(item, 3)
        doc.paragraph(record.get("sections", {}).get(item) or "（本月未填写）")
    progress("从审计日志测量 …")
    measured = _measured(doc, engine, instance, month_end, now)
    progress("写 Markdown 与 PDF …")
    files = [str(p) for p in write_document(doc, out, f"monthly-{month}")] + files
    return DocumentView(title=doc.title, directory=str(out), files=files,
                        figures={"instance": instance, "month": month, "number": record["number"], **figures, **measured})


def yearly(engine, out_dir: Path | str, instance_id: int | None = None,
           progress: Callable[[str], None] = lambda line: None) -> DocumentView:
    """Write the yearly summary: the year's trends and totals, the departments ranked, the award."""
    check_output_folder(out_dir, "folder for the report")
    summary = engine.latest_entry(PROCESS, ("yearly_summary",), instance_id)
    instance, kept = kept_months(engine, summary.instance_id)
    out = Path(out_dir)
    progress(f"年度总结：实例 {instance}，{len(kept)} 份月度报告（{kept[0]['month']} … {kept[-1]['month']}）")
    baseline = _baseline(engine, instance)
    now = engine.clock.now()
    values = summary.data
    history = engine.history(instance)
    decisions = [e for e in history if e.action == "complete" and e.task_id == "budget_decision"]
    corrective = [e for e in history if e.action == "complete" and e.task_id == "corrective_plan"]
    extra = sum(e.data.get("extra_budget_wan") or 0 for e in decisions if e.data.get("overrun_decision") == "extend")
    approved = targets.BUDGET_WAN + extra
    doc = Document(f"{YEARLY_TITLE}（{kept[0]['month']} – {kept[-1]['month']}）",
                   f"业务调整 实例 {instance} · {summary.actor} 于 {_local(summary.at)} 完成年度总结")
    doc.heading("年度KPI达成")
    last = kept[-1]
    rates = [r["complaint_rate"] for r in kept]
    saving_pct = last["cost_saving_wan"] / baseline * 100 if baseline else None
    rows = [
        ["客户投诉率（年均 / 末月）", f"{sum(rates) / len(rates):.2f}% / {last['complaint_rate']:g}%", f"≤{targets.COMPLAINT_RATE_MAX:g}%",
         last["complaint_rate"] <= targets.COMPLAINT_RATE_MAX],
        ["新功能使用率（末月）", f"{last['feature_usage']:g}%", f"≥{targets.FEATURE_USAGE_MIN:g}%",
         last["feature_usage"] >= targets.FEATURE_USAGE_MIN],
        ["累计投入", f"{format_number(last['budget_used_wan'])} 万元", f"≤{targets.BUDGET_WAN} 万元"
         + (f"（管理层追加 {format_number(extra)} 万元后 {format_number(approved)}）" if extra else ""),
         last["budget_used_wan"] <= approved],
        ["年度成本节约", f"{format_number(last['cost_saving_wan'])} 万元"
         + (f"（{saving_pct:.1f}%）" if saving_pct is not None else ""),
         f"{targets.SAVING_PCT[0]:g}%–{targets.SAVING_PCT[1]:g}%",
         saving_pct is not None and targets.SAVING_PCT[0] <= saving_pct <= targets.SAVING_PCT[1] + 1e-9],
        ["达标月份（投诉率与使用率）", f"{sum(1 for r in kept if _kpi_ok(r))} / {len(kept)}", "", None],
    ]
    doc.table(["指标", "实际", "目标", "达标"], rows)
    doc.paragraph(values["kpi_summary"])
    doc.heading("各部门KPI达成排名")
    ranking = department_ranking(values["department_results"])
    by_dept = {}
    for row in values["department_results"]:
        by_dept.setdefault(row["department"], []).append(row)
    doc.table(["名次", "部门", "KPI（目标 → 实际）", "达成率"],
              [[n, dept, "；".join(f"{r['kpi']}（{r['target']:g} → {r['actual']:g}）" for r in by_dept[dept]),
                f"{score:.1f}%"] for n, (dept, score) in enumerate(ranking, 1)], numeric=(True, False, False, True))
    doc.heading("优秀执行团队")
    doc.paragraph(f"{values['best_team']}：KPI达成率 {dict(ranking)[values['best_team']]:.1f}%，排名第一。"
                  + (f"表彰说明：{values['award_note']}" if values.get("award_note") else ""))
    doc.heading("管理层决策与整改")
    doc.bullets([f"超预算决策 {_local(e.at)}：{'追加预算 ' + format_number(e.data.get('extra_budget_wan') or 0) + ' 万元' if e.data.get('overrun_decision') == 'extend' else '冻结新增投入'}；{e.data.get('decision_note', '')}"
                 for e in decisions] + [f"整改措施 {_local(e.at)}（{e.data.get('corrective_owner')}）：{e.data.get('corrective_actions')}"
                                        for e in corrective] or ["无"])
    progress("绘制趋势图 …")
    files = _trends(doc, kept, baseline, out, progress, "yearly")
    doc.heading("各月数据")
    _months_table(doc, kept, baseline)
    progress("从审计日志测量 …")
    measured = _measured(doc, engine, instance, None, now)
    progress("写 Markdown 与 PDF …")
    files = [str(p) for p in write_document(doc, out, "yearly")] + files
    return DocumentView(title=doc.title, directory=str(out), files=files, figures={
        "instance": instance, "months": len(kept), "first_month": kept[0]["month"], "last_month": kept[-1]["month"],
        "budget_used_wan": last["budget_used_wan"], "cost_saving_wan": last["cost_saving_wan"],
        "saving_pct": saving_pct, "ranking": [{"department": d, "achievement_pct": round(s, 1)} for d, s in ranking],
        "best_team": values["best_team"], "budget_decisions": len(decisions), "approved_budget_wan": approved, "corrective_plans": len(corrective),
        **measured})


# -- sections ---------------------------------------------------------------------------------------

def _kpi_ok(record: dict) -> bool:
    return (record["complaint_rate"] <= targets.COMPLAINT_RATE_MAX
            and record["feature_usage"] >= targets.FEATURE_USAGE_MIN)


def _annualised_pct(record: dict, baseline: float | None) -> float | None:
    """Cumulative saving so far, scaled to twelve months, in % of the yearly operating cost."""
    if not baseline:
        return None
    return record["cost_saving_wan"] / record["number"] * targets.MONTHS_A_YEAR / baseline * 100


def _kpi_section(doc: Document, record: dict, baseline: float | None) -> dict:
    annual = _annualised_pct(record, baseline)
    doc.heading("核心数据")
    budget_left = targets.BUDGET_WAN - record["budget_used_wan"]
    doc.table(["指标", "本月", "目标", "达标"], [
        ["客户投诉率", f"{record['complaint_rate']:g}%", f"≤{targets.COMPLAINT_RATE_MAX:g}%",
         record["complaint_rate"] <= targets.COMPLAINT_RATE_MAX],
        ["新功能使用率", f"{record['feature_usage']:g}%", f"≥{targets.FEATURE_USAGE_MIN:g}%",
         record["feature_usage"] >= targets.FEATURE_USAGE_MIN],
        ["累计投入", f"{format_number(record['budget_used_wan'])} 万元（{record['budget_used_wan'] / targets.BUDGET_WAN:.1%}）",
         f"预算 {targets.BUDGET_WAN} 万元（余 {format_number(budget_left)}）", budget_left >= 0],
        ["累计成本节约", f"{format_number(record['cost_saving_wan'])} 万元", "与投入对比：节约÷投入 "
         + (f"{record['cost_saving_wan'] / record['budget_used_wan']:.1%}" if record["budget_used_wan"] else "—"), None],
        ["年化节约率", f"{annual:.1f}%" if annual is not None else "—",
         f"{targets.SAVING_PCT[0]:g}%–{targets.SAVING_PCT[1]:g}%",
         None if annual is None else targets.SAVING_PCT[0] <= annual],
    ])
    flags = [name for name, bad in (("投诉率超标", record["complaint_rate"] > targets.COMPLAINT_RATE_MAX),
                                    ("新功能使用率不足", record["feature_usage"] < targets.FEATURE_USAGE_MIN),
                                    ("超出预算", budget_left < 0)) if bad]
    doc.paragraph("本月结论：" + ("、".join(flags) + "（已转整改措施 / 管理层决策）" if flags else "全部达标"))
    return {"complaint_rate": record["complaint_rate"], "feature_usage": record["feature_usage"],
            "budget_used_wan": record["budget_used_wan"], "cost_saving_wan": record["cost_saving_wan"],
            "annualised_saving_pct": annual, "flags": flags}


def _trends(doc: Document, kept: list[dict], baseline: float | None, out: Path, progress, prefix: str) -> list[str]:
    labels = tuple(r["month"] for r in kept)
    miss_rate = tuple(i for i, r in enumerate(kept) if r["complaint_rate"] > targets.COMPLAINT_RATE_MAX)
    miss_usage = tuple(i for i, r in enumerate(kept) if r["feature_usage"] < targets.FEATURE_USAGE_MIN)
    charts = [
        ("complaint_rate", "客户投诉率趋势", Trend("客户投诉率（%）", labels, (("投诉率", tuple(r["complaint_rate"] for r in kept)),),
                                            "%", (Target(f"目标 ≤{targets.COMPLAINT_RATE_MAX:g}%", targets.COMPLAINT_RATE_MAX),),
                                            flagged=miss_rate, flag_label="未达标")),
        ("feature_usage", "新功能使用率趋势", Trend("新功能使用率（%）", labels, (("使用率", tuple(r["feature_usage"] for r in kept)),),
                                             "%", (Target(f"目标 ≥{targets.FEATURE_USAGE_MIN:g}%", targets.FEATURE_USAGE_MIN),),
                                             flagged=miss_usage, flag_label="未达标")),
        ("spend_saving", "累计投入、累计节约与预算", Trend("累计投入与累计节约（万元）", labels,
                                                 (("累计投入", tuple(r["budget_used_wan"] for r in kept)),
                                                  ("累计节约", tuple(r["cost_saving_wan"] for r in kept))),
                                                 "万元", (Target(f"预算 {targets.BUDGET_WAN} 万元", targets.BUDGET_WAN),))),
    ]
    if baseline:
        charts.append(("saving_rate", "年化节约率与年度目标", Trend(
            "年化成本节约率（% 调整前年度运营成本）", labels, (("年化节约率", tuple(round(_annualised_pct(r, baseline), 1) for r in kept)),),
            "%", (Target(f"目标 {targets.SAVING_PCT[0]:g}%–{targets.SAVING_PCT[1]:g}%", *targets.SAVING_PCT),))))
    doc.heading("趋势")
    written = []
    for name, caption, trend in charts:
        name = f"{prefix}-{name}"
        progress(f"  {name}.png / {name}.svg")
        written += [str(p) for p in write_trend(trend, out, name)]
        doc.image(f"{name}.svg", caption)
    return written


def _months_table(doc: Document, kept: list[dict], baseline: float | None) -> None:
    doc.table(["月份", "第n月", "投诉率（%）", "使用率（%）", "累计投入", "累计节约", "年化节约率（%）", "登记时间", "达标"],
              [[r["month"], r["number"], r["complaint_rate"], r["feature_usage"], r["budget_used_wan"],
                r["cost_saving_wan"], _annualised_pct(r, baseline), r["reported_at"][:10],
                _kpi_ok(r) and r["budget_used_wan"] <= targets.BUDGET_WAN] for r in kept],
              numeric=(False, True, True, True, True, True, True, False, False))


def _measured(doc: Document, engine, instance: int, until: datetime | None, now: datetime) -> dict:
    doc.heading("引擎实测（来自审计日志，非填报）")
    responses = measures.response_times(engine, until, now)
    doc.heading(f"咨询响应时间（目标：平均 ≤{targets.RESPONSE_HOURS_MAX:g} 小时）", 3)
    doc.table(["服务闭环", "已答复", "平均（小时）", "P90（小时）", "最长（小时）", f"≤{targets.RESPONSE_HOURS_MAX:g}h", "未答复", "达标"],
              [[r["loop"], r["answered"], _h(r["mean_hours"]), _h(r["p90_hours"]), _h(r["max_hours"]), r["within_target"],
                r["unanswered"], r["meets_target"] if r["answered"] else None] for r in responses],
              numeric=(False, True, True, True, True, True, True, False))
    late = measures.overdue(engine, until)
    doc.heading("逾期（已触发的逾期定时器）", 3)
    doc.table(["定时器", "名称", "触发次数"], [[r["timer"], r["name"], r["fired"]] for r in late] or [["—", "无", 0]],
              numeric=(False, False, True))
    open_now = engine.deadlines(overdue=True)
    doc.paragraph(f"报告生成时已到期未处理：{len(open_now)} 项" + ("（" + "、".join(f"{d.task_id}" for d in open_now[:8]) + "）" if open_now else ""))
    events = measures.programme_events(engine, instance, until)
    backs = measures.rollbacks(events, until or now)
    doc.heading(f"局部回退与复盘报告（{targets.REVIEW_REPORT_DAYS}日内提交）", 3)
    doc.table(["回退", "范围", "回退时间", "复盘报告截止", "提交时间", "按时"],
              [[r["rollback"], r["scope"], _local(r["at"]), _local(r["due"]), _local(r["reported"]) if r["reported"] else "未提交",
                r["on_time"]] for r in backs] or [["—", "无回退", "", "", "", None]])
    stages = measures.stages(events, until or now)
    doc.heading("各阶段与关口用时", 3)
    doc.table(["阶段 / 关口", "开始", "结束", "天数"],
              [[s["stage"], _local(s["start"]), "进行中" if s["open"] else _local(s["end"]), round(s["days"], 1)] for s in stages],
              numeric=(False, False, False, True))
    return {"response": responses, "overdue_timers": late, "overdue_now": len(open_now), "rollbacks": backs,
            "stages": stages}


# -- helpers ----------------------------------------------------------------------------------------

def _h(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _baseline(engine, instance: int) -> float | None:
    try:
        return engine.latest_entry(PROCESS, ("draft_proposal",), instance).data.get("operating_cost_baseline_wan")
    except UnknownInstance:
        return None


def _month_end(month: str) -> datetime:
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ZoneInfo(ZONE))
    return start - timedelta(microseconds=1)


def _local(instant: str | None) -> str:
    if not instant:
        return ""
    return datetime.fromisoformat(instant).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M")

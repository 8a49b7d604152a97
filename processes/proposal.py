"""The 《业务调整草案》 as one document: the before/after swimlanes, the key technical dependencies and
the per-quarter ROI table, with the draft's scope, from the values the task force entered in the
draft_proposal form (kept in the store's audit log).

The engine draws the diagrams (engine/diagrams/bundle.py) and writes Markdown and PDF
(engine/documents/); this module decides what the draft says and in which words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.diagrams.bundle import build_bundle
from engine.files import check_output_folder
from engine.documents.document import Document, format_number
from engine.documents.plots import Target, Trend, write_trend
from engine.documents.writer import write_document
from engine.views import DocumentView

from . import targets
from .programme import WORDING

TITLE = "《业务调整草案》"
PROCESS = "business_adjustment"
DRAFT_TASK = "draft_proposal"
FILE_NAMES = ("compare", "programme", "changes")  # compare.svg/.png, programme.svg/.png, changes.md
DOCUMENT = "draft"                                # draft.md, draft.pdf
DECISIONS = {"approve": "管理层审议通过", "revise": "管理层退回修改"}


def build(engine, out_dir: Path | str, instance_id: int | None = None,
          progress: Callable[[str], None] = lambda line: None) -> DocumentView:
    """Write the whole draft of `instance_id` (default: the instance whose draft is newest)."""
    check_output_folder(out_dir, "folder for the draft")
    entry = engine.latest_entry(PROCESS, (DRAFT_TASK,), instance_id)
    values = entry.data
    out = Path(out_dir)
    progress(f"草案：实例 {entry.instance_id}，{entry.actor} 编制于 {_local(entry.at)}")
    folder = Path(engine.programme.bpmn_dir)
    before, after = _model(folder, values["swimlane_before"]), _model(folder, values["swimlane_after"])
    progress("绘制泳道图对比 …")
    bundle = build_bundle(before, after, folder / "business_adjustment.bpmn", out, title=TITLE, wording=WORDING,
                          names=FILE_NAMES)
    from engine.bpmn.diff import diff_files

    changes = diff_files(before, after)
    review = _review(engine, entry.instance_id)
    quarters = quarter_rows(values["roi_table"])
    progress("绘制ROI图 …")
    chart = write_trend(Trend(
        "分季度累计投入与累计节约（万元）", tuple(q["quarter"] for q in quarters),
        (("累计投入", tuple(q["cumulative_investment"] for q in quarters)),
         ("累计节约", tuple(q["cumulative_saving"] for q in quarters))),
        "万元", (Target(f"预算 {targets.BUDGET_WAN} 万元", targets.BUDGET_WAN),)), out, "roi")

    doc = Document(TITLE, f"业务调整 实例 {entry.instance_id} · {entry.actor} 编制于 {_local(entry.at)} · {review}")
    doc.heading("调整内容")
    doc.table(["调整项", "调整方案", "牵头部门"],
              [[row["item"], row["plan"], row["owner"]] for row in _scope_order(values["scope_items"])])
    doc.heading("一、调整前后的流程对比图（泳道图）")
    doc.paragraph(f"调整前：{Path(before).name}；调整后：{Path(after).name}。"
                  f"新增 {len(changes.added)} 项、删除 {len(changes.removed)} 项、修改 {len(changes.changed)} 项"
                  f"（完整变更清单：{FILE_NAMES[2]}.md）。")
    doc.image(f"{FILE_NAMES[0]}.svg", "服务闭环（咨询→下单→交付→售后）调整前后泳道图对比")
    if changes.added or changes.removed:
        doc.table(["变更", "元素", "名称", "泳道"],
                  [["新增", r.type, r.name, r.lane or ""] for r in changes.added if r.element == "node"]
                  + [["删除", r.type, r.name, r.lane or ""] for r in changes.removed if r.element == "node"])
    doc.heading("二、关键技术依赖清单")
    doc.table(["依赖项", "用途（谁需要）", "需求说明", "负责部门"],
              [[d["item"], d["needed_by"], d["requirement"], d["owner"]] for d in values["tech_dependencies"]])
    doc.heading("三、分阶段ROI测算表（按季度）")
    total_in = sum(r["investment_wan"] for r in values["roi_table"])
    total_save = sum(r["saving_wan"] for r in values["roi_table"])
    tech = sum(r["investment_wan"] for r in values["roi_table"] if r["category"] == targets.TECHNOLOGY)
    doc.table(["季度", "投入（万元）", "节约（万元）", "累计投入", "累计节约", "累计ROI（%）"],
              [[q["quarter"], q["investment"], q["saving"], q["cumulative_investment"], q["cumulative_saving"],
                q["cumulative_roi_pct"]] for q in quarters]
              + [["合计", total_in, total_save, "", "", targets.roi_pct(total_in, total_save)],
                 [f"预算 {targets.BUDGET_WAN}", f"{total_in / targets.BUDGET_WAN:.1%}", "",
                  f"余额 {format_number(targets.BUDGET_WAN - total_in)}", "", ""]],
              numeric=(False, True, True, True, True, True), emphasis=(len(quarters), len(quarters) + 1))
    doc.image("roi.svg", "累计投入、累计节约与500万元预算")
    doc.heading("投入明细（优先保障技术升级项目）", 3)
    rows = sorted(values["roi_table"], key=lambda r: (_scope_rank(r["category"]), r["quarter"]))
    doc.table(["调整项", "投入项目", "季度", "投入（万元）", "节约（万元）", "ROI（%）"],
              [[r["category"], r["item"], r["quarter"], r["investment_wan"], r["saving_wan"], r["roi_pct"]] for r in rows],
              numeric=(False, False, False, True, True, True))
    baseline = values["operating_cost_baseline_wan"]
    last_year = quarters[-4:]
    yearly = sum(q["saving"] for q in last_year)
    doc.bullets([
        f"投入合计 {format_number(total_in)} 万元，预算总金额 {targets.BUDGET_WAN} 万元，占 {total_in / targets.BUDGET_WAN:.1%}；"
        f"其中技术平台升级 {format_number(tech)} 万元（{tech / total_in:.1%}），居各调整项之首。",
        f"{last_year[0]['quarter']}～{last_year[-1]['quarter']} 预计节约 {format_number(yearly)} 万元，"
        f"占调整前年度运营成本 {format_number(baseline)} 万元的 {yearly / baseline:.1%}"
        f"（目标 {targets.SAVING_PCT[0]:g}%–{targets.SAVING_PCT[1]:g}%）。",
        f"全程累计ROI：{format_number(targets.roi_pct(total_in, total_save))}%。",
    ])
    progress("写 Markdown 与 PDF …")
    files = write_document(doc, out, DOCUMENT)
    written = [str(p) for p in files] + bundle.files + [str(p) for p in chart]
    return DocumentView(title=TITLE, directory=str(out), files=written, figures={
        "instance": entry.instance_id, "review": review, "investment_wan": total_in, "saving_wan": total_save,
        "budget_wan": targets.BUDGET_WAN, "technology_wan": tech, "dependencies": len(values["tech_dependencies"]),
        "quarters": [q["quarter"] for q in quarters], "cumulative_roi_pct": targets.roi_pct(total_in, total_save),
        "added": bundle.added, "removed": bundle.removed, "changed": bundle.changed})


def quarter_rows(roi_table: list[dict]) -> list[dict]:
    """Every quarter from the programme's first to the last one planned: its investment and saving,
    and the running totals with the cumulative ROI."""
    planned = {r["quarter"] for r in roi_table}
    last = max(targets.quarter_index(q) for q in planned)
    rows, spent, saved = [], 0.0, 0.0
    for quarter in targets.quarters():
        if targets.quarter_index(quarter) > last:
            break
        investment = sum(r["investment_wan"] for r in roi_table if r["quarter"] == quarter)
        saving = sum(r["saving_wan"] for r in roi_table if r["quarter"] == quarter)
        spent, saved = spent + investment, saved + saving
        rows.append({"quarter": quarter, "investment": investment, "saving": saving, "cumulative_investment": spent,
                     "cumulative_saving": saved, "cumulative_roi_pct": targets.roi_pct(spent, saved)})
    return rows


def _scope_rank(item: str) -> int:
    return targets.SCOPE.index(item) if item in targets.SCOPE else len(targets.SCOPE)


def _scope_order(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: _scope_rank(r["item"]))


def _model(folder: Path, named: str) -> Path:
    """A swimlane file the draft names, always read from the models folder (the draft names a model,
    not any file on the machine)."""
    return folder / Path(named).name


def _review(engine, instance_id: int) -> str:
    from engine.errors import UnknownInstance

    try:
        decision = engine.latest_entry(PROCESS, ("review_draft",), instance_id)
    except UnknownInstance:
        return "待管理层审议"
    return f"{DECISIONS.get(decision.data.get('draft_decision'), '已审议')}（{decision.actor}，{_local(decision.at)}）"


def _local(instant: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from .programme import ZONE

    return datetime.fromisoformat(instant).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M")

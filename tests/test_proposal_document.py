"""The task force writes the 《业务调整草案》 in its form; `phasegate proposal` turns the kept form data into
one document (Markdown + PDF) with the three parts the rules ask for and the draft's scope."""

from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from conftest import store_bytes
from programme_story import drafted

pytestmark = pytest.mark.store  # reads the store: rerun on PostgreSQL by `make test`


def pdf_text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def section(markdown: str, heading: str) -> str:
    """The text under a `## heading` up to the next `## `."""
    start = markdown.index(f"## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start:end if end > 0 else None]


def test_the_task_force_writes_the_draft_and_proposal_writes_its_three_parts(terminal, tmp_path):
    instance = drafted(terminal)
    out = tmp_path / "proposal"
    result = terminal.run("proposal", "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    written = json.loads(result.stdout)
    assert written["title"] == "《业务调整草案》"
    figures = written["figures"]
    assert (figures["instance"], figures["investment_wan"], figures["saving_wan"], figures["budget_wan"],
            figures["technology_wan"], figures["cumulative_roi_pct"]) == (instance, 470, 508, 500, 290, 8.1)
    assert figures["quarters"] == ["2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert figures["review"] == "待管理层审议"
    assert "草案：实例 1，周涛 编制于 2023-07-03 09:00" in result.stderr  # progress, on stderr

    markdown = (out / "draft.md").read_text(encoding="utf-8")
    scope = section(markdown, "调整内容")
    assert "| 产品线优化 | 数字化营销工具、细分市场新功能 | 市场部 |" in scope
    assert "| 人力资源配置调整 | 全员线上培训、过渡期专人支持 | 运营部 |" in scope
    swimlanes = section(markdown, "一、调整前后的流程对比图（泳道图）")
    assert "![服务闭环（咨询→下单→交付→售后）调整前后泳道图对比](compare.svg)" in swimlanes
    assert "| 新增 | serviceTask | 智能应答 | 技术部 |" in swimlanes
    dependencies = section(markdown, "二、关键技术依赖清单")
    assert "| AI客服机器人算力 | 客服中心智能应答系统 | GPU推理 2×A10，峰值 50 QPS | 技术部 |" in dependencies
    roi = section(markdown, "三、分阶段ROI测算表（按季度）")
    rows = [line for line in roi.splitlines() if line.startswith("| 20")]
    assert rows[:6] == ["| 2023Q3 | 60 | 0 | 60 | 0 | -100 |", "| 2023Q4 | 160 | 18 | 220 | 18 | -91.8 |",
                        "| 2024Q1 | 170 | 80 | 390 | 98 | -74.9 |", "| 2024Q2 | 40 | 90 | 430 | 188 | -56.3 |",
                        "| 2024Q3 | 20 | 150 | 450 | 338 | -24.9 |", "| 2024Q4 | 20 | 170 | 470 | 508 | 8.1 |"]
    assert "| **合计** | **470** | **508** |" in roi and "| **预算 500** | **94.0%** |" in roi
    detail = [line.split(" | ")[0] for line in roi.split("### 投入明细（优先保障技术升级项目）")[1].splitlines()
              if line.startswith("| ") and "调整项" not in line and "---" not in line]
    assert detail[:4] == ["| 技术平台升级"] * 4 and "| 技术平台升级" not in detail[4:]  # technology first
    assert "占调整前年度运营成本 3,400 万元的 14.4%（目标 10%–15%）" in roi

    text = pdf_text(out / "draft.pdf")
    for part in ("《业务调整草案》", "一、调整前后的流程对比图（泳道图）", "二、关键技术依赖清单",
                 "三、分阶段ROI测算表（按季度）", "AI客服机器人算力", "人力资源配置调整"):
        assert part in text
    for picture in ("compare.png", "compare.svg", "roi.png", "roi.svg", "programme.png"):
        assert (out / picture).stat().st_size > 1000, picture


def test_without_instance_the_newest_draft_is_written_and_an_instance_can_be_named(terminal, tmp_path):
    first = drafted(terminal)
    second = drafted(terminal, tech_dependencies=[{"item": "呼叫中心中继线路", "needed_by": "客服中心",
                                                   "requirement": "SIP 中继 60 路", "owner": "客服中心"}])
    newest = terminal.json("proposal", "-o", tmp_path / "newest")
    assert newest["figures"]["instance"] == second
    assert "呼叫中心中继线路" in (tmp_path / "newest" / "draft.md").read_text(encoding="utf-8")
    named = terminal.json("proposal", "--instance", first, "-o", tmp_path / "first")
    assert named["figures"]["instance"] == first
    assert "呼叫中心中继线路" not in (tmp_path / "first" / "draft.md").read_text(encoding="utf-8")


def test_a_proposal_with_no_draft_written_yet_is_refused_in_one_line(terminal, tmp_path):
    terminal.now = "2023-07-03T09:00:00+08:00"
    terminal.ok("start", "business_adjustment", user="周涛")
    before = store_bytes(terminal.db)
    result = terminal.run("proposal", "-o", tmp_path / "out")
    assert result.exit_code == 4
    assert result.stderr == ("phasegate: unknown-instance: draft_proposal has not been completed in any instance of "
                             "business_adjustment\n")
    assert result.stdout == "" and not (tmp_path / "out").exists()
    unknown = terminal.run("proposal", "--instance", 9, "-o", tmp_path / "out")
    assert (unknown.exit_code, unknown.stderr) == (4, "phasegate: unknown-instance: no instance 9 in the store\n")
    assert store_bytes(terminal.db) == before

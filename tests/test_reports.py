"""The task force reports every month and management closes the year; `phasegate report monthly` and
`phasegate report yearly` write the 成效报告 and the yearly summary from the store (Markdown, PDF, plots)."""

from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from conftest import store_bytes
from programme_story import complete, kept, ready, report_month, to_monthly_loop, walk

pytestmark = pytest.mark.store  # reads the store: rerun on PostgreSQL by `make test`


def pdf_text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_year_of_monthly_reports_closes_the_year_and_both_reports_are_written(terminal, tmp_path):
    instance = to_monthly_loop(terminal)
    report_month(terminal, instance, 1)
    first = kept(terminal, instance)
    assert [(r["month"], r["number"], r["complaint_rate"], r["reported_at"]) for r in first] == [
        ("2024-01", 1, 3.6, "2024-01-28T17:00:00+08:00")]

    # the same month again: refused in one line, nothing kept twice, nothing overwritten
    terminal.now = "2024-01-30T10:00:00+08:00"
    before = store_bytes(terminal.db)
    again = complete(terminal, instance, "monthly_report", complaint_rate=1.0)
    assert again.exit_code == 3
    assert again.stderr == ("phasegate: task-failed: service task 'register_month' (keep_monthly_report) failed: "
                            "2024-01 的成效报告已于 2024-01-28 17:00 登记，每月一份，不能覆盖；2024-02 的报告自 2024-02-01 起提交\n")
    assert store_bytes(terminal.db) == before
    assert kept(terminal, instance) == first

    for number in range(2, 12):
        report_month(terminal, instance, number)
    assert list(ready(terminal, instance)) == ["monthly_report"]  # eleven kept: the year goes on
    refused = terminal.run("report", "yearly", "-o", tmp_path / "early")
    assert (refused.exit_code, refused.stderr) == (
        4, "phasegate: unknown-instance: yearly_summary has not been completed in any instance of business_adjustment\n")
    done = report_month(terminal, instance, 12)
    assert [t["task_id"] for t in done["ready"]] == ["budget_decision"]  # 512万 spent of 500万
    assert list(ready(terminal, instance)) == ["yearly_summary"]
    assert [r["month"] for r in kept(terminal, instance)] == [f"2024-{n:02d}" for n in range(1, 13)]
    terminal.now = "2024-12-30T10:00:00+08:00"
    walk(terminal, instance, ["yearly_summary"])

    out = tmp_path / "reports"
    terminal.now = "2025-01-06T09:00:00+08:00"
    result = terminal.run("report", "monthly", "--month", "2024-02", "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    month = json.loads(result.stdout)["figures"]
    assert (month["month"], month["number"], month["complaint_rate"], month["feature_usage"], month["budget_used_wan"],
            month["cost_saving_wan"]) == ("2024-02", 2, 3.3, 24.0, 340.0, 62.0)
    assert month["flags"] == ["投诉率超标", "新功能使用率不足"]
    assert round(month["annualised_saving_pct"], 1) == 10.9   # 62万 in 2 months of a 3400万 year
    assert "phasegate: 成效报告 2024-02：实例 1，第 2 个月" in result.stderr
    markdown = (out / "monthly-2024-02.md").read_text(encoding="utf-8")
    assert markdown.startswith("# 《业务调整成效报告》 2024-02\n")
    assert "| 客户投诉率 | 3.3% | ≤3% | ✗ |" in markdown
    assert "| 累计投入 | 340 万元（68.0%） | 预算 500 万元（余 160） | ✓ |" in markdown
    months = [line for line in markdown.split("## 各月数据")[1].splitlines() if line.startswith("| 2024-")]
    assert [line.split(" | ")[0] for line in months] == ["| 2024-01", "| 2024-02"]  # all months so far, no later
    for section in ("### 产品线优化", "### 人力资源配置调整", "## 引擎实测（来自审计日志，非填报）", "### 各阶段与关口用时"):
        assert section in markdown
    text = pdf_text(out / "monthly-2024-02.pdf")
    assert "《业务调整成效报告》 2024-02" in text and "客户投诉率" in text and "引擎实测" in text
    for plot in ("complaint_rate", "feature_usage", "spend_saving", "saving_rate"):
        for suffix in ("png", "svg"):
            assert (out / f"monthly-2024-02-{plot}.{suffix}").stat().st_size > 5000
        assert f"](monthly-2024-02-{plot}.svg)" in markdown

    latest = terminal.json("report", "monthly", "-o", out)
    assert latest["figures"]["month"] == "2024-12" and latest["figures"]["flags"] == ["超出预算"]

    year = terminal.json("report", "yearly", "-o", out)["figures"]
    assert (year["months"], year["first_month"], year["last_month"], year["budget_used_wan"], year["cost_saving_wan"],
            round(year["saving_pct"], 1), year["approved_budget_wan"]) == (12, "2024-01", "2024-12", 512, 430, 12.6, 530)
    assert [r["department"] for r in year["ranking"]] == ["客服中心", "技术部", "市场部", "运营部"]
    assert (year["best_team"], year["budget_decisions"], year["corrective_plans"]) == ("客服中心", 1, 4)
    yearly = (out / "yearly.md").read_text(encoding="utf-8")
    assert "| 1 | 客服中心 | 投诉率（%）（3 → 2.3） | 130.4% |" in yearly
    assert "客服中心：KPI达成率 130.4%，排名第一。" in yearly
    assert "| 年度成本节约 | 430 万元（12.6%） | 10%–15% | ✓ |" in yearly
    assert "优秀执行团队" in pdf_text(out / "yearly.pdf")
    assert (out / "yearly-complaint_rate.png").stat().st_size > 5000


def test_a_month_that_was_not_kept_or_is_not_a_month_is_refused_in_one_line(terminal, tmp_path):
    instance = to_monthly_loop(terminal)
    nothing = terminal.run("report", "monthly", "-o", tmp_path)
    assert (nothing.exit_code, nothing.stderr) == (
        4, "phasegate: unknown-instance: monthly_report has not been completed in any instance of business_adjustment\n")
    report_month(terminal, instance, 1)
    before = store_bytes(terminal.db)
    later = terminal.run("report", "monthly", "--month", "2024-05", "-o", tmp_path)
    assert (later.exit_code, later.stderr) == (
        4, "phasegate: unknown-instance: instance 1 has no 成效报告 for 2024-05 (kept: 2024-01 … 2024-01)\n")
    typo = terminal.run("report", "monthly", "--month", "2024-13", "-o", tmp_path)
    assert (typo.exit_code, typo.stderr) == (2, "phasegate: bad-input: --month takes YYYY-MM (e.g. 2024-02), not '2024-13'\n")
    assert not any(tmp_path.glob("monthly-*"))
    assert store_bytes(terminal.db) == before


def test_the_report_measures_inquiry_response_times_from_the_audit_log_not_the_typed_minutes(terminal, tmp_path):
    instance = to_monthly_loop(terminal)
    terminal.now = "2024-01-15T09:00:00+08:00"
    loops = []
    for answered_at in ("2024-01-15T10:00:00+08:00", "2024-01-15T12:00:00+08:00", "2024-01-15T09:30:00+08:00"):
        terminal.now = "2024-01-15T09:00:00+08:00"
        loop = terminal.ok("start", "service_loop_after", user="何佳怡")["id"]
        walk(terminal, loop, [("submit_inquiry", {"inquiry_kind": "complex", "inquiry_text": "发票能否分开开具？"})])
        terminal.now = answered_at
        walk(terminal, loop, [("answer_inquiry", {"response_minutes": 5})])  # typed: 5 minutes; not what counts
        loops.append(loop)
    report_month(terminal, instance, 1)
    figures = terminal.json("report", "monthly", "-o", tmp_path)["figures"]
    after = next(r for r in figures["response"] if r["process_id"] == "service_loop_after")
    assert (after["answered"], after["mean_hours"], after["max_hours"], after["within_target"]) == (3, 1.5, 3.0, 2)
    assert after["p90_hours"] == pytest.approx(2.6)   # 0.5, 1, 3 h: the 90th percentile between 1 and 3
    assert after["meets_target"] is True              # mean 1.5 h ≤ 2 h
    markdown = (tmp_path / "monthly-2024-01.md").read_text(encoding="utf-8")
    assert "| 调整后 | 3 | 1.50 | 2.60 | 3.00 | 2 | 0 | ✓ |" in markdown

"""The seed's numbers (../shared/seed/业务调整细则.txt), in one place for the forms' checks, the handlers and
the reports: budget, KPI targets, the programme's quarters and the rules' deadlines."""

from __future__ import annotations

BUDGET_WAN = 500                      # 预算总金额500万元
TECHNOLOGY = "技术平台升级"            # 优先保障技术升级项目
SCOPE = ("技术平台升级", "服务流程再造", "产品线优化", "人力资源配置调整")  # 调整内容
DEPARTMENTS = ("市场部", "运营部", "技术部", "客服中心")                 # 涵盖部门
COMPLAINT_RATE_MAX = 3.0              # 客户投诉率（目标≤3%）
FEATURE_USAGE_MIN = 30.0              # 新功能使用率（目标≥30%）
SAVING_PCT = (10.0, 15.0)             # 预计年度节省开支10%-15%
RESPONSE_HOURS_MAX = 2.0              # 缩短响应时间至平均2小时内
REVIEW_REPORT_DAYS = 3                # 局部回退后3日内提交复盘报告（日历日）
MONTHS_A_YEAR = 12                    # 年度总结：满12份月度成效报告
FIRST_QUARTER, LAST_QUARTER = "2023Q3", "2024Q4"  # 准备阶段2023Q3 起，至全面推广后一年（按月跟踪12个月）


def quarter_index(text: str) -> int:
    """'2024Q1' → a number that counts quarters (consecutive quarters differ by 1)."""
    year, quarter = text.split("Q")
    return int(year) * 4 + int(quarter) - 1


def quarters() -> list[str]:
    """Every quarter of the programme, from FIRST_QUARTER to LAST_QUARTER."""
    first, last = quarter_index(FIRST_QUARTER), quarter_index(LAST_QUARTER)
    return [f"{i // 4}Q{i % 4 + 1}" for i in range(first, last + 1)]


def roi_pct(investment: float, saving: float) -> float | None:
    """(saving − investment) ÷ investment × 100, one decimal; None without investment."""
    return round((saving - investment) / investment * 100, 1) if investment else None


def achievement_pct(target: float, actual: float, higher_is_better: bool) -> float:
    """How far a KPI is met, in % of its target (100 = met exactly)."""
    if higher_is_better:
        return actual / target * 100 if target else 100.0
    return target / actual * 100 if actual else 100.0

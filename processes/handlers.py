"""Service-task handlers for the phasegate processes.

Plain functions, no I/O at import time.  ``HANDLERS`` maps the names used by
the BPMN service tasks to the functions.

top3_complaints -- 数据收集与分析: reads a CRM complaint export (12 months),
    groups by 问题类别 and keeps the categories that satisfy BOTH priority
    conditions of the programme (share of occurrences >= 5% AND average
    customer score <= 3), then ranks them by frequency and returns the Top-3.

keep_monthly_report -- 绩效评估: appends one month's 成效报告 figures to the
    kept list ``monthly_reports``; the month is counted on the programme
    calendar (rollout month first), never typed; a report for a month that has
    not begun is refused (a second report in one month overwrites nothing), as
    are cumulative figures that shrink.

smart_answer -- 客服中心 智能应答系统 pilot: a small deterministic FAQ table
    for simple inquiries, chosen by keyword matching.

Data-cleaning rules of top3_complaints (documented, reported in the result):

* Encoding: UTF-8 with or without BOM, else GB18030 (Chinese Excel "CSV"),
  UTF-16 if the file starts with a UTF-16 BOM.  Comma-separated; a file
  whose header has tabs and no commas is read as tab-separated.
* Header names are compared after stripping spaces/BOM.  Required columns:
  日期, 问题类别, 客户评分.  关键词 is optional (keywords come out empty).
* 问题类别 is NFKC-normalised and stripped (" 物流延迟 " == "物流延迟").
  Rows whose category is blank are SKIPPED: they are not in ``total`` and
  are counted in ``skipped_rows``.
* 客户评分 is NFKC-normalised (full-width "３" -> "3"), stripped, a trailing
  "分" removed ("3分" -> 3), then parsed as a number; a value in 1..5 is a
  usable score ("4.0" -> 4).  Rows WITHOUT a usable score (blank, "未评分",
  out of range) still count toward the category's count and share -- they
  are complaints -- but not toward its average score.  They are counted in
  ``unscored_rows`` (and per category in ``unscored``).  A category with no
  usable score at all is excluded (its average cannot be compared).
* 日期 accepts 2023-01-04, 2023/1/4, 2023.1.4 and a trailing time part.
  ``period`` is the min/max parsable date, ``months`` the number of calendar
  months it spans; rows with an unparsable date are still counted
  (``bad_dates``).  ``min_months`` (the model passes 12) refuses an export
  spanning fewer months than that.
* share = count / total (total = rows with a category); the filter compares
  the unrounded values: share >= min_share AND avg_score <= max_score.
  Ranking: count desc, then lower avg score, then category name.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

from engine.files import DataFileRefused, DataFolders
from engine.i18n import Phrase

__all__ = ["HandlerInputError", "top3_complaints", "smart_answer", "keep_monthly_report", "HANDLERS",
           "handlers_for", "DATA_DIR", "DATA_FOLDERS", "SAMPLE_EXPORT"]

# The shipped sample export (relative to the repository root).
SAMPLE_EXPORT = "processes/data/crm_complaints_2022-07_2023-06.csv"
# The programme's own data folder: handlers read files only here and in folders an administrator
# names (`--data-dir`, PHASEGATE_DATA_DIRS). A relative name is also looked up from the repository
# root and from processes/ (e.g. "data/crm_....csv"), still only inside the allowed folders.
DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FOLDERS = DataFolders([DATA_DIR], bases=[DATA_DIR.parents[1], DATA_DIR.parent])

COL_DATE = "日期"
COL_CATEGORY = "问题类别"
COL_SCORE = "客户评分"
COL_KEYWORDS = "关键词"
REQUIRED_COLUMNS = (COL_DATE, COL_CATEGORY, COL_SCORE)

_KEYWORD_SPLIT = re.compile(r"[、;；,，|/\s]+")
_DATE_RE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?\s*$")


class HandlerInputError(ValueError):
    """Bad handler input (missing file, missing column, empty file, ...)."""


# --------------------------------------------------------------------------
# top3_complaints
# --------------------------------------------------------------------------

def handlers_for(folders: DataFolders) -> dict:
    """The handler table, its file inputs read only from `folders` (bound here, so no BPMN
    parameter can name other folders)."""
    def top3(export_path: str, min_share: float = 0.05, max_score: float = 3.0, limit: int = 3,
             min_months: int = 0) -> dict:
        return top3_complaints(export_path, min_share, max_score, limit, min_months, folders=folders)

    top3.__doc__ = top3_complaints.__doc__
    return {"top3_complaints": top3, "smart_answer": smart_answer, "keep_monthly_report": keep_monthly_report}


def _read_export(export_path: str, folders: DataFolders) -> bytes:
    """The export's bytes, from inside the allowed data folders only; errors name the file, never its content."""
    if export_path is None or str(export_path).strip() == "":
        raise HandlerInputError("未指定 CRM 导出文件 / no CRM export path given")
    try:
        return folders.read(str(export_path), Phrase("CRM export"))
    except DataFileRefused as err:
        raise HandlerInputError(f"无法读取 CRM 导出文件 / cannot read CRM export: {err}") from None


def _decode(raw: bytes, path: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise HandlerInputError(
            f"无法识别文件编码(需 UTF-8 或 GB18030) / cannot decode file "
            f"(expected UTF-8 or GB18030): {path}") from None


def _norm_header(name: str | None) -> str:
    return (name or "").replace("\ufeff", "").strip()


def parse_score(text: str | None) -> float | None:
    """Usable customer score (1..5) or None.  See module docstring."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    if s.endswith("分"):
        s = s[:-1].strip()
    try:
        value = float(s)
    except ValueError:
        return None
    if value != value or not 1 <= value <= 5:  # NaN or out of range
        return None
    return value


def _parse_date(text: str | None) -> _dt.date | None:
    m = _DATE_RE.match(unicodedata.normalize("NFKC", text or ""))
    if not m:
        return None
    try:
        return _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def top3_complaints(export_path: str, min_share: float = 0.05,
                    max_score: float = 3.0, limit: int = 3, min_months: int = 0, *,
                    folders: DataFolders = DATA_FOLDERS) -> dict:
    """Top-N complaint categories passing share >= min_share AND avg <= max_score.

    Raises HandlerInputError for a missing/unreadable/empty file, one outside
    `folders`, or a missing required column.  Returns a JSON-able dict (see
    module docstring).
    """
    try:
        min_share = float(min_share)
        max_score = float(max_score)
        limit = int(limit)
    except (TypeError, ValueError):
        raise HandlerInputError(
            f"参数无效 / invalid parameters: min_share={min_share!r}, "
            f"max_score={max_score!r}, limit={limit!r}") from None
    if not 0 <= min_share <= 1 or limit < 1:
        raise HandlerInputError(
            f"参数超出范围 / parameter out of range: min_share={min_share} "
            f"(0..1), limit={limit} (>=1)")

    raw = _read_export(export_path, folders)
    text = _decode(raw, export_path)
    if not text.strip():
        raise HandlerInputError(f"CRM 导出文件为空 / CRM export is empty: {export_path}")

    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [_norm_header(h) for h in next(reader)]
    index = {name: i for i, name in reversed(list(enumerate(header))) if name}
    for col in REQUIRED_COLUMNS:
        if col not in index:
            raise HandlerInputError(  # names the column and the file, never what the file holds
                f"CRM 导出文件缺少必需列「{col}」/ CRM export is missing required "
                f"column '{col}': {export_path}")
    i_date, i_cat, i_score = (index[c] for c in REQUIRED_COLUMNS)
    i_kw = index.get(COL_KEYWORDS)

    def cell(row: list[str], i: int | None) -> str:
        return row[i] if i is not None and i < len(row) else ""

    rows_read = skipped = unscored = bad_dates = 0
    counts: Counter[str] = Counter()
    score_sum: dict[str, float] = {}
    score_n: Counter[str] = Counter()
    keywords: dict[str, Counter[str]] = {}
    first_seen: dict[str, int] = {}
    dates: list[_dt.date] = []

    for row in reader:
        if not any(c.strip() for c in row):
            continue  # blank line, not a record
        rows_read += 1
        category = unicodedata.normalize("NFKC", cell(row, i_cat)).strip()
        if not category:
            skipped += 1
            continue
        counts[category] += 1
        first_seen.setdefault(category, len(first_seen))
        score = parse_score(cell(row, i_score))
        if score is None:
            unscored += 1
        else:
            score_sum[category] = score_sum.get(category, 0.0) + score
            score_n[category] += 1
        d = _parse_date(cell(row, i_date))
        if d is None:
            bad_dates += 1
        else:
            dates.append(d)
        kw_counter = keywords.setdefault(category, Counter())
        for kw in _KEYWORD_SPLIT.split(unicodedata.normalize("NFKC", cell(row, i_kw))):
            if kw:
                kw_counter[kw] += 1

    if rows_read == 0:
        raise HandlerInputError(
            f"CRM 导出文件没有数据行 / CRM export has no data rows: {export_path}")
    total = sum(counts.values())

    stats = []
    for cat, n in counts.items():
        avg = score_sum[cat] / score_n[cat] if score_n[cat] else None
        stats.append({"category": cat, "count": n, "share": n / total if total else 0.0,
                      "avg": avg, "unscored": n - score_n[cat]})
    # count desc, lower average first, then name
    stats.sort(key=lambda s: (-s["count"],
                              s["avg"] if s["avg"] is not None else float("inf"),
                              s["category"]))

    top, excluded = [], []
    passed = 0  # categories that satisfied both conditions so far
    for s in stats:
        reasons = []
        if s["share"] < min_share:
            reasons.append(f"占比 {_pct(s['share'])} < {_pct(min_share)} / share below threshold")
        if s["avg"] is None:
            reasons.append("无有效评分 / no usable score")
        elif s["avg"] > max_score:
            reasons.append(f"平均评分 {s['avg']:.2f} > {max_score:g} / average score above threshold")
        if not reasons:
            passed += 1
        if not reasons and passed > limit:
            reasons.append(f"通过筛选但排名第 {passed}，超出 Top-{limit} / "
                           f"passed the filter but ranked beyond top {limit}")
        entry = {"category": s["category"], "count": s["count"],
                 "share": round(s["share"], 4),
                 "avg_score": round(s["avg"], 2) if s["avg"] is not None else None}
        if reasons:
            excluded.append({"category": s["category"], "reason": "；".join(reasons),
                             **{k: v for k, v in entry.items() if k != "category"}})
            continue
        kw = sorted(keywords.get(s["category"], Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        top.append({"rank": len(top) + 1, **entry,
                    "unscored": s["unscored"],
                    "keywords": [k for k, _ in kw[:3]]})

    if dates:
        start, end = min(dates), max(dates)
        period = {"from": start.isoformat(), "to": end.isoformat()}
        months = (end.year - start.year) * 12 + end.month - start.month + 1
    else:
        period, months = {"from": None, "to": None}, 0
    if months < int(min_months or 0):  # 细则: 收集过去12个月客户反馈 (the model says how many)
        raise HandlerInputError(
            f"CRM 导出仅覆盖 {months} 个月（{period['from']}～{period['to']}），须覆盖至少 {int(min_months)} 个月 / "
            f"CRM export spans {months} months, at least {int(min_months)} needed: {export_path}")

    return {
        "source": str(export_path),
        "total": total,
        "rows_read": rows_read,
        "period": period,
        "months": months,
        "filter": {"min_share": min_share, "max_score": max_score, "limit": limit},
        "top3": top,
        "excluded": excluded,
        "skipped_rows": skipped,
        "unscored_rows": unscored,
        "bad_dates": bad_dates,
    }


# --------------------------------------------------------------------------
# smart_answer
# --------------------------------------------------------------------------

# (topic, trigger keywords, canned answer) -- first match wins, so more
# specific topics come first.
FAQ: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("退款", ("退款", "退钱", "没到账", "未到账", "到账"),
     "退款审核通过后 1–3 个工作日内原路退回；超过 7 天仍未到账，请提供订单号，我们为您加急处理。"),
    ("退换货", ("退货", "换货", "退换", "无理由"),
     "签收后 7 天内可在「我的订单」申请无理由退货，15 天内出现质量问题可申请换货，上门取件免费。"),
    ("物流", ("物流", "快递", "发货", "配送", "到货", "签收"),
     "订单发货后可在「我的订单-物流详情」查看实时轨迹；付款后 48 小时内发货，超时可申请延迟补偿。"),
    ("账单", ("扣款", "扣费", "账单", "续费", "多扣"),
     "请在「我的-账单明细」核对每笔扣款；如确认重复扣款，系统核实后 24 小时内退回原支付账户。"),
    ("发票", ("发票", "开票", "抬头", "税号"),
     "在「我的订单-申请开票」填写抬头和税号即可，电子发票 1 个工作日内发送到您的邮箱。"),
    ("登录", ("密码", "登录", "登陆", "账号", "验证码"),
     "在登录页点击「忘记密码」，用绑定手机号验证后即可重置；连续输错被锁定时请 30 分钟后再试。"),
    ("价格", ("价格", "优惠", "优惠券", "运费", "保价", "降价", "会员价"),
     "商品页价格已含税，运费和优惠在结算页逐项列明；签收后 7 天内降价可在订单页申请价保。"),
    ("人工服务", ("人工", "客服电话", "热线", "营业时间", "服务时间"),
     "人工客服服务时间为每天 8:00–22:00，热线 400-000-0000；智能应答 7×24 小时在线。"),
)

FALLBACK_ANSWER = ("已收到您的问题，智能应答暂时无法解答，已为您转接人工客服，"
                   "我们将在 2 小时内回复您。")


def smart_answer(question: str = "", kind: str = "simple", customer: str = "") -> dict:
    """Canned answer from the FAQ table (deterministic keyword matching).

    Only ``kind == "simple"`` inquiries are answered from the FAQ (the pilot
    covers simple inquiries); anything else, or no keyword match, gets the
    hand-over answer: ``resolved`` False, so the model routes it to a person.
    ``confidence`` is the share of the matched topic's triggers found in the question.
    """
    q = unicodedata.normalize("NFKC", str(question or "")).lower()
    topic, answer, confidence = None, FALLBACK_ANSWER, 0.0
    if str(kind or "simple").strip().lower() == "simple":
        for name, triggers, text in FAQ:
            hits = sum(1 for t in triggers if t.lower() in q)
            if hits:
                topic, answer = name, text
                confidence = round(min(1.0, 0.6 + 0.4 * hits / len(triggers)), 2)
                break
    greeting = f"{customer}，您好：" if customer else ""
    return {"answered": True, "answer": greeting + answer, "channel": "智能应答", "topic": topic,
            "handoff": topic is None, "resolved": topic is not None, "confidence": confidence}


def keep_monthly_report(kept: list | None, rollout_start: str, complaint_rate: float, feature_usage: float,
                        cost_saving_wan: float, budget_used_wan: float, sections: dict | None = None,
                        now: str = "") -> list:
    """``kept`` plus this month's record; refuses a month not yet begun or figures that go backwards.

    The month is counted on the programme calendar, never typed: the first report is the rollout's
    first month, each later one the month after the last kept. A report for a month that has not
    begun by ``now`` (the engine's clock, programme zone) is refused, so a second report within one
    month is refused instead of overwriting the first.
    """
    from zoneinfo import ZoneInfo

    from .programme import ZONE

    kept = list(kept or [])
    at = _dt.datetime.fromisoformat(now).astimezone(ZoneInfo(ZONE))
    first = _dt.date.fromisoformat(rollout_start)
    index = first.year * 12 + first.month - 1 + len(kept)
    month = f"{index // 12:04d}-{index % 12 + 1:02d}"
    if (at.year, at.month) < (index // 12, index % 12 + 1):
        if kept:
            last = kept[-1]
            raise HandlerInputError(f"{last['month']} 的成效报告已于 {last['reported_at'][:16].replace('T', ' ')} 登记，"
                                    f"每月一份，不能覆盖；{month} 的报告自 {month}-01 起提交")
        raise HandlerInputError(f"成效报告从全面推广开始的月份 {month} 起提交")
    if kept:
        last = kept[-1]
        for key, label, current in (("budget_used_wan", "累计投入", budget_used_wan),
                                    ("cost_saving_wan", "累计成本节约", cost_saving_wan)):
            if current < last[key]:
                raise HandlerInputError(f"{label} {current:g} 万元少于 {last['month']} 已登记的 {last[key]:g} 万元"
                                        "（累计数不能减少）")
    kept.append({"month": month, "number": len(kept) + 1, "reported_at": at.isoformat(timespec="seconds"),
                 "complaint_rate": complaint_rate, "feature_usage": feature_usage,
                 "cost_saving_wan": cost_saving_wan, "budget_used_wan": budget_used_wan,
                 "sections": dict(sections or {})})
    return kept


HANDLERS = handlers_for(DATA_FOLDERS)

"""Tests for processes/handlers.py: top3_complaints and smart_answer.

The expected Top-3 of the shipped sample is computed here INDEPENDENTLY of the
handler: the file is split into lines and fields by hand (the generator
guarantees no quoted fields), scores are cleaned with a separate table-based
routine, and the filter/ranking is re-implemented with a plain loop.
"""
from __future__ import annotations

import importlib.util
import inspect
import json
import sys
from pathlib import Path

import pytest
from lxml import etree

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine.bpmn.namespaces import SPIFFWORKFLOW  # noqa: E402
from engine.files import DataFolders  # noqa: E402
from processes.handlers import (  # noqa: E402
    HANDLERS, HandlerInputError, smart_answer, top3_complaints)

SAMPLE = REPO / "processes" / "data" / "crm_complaints_2022-07_2023-06.csv"
HEADER = "投诉编号,日期,渠道,产品线,问题类别,关键词,客户评分,处理时长小时,描述"


# ---------------------------------------------------------------- independent oracle

_FW = {chr(0xFF10 + i): str(i) for i in range(10)}  # full-width digits


def _oracle_score(cell: str):
    s = "".join(_FW.get(ch, ch) for ch in cell).strip()
    if s.endswith("分"):
        s = s[:-1]
    if not s or not all(ch.isdigit() or ch == "." for ch in s) or s.count(".") > 1:
        return None
    v = float(s)
    return v if 1 <= v <= 5 else None


def _oracle(path: Path, min_share=0.05, max_score=3.0, limit=3):
    text = path.read_bytes().decode("utf-8")
    assert '"' not in text, "oracle assumes no quoted CSV fields"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    head = lines[0].split(",")
    c_cat, c_score, c_date = head.index("问题类别"), head.index("客户评分"), head.index("日期")
    per_cat: dict[str, list] = {}
    skipped = unscored = 0
    dates = []
    for ln in lines[1:]:
        f = ln.split(",")
        assert len(f) == len(head), ln
        cat = f[c_cat].strip()
        if not cat:
            skipped += 1
            continue
        bucket = per_cat.setdefault(cat, [0, 0.0, 0])  # count, score sum, scored
        bucket[0] += 1
        sc = _oracle_score(f[c_score])
        if sc is None:
            unscored += 1
        else:
            bucket[1] += sc
            bucket[2] += 1
        y, m, d = f[c_date].replace("/", "-").split("-")
        dates.append((int(y), int(m), int(d)))
    total = sum(b[0] for b in per_cat.values())
    rows = []
    for cat, (n, ssum, scored) in per_cat.items():
        rows.append((cat, n, n / total, ssum / scored))
    passing = [r for r in rows if r[2] >= min_share and r[3] <= max_score]
    # manual selection sort by (count desc, avg asc, name asc)
    ranked = []
    while passing:
        best = passing[0]
        for r in passing[1:]:
            if (r[1] > best[1] or (r[1] == best[1] and r[3] < best[3])
                    or (r[1] == best[1] and r[3] == best[3] and r[0] < best[0])):
                best = r
        ranked.append(best)
        passing.remove(best)
    return {"total": total, "skipped": skipped, "unscored": unscored,
            "rows": {r[0]: r for r in rows}, "top": ranked[:limit],
            "n_passing": len(ranked), "dates": (min(dates), max(dates))}


# ---------------------------------------------------------------- shipped sample

@pytest.fixture(scope="module")
def sample_result():
    return top3_complaints(str(SAMPLE))


@pytest.fixture(scope="module")
def oracle():
    return _oracle(SAMPLE)


def test_sample_top3_matches_independent_computation(sample_result, oracle):
    got = sample_result["top3"]
    assert len(got) == 3
    assert [t["rank"] for t in got] == [1, 2, 3]
    assert [t["category"] for t in got] == [r[0] for r in oracle["top"]]
    for t, (cat, n, share, avg) in zip(got, oracle["top"]):
        assert t["count"] == n, cat
        assert t["share"] == round(share, 4), cat
        assert t["avg_score"] == round(avg, 2), cat
        assert t["keywords"] and all(isinstance(k, str) for k in t["keywords"])


def test_sample_expected_figures(sample_result, oracle):
    # Pinned so an accidental change of the sample or the rules is noticed; the plain count agrees.
    pinned = [("等待时间长", 512, 0.2124, 2.35), ("物流延迟", 398, 0.1651, 2.63), ("操作复杂", 301, 0.1249, 2.85)]
    assert [(cat, n, round(share, 4), round(avg, 2)) for cat, n, share, avg in oracle["top"]] == pinned
    assert [(t["category"], t["count"], t["share"], t["avg_score"]) for t in sample_result["top3"]] == pinned


def test_sample_totals_period_and_dirty_rows(sample_result, oracle):
    assert sample_result["total"] == oracle["total"] == 2410
    assert sample_result["rows_read"] == 2412
    assert sample_result["skipped_rows"] == oracle["skipped"] == 2
    assert sample_result["unscored_rows"] == oracle["unscored"] == 7
    (y0, m0, d0), (y1, m1, d1) = oracle["dates"]
    assert sample_result["period"] == {"from": f"{y0:04d}-{m0:02d}-{d0:02d}",
                                       "to": f"{y1:04d}-{m1:02d}-{d1:02d}"}
    assert sample_result["period"] == {"from": "2022-07-01", "to": "2023-06-30"}
    assert sample_result["months"] == 12


def test_sample_filter_matters(sample_result, oracle):
    rows = oracle["rows"]
    by_count = sorted(rows.values(), key=lambda r: -r[1])
    top_names = {t["category"] for t in sample_result["top3"]}
    excluded = {e["category"]: e["reason"] for e in sample_result["excluded"]}
    # a frequent category (2nd by raw count) is excluded for its score
    frequent_high = by_count[1]
    assert frequent_high[3] > 3 and frequent_high[0] not in top_names
    assert "平均评分" in excluded[frequent_high[0]]
    # the lowest-scored category is excluded for its share
    lowest = min(rows.values(), key=lambda r: r[3])
    assert lowest[2] < 0.05 and lowest[0] not in top_names
    assert "占比" in excluded[lowest[0]]
    # more than 3 categories pass, so the ranking had to choose
    assert oracle["n_passing"] >= 4
    assert sum("超出 Top-3" in r for r in excluded.values()) == oracle["n_passing"] - 3
    # every category is accounted for exactly once
    assert top_names.isdisjoint(excluded)
    assert top_names | set(excluded) == set(rows)


def test_sample_result_is_json_able(sample_result):
    assert json.loads(json.dumps(sample_result, ensure_ascii=False)) == sample_result


def test_generator_reproduces_shipped_sample(tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample_crm",
                                                  REPO / "tools" / "make_sample_crm.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "regen.csv"
    assert mod.main(["--out", str(out)]) == 0
    assert out.read_bytes() == SAMPLE.read_bytes()


def test_relative_sample_path_resolves(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    res = top3_complaints("processes/data/crm_complaints_2022-07_2023-06.csv")
    assert res["total"] == 2410


# ---------------------------------------------------------------- small fixtures

def _write(path: Path, rows, encoding="utf-8", header=HEADER):
    lines = [header] + [
        f"CRM-2023-{i:06d},{date},电话,手机数码,{cat},{kw},{score},1.0,描述"
        for i, (date, cat, kw, score) in enumerate(rows, 1)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _mixed_rows():
    """24 rows: 高频高分 8 (avg 4.5, most frequent), A类 5 (avg 2.0),
    B类 4 (avg 3.0), C类 3 (avg 1.0), D类 3 (avg 3.0), 罕见低分 1 (avg 1.0,
    share 1/24 = 4.17 %).  Passing: A, B, C, D -> Top-3 must drop D."""
    rows = []
    rows += [("2023-01-05", "高频高分", "价格", s) for s in [5, 4] * 4]
    rows += [("2023-02-05", "A类", "排队、回复慢", s) for s in [2, 2, 2, 2, 2]]
    rows += [("2023-03-05", "B类", "步骤多", s) for s in [3, 3, 3, 3]]
    rows += [("2023-04-05", "C类", "延误", s) for s in [1, 1, 1]]
    rows += [("2023-05-05", "D类", "其他", s) for s in [3, 3, 3]]
    rows += [("2023-06-05", "罕见低分", "扣款", 1)]
    return rows


def test_filter_excludes_frequent_high_score_and_rare_low_score(tmp_path):
    p = _write(tmp_path / "mixed.csv", _mixed_rows())
    res = top3_complaints(str(p), folders=DataFolders([tmp_path]))
    assert res["total"] == 24
    assert [t["category"] for t in res["top3"]] == ["A类", "B类", "C类"]
    # C类 and D类 tie on count 3: lower average (C类 1.0) ranks first
    reasons = {e["category"]: e["reason"] for e in res["excluded"]}
    assert "平均评分" in reasons["高频高分"] and "average score" in reasons["高频高分"]
    assert "占比" in reasons["罕见低分"] and "share" in reasons["罕见低分"]
    assert "超出" in reasons["D类"]
    assert res["top3"][0] == {"rank": 1, "category": "A类", "count": 5,
                              "share": round(5 / 24, 4), "avg_score": 2.0,
                              "unscored": 0, "keywords": ["回复慢", "排队"]}
    assert res["period"] == {"from": "2023-01-05", "to": "2023-06-05"}
    assert res["months"] == 6


def test_thresholds_are_inclusive(tmp_path):
    # share exactly 5 % (1 of 20) and average exactly 3.0 pass
    rows = [("2023-01-01", "边界", "", 3)] + [("2023-01-02", "其他", "", 5)] * 19
    res = top3_complaints(str(_write(tmp_path / "edge.csv", rows)), folders=DataFolders([tmp_path]))
    assert [t["category"] for t in res["top3"]] == ["边界"]
    assert res["top3"][0]["share"] == 0.05 and res["top3"][0]["avg_score"] == 3.0


def test_dirty_scores_and_categories(tmp_path):
    rows = [
        ("2023-01-01", " 物流延迟 ", "", "3分"),   # spaces + 分
        ("2023-01-02", "物流延迟", "", "１"),      # full-width digit
        ("2023-01-03", "物流延迟", "", "２分"),     # full-width + 分
        ("2023-01-04", "物流延迟", "", ""),        # blank -> unscored
        ("2023/1/5", "物流延迟", "", "未评分"),     # text -> unscored, slash date
        ("2023-01-06", "物流延迟", "", "9"),       # out of range -> unscored
        ("2023-01-07", "", "", "2"),               # blank category -> skipped
        ("2023-01-08", "账单错误", "", "4.0"),
    ]
    res = top3_complaints(str(_write(tmp_path / "dirty.csv", rows)), folders=DataFolders([tmp_path]))
    assert res["skipped_rows"] == 1
    assert res["unscored_rows"] == 3
    assert res["total"] == 7  # unscored rows still count toward share
    top = res["top3"][0]
    assert (top["category"], top["count"], top["unscored"]) == ("物流延迟", 6, 3)
    assert top["share"] == round(6 / 7, 4)
    assert top["avg_score"] == 2.0  # (3 + 1 + 2) / 3
    assert res["period"]["from"] == "2023-01-01" and res["bad_dates"] == 0


def test_gb18030_file(tmp_path):
    p = _write(tmp_path / "gbk.csv", _mixed_rows(), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        p.read_bytes().decode("utf-8")  # really not UTF-8
    res = top3_complaints(str(p), folders=DataFolders([tmp_path]))
    assert [t["category"] for t in res["top3"]] == ["A类", "B类", "C类"]


def test_utf8_bom_file(tmp_path):
    p = _write(tmp_path / "bom.csv", _mixed_rows(), encoding="utf-8-sig")
    assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    res = top3_complaints(str(p), folders=DataFolders([tmp_path]))
    assert [t["category"] for t in res["top3"]] == ["A类", "B类", "C类"]
    assert res["total"] == 24


def test_missing_column_names_the_column(tmp_path):
    header = HEADER.replace("客户评分", "满意度")
    p = _write(tmp_path / "nocol.csv", _mixed_rows(), header=header)
    with pytest.raises(HandlerInputError) as ei:
        top3_complaints(str(p), folders=DataFolders([tmp_path]))
    msg = str(ei.value)
    assert "客户评分" in msg and "missing required column" in msg and "nocol.csv" in msg
    assert "\n" not in msg
    assert isinstance(ei.value, ValueError)


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(HandlerInputError) as ei:
        top3_complaints(str(missing), folders=DataFolders([tmp_path]))
    assert "nope.csv" in str(ei.value) and "cannot read CRM export" in str(ei.value)
    assert "无法读取" in str(ei.value) and "not a CRM export in the folders a task may read" in str(ei.value)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"  \r\n"])
def test_empty_file(tmp_path, content):
    p = tmp_path / "empty.csv"
    p.write_bytes(content)
    with pytest.raises(HandlerInputError, match="empty"):
        top3_complaints(str(p), folders=DataFolders([tmp_path]))


def test_header_only_file(tmp_path):
    p = _write(tmp_path / "header.csv", [])
    with pytest.raises(HandlerInputError, match="no data rows"):
        top3_complaints(str(p), folders=DataFolders([tmp_path]))


# ---------------------------------------------------------------- smart_answer

def test_smart_answer_keyword_matching():
    r = smart_answer("我的退款怎么还没到账？")
    assert r["answered"] is True and r["channel"] == "智能应答"
    assert r["topic"] == "退款" and "退款" in r["answer"]
    assert smart_answer("快递到哪了")["topic"] == "物流"
    assert smart_answer("忘记密码怎么办")["topic"] == "登录"
    assert smart_answer("怎么开发票")["topic"] == "发票"


def test_smart_answer_fallback_and_determinism():
    r = smart_answer("今天天气怎么样")
    assert r["answered"] is True and r["handoff"] is True and r["topic"] is None
    assert "人工" in r["answer"]
    assert smart_answer() == smart_answer("")
    assert smart_answer("快递到哪了", kind="complex")["handoff"] is True
    assert smart_answer("快递到哪了") == smart_answer("快递到哪了")
    json.dumps(r, ensure_ascii=False)


def _operators_in_models() -> dict[str, set[str]]:
    """Operator id → parameter ids, read from every service task of the shipped models."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / "bpmn").glob("*.bpmn")):
        for op in etree.parse(str(path)).getroot().iter(f"{{{SPIFFWORKFLOW}}}serviceTaskOperator"):
            found.setdefault(op.get("id"), set()).update(
                p.get("id") for p in op.iter(f"{{{SPIFFWORKFLOW}}}parameter"))
    return found


def test_every_operator_the_models_call_has_a_handler_taking_its_parameters():
    operators = _operators_in_models()
    assert operators, "the shipped models call no service operator"
    assert set(HANDLERS) == set(operators)  # no handler missing, none unused
    for operator, parameters in operators.items():
        accepted = set(inspect.signature(HANDLERS[operator]).parameters)
        assert parameters <= accepted, (operator, parameters - accepted)


def test_the_table_entry_of_top3_answers_the_independent_top3(oracle):
    result = HANDLERS["top3_complaints"](export_path=str(SAMPLE))
    assert [(t["category"], t["count"]) for t in result["top3"]] == [(r[0], r[1]) for r in oracle["top"]]

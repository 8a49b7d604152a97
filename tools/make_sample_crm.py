#!/usr/bin/env python3
"""Generate the sample CRM complaint export used by the 数据收集与分析 step.

Writes ``processes/data/crm_complaints_2022-07_2023-06.csv``: 12 months
(2022-07-01 .. 2023-06-30) of complaint records as a CRM would export them,
UTF-8 (no BOM), CRLF line endings, header::

    投诉编号,日期,渠道,产品线,问题类别,关键词,客户评分,处理时长小时,描述

The output is fully deterministic (fixed seed, exact per-category counts and
exact per-category score multisets, shuffled with a seeded RNG), so running
this script again reproduces the committed file byte for byte.

Design (so that the priority filter "share >= 5% AND avg score <= 3" matters):

* 等待时间长, 物流延迟, 操作复杂, 退款慢, 客服态度 pass both conditions, so
  the ranking (by count) has to pick 3 of 5;
* 价格不透明 is the 2nd most frequent category but customers score it > 3,
  so it is excluded despite its share; 功能缺失 and 其他 likewise;
* 账单错误 and 系统故障 have the lowest scores but a share below 5%, so they
  are excluded despite being painful.

A few realistic dirty rows are injected (see ``inject_dirt``): blank score,
"未评分", a score written as "2分", full-width digits ("２", "４分"), a
decimal "4.0", whitespace around the category, blank category, and dates
written as 2023/1/5.  Descriptions and keywords never contain ASCII commas or
double quotes, so every line is a plain comma-separated record.

Usage:  python tools/make_sample_crm.py [--out PATH] [--seed N]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "processes" / "data" / "crm_complaints_2022-07_2023-06.csv"
SEED = 20230630

START = dt.date(2022, 7, 1)
END = dt.date(2023, 6, 30)

HEADER = ["投诉编号", "日期", "渠道", "产品线", "问题类别", "关键词",
          "客户评分", "处理时长小时", "描述"]

CHANNELS = [("电话", 38), ("在线客服", 30), ("App", 22), ("邮件", 10)]
PRODUCT_LINES = [("手机数码", 30), ("智能家居", 25), ("生活日用", 20),
                 ("会员服务", 15), ("企业采购", 10)]

# category -> (row count, score weights for 1..5, keyword pool, descriptions)
CATEGORIES: dict[str, tuple[int, tuple[int, int, int, int, int], list[str], list[str]]] = {
    "等待时间长": (512, (25, 35, 25, 10, 5),
                ["排队久", "电话打不通", "回复慢", "转人工难", "等待超时"],
                ["热线排队超过二十分钟仍未接通", "在线客服半天无人回复",
                 "转人工后又被挂断需要重新排队", "邮件三天没有回复",
                 "App内咨询一直显示排队中"]),
    "价格不透明": (430, (5, 10, 25, 40, 20),
                ["隐藏费用", "运费", "优惠规则", "价格变动", "会员价"],
                ["结算时才看到额外服务费", "优惠券使用规则看不懂",
                 "下单后第二天降价想了解保价", "会员价和页面价不一致",
                 "运费计算方式不清楚"]),
    "物流延迟": (398, (18, 30, 30, 15, 7),
                ["未发货", "配送慢", "物流不更新", "延误", "快递"],
                ["下单五天仍未发货", "物流信息三天没有更新",
                 "承诺次日达实际晚了三天", "大促期间配送严重延误",
                 "快递显示签收但本人未收到"]),
    "操作复杂": (301, (10, 28, 37, 17, 8),
                ["流程繁琐", "找不到入口", "步骤多", "界面", "实名认证"],
                ["退换货申请步骤太多", "找不到修改地址的入口",
                 "实名认证反复失败不知道原因", "设备绑定流程看不懂",
                 "发票申请要填写很多信息"]),
    "退款慢": (214, (22, 33, 25, 13, 7),
              ["退款未到账", "审核慢", "退货", "原路退回", "催退款"],
              ["退货已签收一周仍未退款", "退款审核一直卡住",
               "原路退回迟迟没有到账", "多次催促退款无结果",
               "取消订单后款项未退回"]),
    "客服态度": (150, (30, 35, 20, 10, 5),
                ["态度差", "不耐烦", "推诿", "答非所问", "挂电话"],
                ["客服语气不耐烦", "问题被来回推诿", "客服答非所问",
                 "通话中被客服直接挂断", "客服承诺回电但没有回电"]),
    "功能缺失": (140, (5, 15, 35, 30, 15),
                ["不支持", "缺少功能", "导出", "批量操作", "希望增加"],
                ["App不支持批量管理设备", "希望增加订单导出功能",
                 "缺少夜间模式", "不支持多个收货地址", "希望增加开票抬头管理"]),
    "其他": (126, (5, 12, 33, 30, 20),
            ["建议", "咨询", "包装", "赠品", "其他"],
            ["包装有轻微破损", "赠品与宣传不符", "咨询门店营业时间",
             "对活动规则有建议", "希望增加线下自提点"]),
    "账单错误": (84, (45, 35, 12, 5, 3),
                ["重复扣款", "多扣费", "账单不符", "发票错误", "自动续费"],
                ["同一订单被重复扣款", "账单金额与订单不符",
                 "未开通却被自动续费", "发票金额开错", "分期账单多出一笔"]),
    "系统故障": (55, (50, 30, 12, 5, 3),
                ["闪退", "无法登录", "支付失败", "页面报错", "系统崩溃"],
                ["App打开即闪退", "登录时一直提示系统繁忙", "支付页面报错无法下单",
                 "大促当晚系统崩溃", "设备控制无响应"]),
}
# 等待时间长 descriptions depend on the channel the customer waited on
WAIT_DESCS = {
    "电话": ["热线排队超过二十分钟仍未接通", "转人工后又被挂断需要重新排队"],
    "在线客服": ["在线客服半天无人回复", "在线排队显示前面还有五十人"],
    "App": ["App内咨询一直显示排队中", "App留言两天没有回复"],
    "邮件": ["邮件三天没有回复", "邮件投诉一周才收到回复"],
}
BLANK_CATEGORY_ROWS = 2  # rows whose 问题类别 the agent left empty


def weighted(rng: random.Random, pairs):
    names, weights = zip(*pairs)
    return rng.choices(names, weights=weights, k=1)[0]


def exact_scores(n: int, weights) -> list[int]:
    """Allocate n scores to 1..5 proportionally (largest remainder)."""
    total = sum(weights)
    raw = [n * w / total for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(5), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    out: list[int] = []
    for score, c in zip(range(1, 6), counts):
        out.extend([score] * c)
    return out


def random_date(rng: random.Random, category: str) -> dt.date:
    days = (END - START).days
    # seasonal bump: logistics complaints cluster around 双11 / 春节
    if category == "物流延迟" and rng.random() < 0.35:
        peak = rng.choice([dt.date(2022, 11, 12), dt.date(2023, 1, 15)])
        d = peak + dt.timedelta(days=rng.randint(-10, 10))
        return min(max(d, START), END)
    return START + dt.timedelta(days=rng.randint(0, days))


def handling_hours(rng: random.Random, channel: str) -> str:
    base = {"电话": 1.5, "在线客服": 2.5, "App": 4.0, "邮件": 12.0}[channel]
    return f"{rng.lognormvariate(0, 0.8) * base:.1f}"


def build_rows(seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    records = []
    for cat, (n, weights, kws, descs) in CATEGORIES.items():
        scores = exact_scores(n, weights)
        rng.shuffle(scores)
        for score in scores:
            k = rng.choice([1, 1, 2])
            channel = weighted(rng, CHANNELS)
            records.append({
                "日期": random_date(rng, cat),
                "渠道": channel,
                "产品线": weighted(rng, PRODUCT_LINES),
                "问题类别": cat,
                "关键词": "、".join(rng.sample(kws, k)),
                "客户评分": str(score),
                "描述": rng.choice(WAIT_DESCS[channel] if cat == "等待时间长" else descs),
            })
    for _ in range(BLANK_CATEGORY_ROWS):
        records.append({
            "日期": random_date(rng, ""), "渠道": weighted(rng, CHANNELS),
            "产品线": weighted(rng, PRODUCT_LINES), "问题类别": "",
            "关键词": "", "客户评分": str(rng.randint(2, 4)),
            "描述": "客户来电未说明具体问题",
        })
    # make the export span the whole period exactly
    records[0]["日期"] = START
    records[1]["日期"] = END
    rng.shuffle(records)
    records.sort(key=lambda r: r["日期"])  # stable: ties keep shuffled order

    rows = []
    seq: dict[int, int] = {}
    for r in records:
        year = r["日期"].year
        seq[year] = seq.get(year, 0) + 1
        rows.append({
            "投诉编号": f"CRM-{year}-{seq[year]:06d}",
            "日期": r["日期"].isoformat(),
            "渠道": r["渠道"],
            "产品线": r["产品线"],
            "问题类别": r["问题类别"],
            "关键词": r["关键词"],
            "客户评分": r["客户评分"],
            "处理时长小时": handling_hours(rng, r["渠道"]),
            "描述": r["描述"],
        })
    inject_dirt(rng, rows)
    return rows


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def inject_dirt(rng: random.Random, rows: list[dict[str, str]]) -> None:
    """Injected, deterministic dirty cells typical of hand-kept CRM data."""
    candidates = [i for i, r in enumerate(rows) if r["问题类别"]]
    picks = rng.sample(candidates, 22)
    blank, unrated, fen, fullwidth, fw_fen, decimal = (
        picks[0:6], picks[6:7], picks[7:10], picks[10:13], picks[13:14], picks[14:15])
    spaced, slashdate = picks[15:20], picks[20:22]
    for i in blank:
        rows[i]["客户评分"] = ""                      # no score given
    for i in unrated:
        rows[i]["客户评分"] = "未评分"                 # text instead of a score
    for i in fen:
        rows[i]["客户评分"] += "分"                    # "2分"
    for i in fullwidth:
        rows[i]["客户评分"] = rows[i]["客户评分"].translate(FULLWIDTH)  # "２"
    for i in fw_fen:
        rows[i]["客户评分"] = rows[i]["客户评分"].translate(FULLWIDTH) + "分"
    for i in decimal:
        rows[i]["客户评分"] += ".0"                    # "4.0"
    for i in spaced:
        rows[i]["问题类别"] = f" {rows[i]['问题类别']} "  # stray spaces
    for i in slashdate:
        d = dt.date.fromisoformat(rows[i]["日期"])
        rows[i]["日期"] = f"{d.year}/{d.month}/{d.day}"


def write(rows, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    rows = build_rows(args.seed)
    write(rows, args.out)
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

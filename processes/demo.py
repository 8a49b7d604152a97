"""`make demo`: the business-adjustment programme walked end to end through the real command line.

Every step is a separate `phasegate` process on a fresh SQLite store, printed as a person would
type it: a send-back at gate 1, ten experts seconded and rotated, a weekly review for each pilot week
(a complaint surge starting its emergency plan, a local rollback in the pilot), a failed pilot that
is adjusted and extended, a system failure signalled, a batch rolled back locally with its review
report, then the monthly reports and the yearly summary; and one customer
inquiry through the service loop before and after the adjustment.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from .samples import ACTORS, MONTHLY_FIGURES, SAMPLES

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / ".phasegate" / "demo.db"


class Demo:
    def __init__(self, store: Path):
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
        self.env["PHASEGATE_DB"] = str(store)
        self.exe = [str(Path(sys.executable).parent / "phasegate")]
        if not Path(self.exe[0]).exists():
            self.exe = [sys.executable, "-m", "cli"]

    def at(self, instant: str) -> None:
        """Every following command runs at this simulated instant (Asia/Shanghai)."""
        self.env["PHASEGATE_NOW"] = instant
        print(f"\n# --- simulated time: {instant} (PHASEGATE_NOW) ---")

    def run(self, *args, user: str | None = None, show: bool = True, check: bool = True) -> str:
        argv = (["--as", user] if user else []) + [str(a) for a in args]
        shown = " ".join(shlex.quote(a) if len(a) < 70 else shlex.quote(a[:60] + "…") for a in argv)
        result = subprocess.run(self.exe + argv, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if show:
            print(f"\n$ phasegate {shown}")
            print((result.stdout + result.stderr).rstrip())
        if check and result.returncode != 0:
            raise SystemExit(f"demo step failed with exit code {result.returncode}: phasegate {shown}")
        return result.stdout

    def complete(self, instance: int, task: str, show: bool = True, **overrides) -> None:
        tasks = json.loads(self.run("tasks", "--instance", instance, "--json", show=False))
        lane = next(t["lane"] for t in tasks if t["task_id"] == task)
        values = {**SAMPLES[task], **overrides}
        self.run("complete", instance, task, "--data", json.dumps(values, ensure_ascii=False), user=ACTORS[lane],
                 show=show)


def heading(text: str) -> None:
    print(f"\n\n=== {text} " + "=" * max(0, 70 - len(text)))


def main() -> None:
    STORE.parent.mkdir(parents=True, exist_ok=True)
    for stale in STORE.parent.glob(STORE.name + "*"):
        stale.unlink()
    demo = Demo(STORE)
    pm, manager = ACTORS["专项小组"], ACTORS["管理层"]

    demo.at("2023-07-03T09:00:00+08:00")
    heading("The models and who is in which lane")
    demo.run("processes")
    demo.run("people")

    heading("准备阶段 (2023 Q3): task force, Top-3 complaints, benchmarking, the draft")
    instance = json.loads(demo.run("start", "business_adjustment", "--json", user=pm, show=False))["id"]
    print(f"\n$ phasegate --as {pm} start business_adjustment\nstarted instance {instance}")
    demo.run("tasks", user=pm)
    demo.run("form", instance, "form_task_force")
    for task in ("form_task_force", "collect_feedback"):
        demo.complete(instance, task)
    top3 = json.loads(demo.run("show", instance, "--json", show=False))["data"]["top3"]
    print("\nTop-3 from the CRM export (share ≥ 5% and average score ≤ 3):")
    for item in top3["top3"]:
        print(f"  {item['rank']}. {item['category']}: {item['count']} of {top3['total']} "
              f"({item['share']:.1%}), average score {item['avg_score']}")
    for task in ("benchmark_peers", "draft_proposal"):
        demo.complete(instance, task)

    demo.at("2023-09-25T10:00:00+08:00")
    heading("Gate 1: 管理层审议 — sent back once, then approved")
    demo.run("complete", instance, "review_draft", "--set", "draft_decision=revise", user=manager, check=False)
    demo.complete(instance, "review_draft", draft_decision="revise", review_comments="补充AI客服算力需求与季度ROI依据")
    demo.run("complete", instance, "revise_draft", "--set", "revision_summary=已补充", user=manager, check=False)
    demo.complete(instance, "revise_draft")
    demo.at("2023-09-27T16:00:00+08:00")
    demo.complete(instance, "review_draft")
    demo.run("deadlines")

    heading("试点阶段 (2023 Q4): the pilot window opens, 10 experts seconded, a review every week; gate 2 fails once")
    demo.at("2023-10-01T00:00:00+08:00")
    demo.run("tick")
    demo.at("2023-10-06T09:30:00+08:00")
    for task in ("platform_pilot", "smart_answer_pilot"):
        demo.complete(instance, task)
    demo.run("complete", instance, "assign_experts", "--data", json.dumps(
        {**SAMPLES["assign_experts"], "experts": SAMPLES["assign_experts"]["experts"][:9]}, ensure_ascii=False),
        user=ACTORS["技术部"], check=False)
    demo.complete(instance, "assign_experts")
    print("\n# 每周复盘会: one review for each of the window's 14 weeks, numbered 1, 2, 3, … (a skipped week is refused).")
    demo.run("complete", instance, "weekly_review", "--data", json.dumps({**SAMPLES["weekly_review"], "week_no": 2},
                                                                        ensure_ascii=False), user=pm, check=False)
    for week in range(1, 15):
        demo.at(f"{date(2023, 10, 6) + timedelta(weeks=week - 1)}T16:00:00+08:00")
        if week == 3:
            print("\n# Week 3: complaint rate 6.2% > 5% (the threshold in the model) starts the 用户投诉激增 plan.")
            demo.complete(instance, "weekly_review", week_no=3, complaint_rate=6.2)
            demo.complete(instance, "handle_complaints")
            demo.complete(instance, "inform_surge")
        elif week == 5:
            print("\n# Week 5: a local rollback in the pilot; its 复盘报告 is due within 3 calendar days.")
            demo.complete(instance, "weekly_review", week_no=5, pilot_rollback=True)
            demo.complete(instance, "pilot_rollback")
            demo.run("deadlines", "--within", "3d")
            demo.complete(instance, "pilot_review_report")
        elif week == 14:
            demo.complete(instance, "weekly_review", week_no=14, fault_rate=3.4, handling_minutes=135)
        else:
            demo.complete(instance, "weekly_review", week_no=week, show=False)
    demo.complete(instance, "pilot_survey", satisfaction=81)
    data = json.loads(demo.run("show", instance, "--json", show=False))["data"]
    print(f"\npilot_signoff (DMN): passed={data['pilot_passed']}  reason={data['pilot_reason']}")
    demo.complete(instance, "adjust_pilot", extend_weeks=2)
    demo.at("2024-01-09T09:00:00+08:00")
    print("\n# The experts' quarterly rotation falls due during the extended pilot.")
    demo.run("tick")
    demo.complete(instance, "rotate_experts")
    for week in (15, 16):
        demo.at(f"{date(2023, 10, 6) + timedelta(weeks=week - 1)}T16:00:00+08:00")
        demo.complete(instance, "weekly_review", week_no=week)
    demo.complete(instance, "pilot_survey")
    data = json.loads(demo.run("show", instance, "--json", show=False))["data"]
    print(f"\npilot_signoff (DMN): passed={data['pilot_passed']}  reason={data['pilot_reason']}")
    demo.complete(instance, "expert_secondment")

    heading("应急预案: a system failure signalled by 技术部, restored, 管理层 informed")
    demo.at("2024-01-22T08:00:00+08:00")
    demo.run("signal", "系统故障", "--instance", instance, user=ACTORS["技术部"])
    demo.run("deadlines", "--within", "4h")
    demo.complete(instance, "restore_system")
    demo.complete(instance, "inform_failure")

    heading("全面推广 (2024 Q1): batch 1 goes live, rolls back; the review report runs late and escalates")
    demo.at("2024-01-22T09:00:00+08:00")
    for task in ("batch_decision", "marketing_rollout", "warehouse_rollout"):
        demo.complete(instance, task)
    demo.complete(instance, "staff_training", training_pass_rate=84)
    demo.complete(instance, "staff_training", training_round=2, training_pass_rate=92.5)
    demo.complete(instance, "transition_support")
    demo.at("2024-01-24T10:00:00+08:00")
    demo.complete(instance, "batch_check", batch_status="rollback", check_notes="华东仓出库延迟")
    demo.complete(instance, "rollback_batch")
    print("\n# The 复盘报告 is due within 3 days (细则「3日内」: calendar days) → 2024-01-27 10:00 Shanghai.")
    demo.run("deadlines")
    demo.at("2024-01-27T09:59:59+08:00")
    demo.run("tick")
    demo.at("2024-01-27T10:00:00+08:00")
    demo.run("tick")
    demo.run("tasks", user=manager)
    demo.run("deadlines", "--overdue")
    demo.complete(instance, "escalate_review")
    demo.at("2024-01-27T16:00:00+08:00")
    demo.complete(instance, "review_report")
    demo.at("2024-01-29T09:00:00+08:00")
    for task in ("batch_decision", "marketing_rollout", "warehouse_rollout", "staff_training", "transition_support"):
        demo.complete(instance, task)
    demo.complete(instance, "batch_check", more_batches=True)
    demo.complete(instance, "batch_decision", batch_no=2, batch_scope="第2批：华南仓", batch_go="no_go",
                  decision_reason="华南仓网络改造未完成")
    demo.complete(instance, "replan_batch")
    for task in ("batch_decision", "marketing_rollout", "warehouse_rollout", "staff_training", "transition_support",
                 "batch_check"):
        demo.complete(instance, task, **({"batch_no": 2, "batch_scope": "第2批：华南仓"} if task == "batch_decision" else {}))

    heading("成效报告 and 年度总结: twelve kept months, counted, then the year closes")
    for number, figures in enumerate(MONTHLY_FIGURES, 1):
        demo.at(f"2024-{number:02d}-28T17:00:00+08:00")
        demo.complete(instance, "monthly_report", **figures)
        data = json.loads(demo.run("show", instance, "--json", show=False))["data"]
        kept = data["monthly_reports"][-1]
        print(f"\nkept {kept['month']} (month {kept['number']}, {len(data['monthly_reports'])} kept): "
              f"on track={data['month_on_track']}  flags={data['month_flags']}")
        ready = [t["task_id"] for t in json.loads(demo.run("tasks", "--instance", instance, "--json", show=False))]
        for task in ready:
            if task in ("corrective_plan", "budget_decision"):
                demo.complete(instance, task)
        if number == 1:
            print("\n# A second report within the same month is refused: the month is counted, not typed.")
            demo.run("complete", instance, "monthly_report", "--data", json.dumps(
                {**SAMPLES["monthly_report"], **figures}, ensure_ascii=False), user=pm, check=False)
    demo.run("tasks", "--instance", instance, user=manager)
    print("\n# The award goes to the department ranked first on its KPIs, not to whoever is named.")
    refused = dict(SAMPLES["yearly_summary"], best_team="运营部")
    demo.run("complete", instance, "yearly_summary", "--data", json.dumps(refused, ensure_ascii=False), user=manager,
             check=False)
    demo.complete(instance, "yearly_summary")
    demo.run("show", instance)

    heading("The customer service loop, before and after the adjustment")
    demo.at("2024-01-15T09:00:00+08:00")
    customer = ACTORS["客户"]
    for process, kind in (("service_loop_before", {}), ("service_loop_after", {"inquiry_kind": "simple"})):
        loop = json.loads(demo.run("start", process, "--json", user=customer, show=False))["id"]
        print(f"\n$ phasegate --as {customer} start {process}\nstarted instance {loop}")
        demo.complete(loop, "submit_inquiry", **kind)
        if process == "service_loop_before":  # before: every inquiry waits for a person
            demo.at("2024-01-15T12:30:00+08:00")
            demo.complete(loop, "answer_inquiry", response_minutes=210)
        else:
            reply = json.loads(demo.run("show", loop, "--json", show=False))["data"]["smart_reply"]
            print(f"\n智能应答: {reply['answer']}")
        for task in ("prepare_quote", "place_order", "deliver_order"):
            demo.complete(loop, task)
        demo.complete(loop, "confirm_receipt", has_issue=False, issue_text="", satisfaction_score=5)
    print("\n# A complex inquiry nobody answers within 2 hours escalates to the 客服中心 lead.")
    loop = json.loads(demo.run("start", "service_loop_after", "--json", user=customer, show=False))["id"]
    demo.complete(loop, "submit_inquiry", inquiry_kind="complex", inquiry_text="企业批量采购能否开专票并分批交付？")
    demo.run("deadlines")
    demo.at("2024-01-15T14:30:00+08:00")
    demo.run("tick")
    demo.run("tasks", "--instance", loop, user="林晓燕")
    demo.at("2024-01-15T15:00:00+08:00")
    demo.complete(loop, "escalate_inquiry")
    demo.complete(loop, "answer_inquiry", answer_text="可开增值税专票，支持分三批交付", response_minutes=150)
    demo.run("instances")

    demo.run("render", "service_loop_after", "--instance", loop, "-o", f"out/instance-{loop}.svg")

    heading("The whole draft, a monthly report and the yearly summary, written from the store")
    demo.at("2025-01-06T09:00:00+08:00")
    draft = json.loads(demo.run("proposal", "--instance", instance, "-o", "out/proposal", "--json", show=False))["figures"]
    print(f"\n$ phasegate proposal --instance {instance} -o out/proposal --json\n" + ", ".join(sorted(os.listdir(ROOT / "out" / "proposal"))))
    month = json.loads(demo.run("report", "monthly", "--month", "2024-02", "--instance", instance, "-o", "out/reports",
                                "--json", show=False))["figures"]
    demo.run("report", "monthly", "--instance", instance, "-o", "out/reports")
    year = json.loads(demo.run("report", "yearly", "--instance", instance, "-o", "out/reports", "--json",
                               show=False))["figures"]
    before = next(r for r in year["response"] if r["process_id"] == "service_loop_before")
    after = next(r for r in year["response"] if r["process_id"] == "service_loop_after")
    backs = ", ".join(f"{r['rollback']} {'on time' if r['on_time'] else 'late'}" for r in year["rollbacks"]) or "none"
    print(f"""
What they show:
  out/proposal/draft.pdf  swimlanes before/after ({draft['added']} added, {draft['removed']} removed, {draft['changed']} changed),
      {draft['dependencies']} technical dependencies, ROI per quarter {draft['quarters'][0]}…{draft['quarters'][-1]}:
      {draft['investment_wan']:g}万 of the {draft['budget_wan']}万 budget ({draft['technology_wan']:g}万 technology first), {draft['saving_wan']:g}万 saved,
      cumulative ROI {draft['cumulative_roi_pct']}%
  out/reports/monthly-2024-02.pdf  complaint rate {month['complaint_rate']:g}% (≤3%), usage {month['feature_usage']:g}% (≥30%),
      spent {month['budget_used_wan']:g}万 of 500万, saved {month['cost_saving_wan']:g}万 ({month['annualised_saving_pct']:.1f}% a year);
      flags: {'、'.join(month['flags']) or 'none'}
  out/reports/yearly.pdf  {year['months']} months {year['first_month']}…{year['last_month']}: spent {year['budget_used_wan']:g}万
      (approved {year['approved_budget_wan']:g}万), saved {year['cost_saving_wan']:g}万 = {year['saving_pct']:.1f}% of the
      operating cost (10–15%), best team {year['best_team']} ({year['ranking'][0]['achievement_pct']}%); inquiries answered
      in {before['mean_hours']:.2f} h before the adjustment, {after['mean_hours']:.2f} h after (p90 {after['p90_hours']:.2f} h;
      target ≤2 h, measured from the audit log); rollbacks: {backs}""")
    print("\nDemo finished: every step above ran as its own phasegate process on", STORE.relative_to(ROOT))
    open_the_page(demo)


def open_the_page(demo: Demo) -> None:
    """How to open the web pages on the demo store, with a token for one person of each lane."""
    heading("The web pages: phasegate serve")
    tokens = {lane: json.loads(demo.run("people", "token", person, "--json", user=ACTORS["管理层"], show=False))["token"]
              for lane, person in ACTORS.items()}
    print(f"\n$ phasegate --db {STORE.relative_to(ROOT)} serve --port 8080\n\nthen open http://127.0.0.1:8080/ "
          "and sign in with one of these tokens (issued with `phasegate people token NAME`, shown once):")
    for lane, token in tokens.items():
        print(f"  {lane:<6} {ACTORS[lane]:<4} {token}")


if __name__ == "__main__":
    main()

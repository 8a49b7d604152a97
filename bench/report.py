"""The targets of issue 6, checked against the measured figures, and bench/RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import cli_cpu, scale

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
NOTES_MARK = "<!-- notes below this line are kept when `make bench` rewrites the file -->"

C_OVER_B = 2.0
C_OVER_A = 0.5
TASKS_MS = 300
ROUNDS_FACTOR = 3.0


@dataclass
class Targets:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    @classmethod
    def check(cls, r: dict) -> "Targets":
        t = r["throughput"]
        a, b, c = t["a"].per_second, t["b"].per_second, t["c"].per_second
        biggest = max(r["stores"], key=lambda s: s["instances"])
        tasks_ms = biggest["tasks"]["median_ms"]
        rounds = {x["rounds"]: x["ms_per_completion"] for x in r["rounds"]}
        first, last = min(rounds), max(rounds)
        factor = rounds[last] / rounds[first]
        return cls([
            (f"c/b ≥ {C_OVER_B}", c / b >= C_OVER_B, f"{c / b:.2f}"),
            (f"c/a ≥ {C_OVER_A}", c / a >= C_OVER_A, f"{c / a:.2f}"),
            (f"`phasegate tasks` < {TASKS_MS} ms on {biggest['instances']:,} instances", tasks_ms < TASKS_MS,
             f"{tasks_ms:.0f} ms"),
            (f"per completion after {last} rounds ≤ {ROUNDS_FACTOR:g}× after {first}", factor <= ROUNDS_FACTOR,
             f"{factor:.2f}× ({rounds[last]:.1f} ms vs {rounds[first]:.1f} ms)"),
        ] + ([(f"web tasklist < {TASKS_MS} ms on {r['web']['open_tasks']:,} open tasks", r["web"]["page_all"]["median_ms"]
               < TASKS_MS, f"{r['web']['page_all']['median_ms']:.0f} ms (every lane's page)")] if "web" in r else [])
           + (cli_cpu.checks(r["cli_cpu"]) if "cli_cpu" in r else []))

    def lines(self) -> list[str]:
        return [f"{'met ' if ok else 'MISSED'}  {name}: {value}" for name, ok, value in self.checks]


def write_results(r: dict, targets: Targets) -> Path:
    m = r["machine"]
    t = r["throughput"]
    a, b, c, tuned = t["a"], t["b"], t["c"], t["a_tuned"]
    out = [
        "# phasegate benchmark results",
        "",
        "Written by `make bench` (`python -m bench`); every figure comes from one run in one process,",
        "except the CLI timings, which start a new `phasegate` process per call as a user does.",
        "",
        "## Machine",
        "",
        f"- date: {m['date']}; commit {m.get('commit', 'unknown')}",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}",
        f"- OS: {m['os']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, SpiffWorkflow {m['spiffworkflow']}",
        "",
        "## Targets",
        "",
        "| target | result | figure |",
        "|---|---|---|",
        *[f"| {name} | {'met' if ok else '**missed**'} | {value} |" for name, ok, value in targets.checks],
        "",
        f"## Throughput: {r['instances']} instances of the after service loop, 8 user tasks each",
        "",
        "| workload | instances/s | ms per instance | store bytes per completed instance |",
        "|---|---|---|---|",
    ]
    for o in (a, b, c, tuned):
        size = f"{o.store_bytes_per_instance:,.0f} B ({o.store_bytes_per_instance / 1024:.1f} KiB)" \
            if o.store_bytes_per_instance is not None else "—"
        out.append(f"| {o.name} | {o.per_second:.1f} | {1000 / o.per_second:.2f} | {size} |")
    out += [
        "",
        f"- **c/a = {c.per_second / a.per_second:.2f}**, **c/b = {c.per_second / b.per_second:.2f}**; "
        f"c/a′ = {c.per_second / tuned.per_second:.2f}",
        "- (a) runs the tasks in memory on the stock library and never persists. (b) loads the JSON, runs one",
        "  task and saves the whole workflow with its spec embedded (`serialize_json`), one committed",
        "  transaction per task. (c) is `Engine.start` + `Engine.complete` per task: lane check, form",
        "  validation, state (spec stored once per model version), task and deadline tables and an audit row,",
        "  one committed transaction per command. (b) and (c) use the same SQLite settings (WAL,",
        "  synchronous=NORMAL: a commit survives the process being killed; the log is synced to disk at each",
        "  checkpoint). (a′) is (a) on the library as phasegate runs it (`engine/walks.py`'s loop walks and",
        "  `spiffcompat`'s log guard), measured after (c): c/a′ is what persistence and the checks cost.",
        "",
        "## Time per completion in gate 1's send-back loop",
        "",
        "Mean of 10 rounds (20 completions through `Engine.complete`) once N rounds are behind.",
        "",
        "| rounds behind | ms per completion | state bytes |",
        "|---|---|---|",
        *[f"| {x['rounds']} | {x['ms_per_completion']:.1f} | {x['state_bytes']:,} |" for x in r["rounds"]],
        *[f"| {x['rounds']} (compaction off) | {x['ms_per_completion']:.1f} | {x['state_bytes']:,} |"
          for x in r["rounds_without_compaction"]],
        "",
        "## CLI wall time on stores of a year of service-loop instances",
        "",
        "Interpreter start included, new process per call, median of 7 after one warm-up run. The store",
        "is seeded from real instances' rows (bench/seed.py); the newest 1% are still running, spread over",
        "the eight open steps.",
        "",
        "| instances | running | store size | `phasegate --as 黄丽 tasks` | lines | `phasegate deadlines` | lines | peak RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in r["stores"]:
        out.append(
            f"| {s['instances']:,} | {s['running']:,} | {s['bytes'] / 2**20:.0f} MiB "
            f"| {s['tasks']['median_ms']:.0f} ms ({s['tasks']['min_ms']:.0f}–{s['tasks']['max_ms']:.0f}) "
            f"| {s['tasks']['output_lines']} "
            f"| {s['deadlines']['median_ms']:.0f} ms ({s['deadlines']['min_ms']:.0f}–{s['deadlines']['max_ms']:.0f}) "
            f"| {s['deadlines']['output_lines']} "
            f"| {max(s['tasks']['peak_kib'], s['deadlines']['peak_kib']) / 1024:.0f} MiB |")
    if "limits" in r:
        from .limits import lines as limit_lines

        out += ["", "## What the limits cost (issue 13, bench/limits.py)", "",
                "Best of five runs of 20,000 evaluations each; the data check timed inside 100 runs of (c).", "",
                *limit_lines(r["limits"])]
    if "web" in r:
        from .web import summary

        out += ["", "## Web tasklist", "", f"- {summary(r['web'])}; median of 15 after two warm-up requests"]
    out += [""] + (cli_cpu.table(r["cli_cpu"], max(x["instances"] for x in r["stores"])) if "cli_cpu" in r else [])
    out += scale.table(r["scale"]) if "scale" in r else []
    rd = r["render"]
    out += [
        "",
        "## Programme diagram",
        "",
        f"- render of business_adjustment.bpmn to SVG: {rd['in_process_ms']:.0f} ms in process, "
        f"{rd['cli_wall_ms']:.0f} ms as `phasegate render business_adjustment -o x.svg` ({rd['svg_bytes']:,} bytes)",
        "",
        "## Memory",
        "",
        f"- peak RSS of the bench process after (a): {r['peak_after_a_mib']:.0f} MiB, after (b): "
        f"{r['peak_after_b_mib']:.0f} MiB, after (c): {r['peak_after_c_mib']:.0f} MiB, after the loop rounds: "
        f"{r['peak_after_rounds_mib']:.0f} MiB, after seeding the stores: {r['peak_after_stores_mib']:.0f} MiB;",
        f"  overall {r['peak_mib']:.0f} MiB",
        f"- whole run: {r['seconds']:.0f} s",
        "",
    ]
    notes = ""
    if RESULTS.exists():
        old = RESULTS.read_text(encoding="utf-8")
        if NOTES_MARK in old:
            notes = old.split(NOTES_MARK, 1)[1].lstrip("\n")
    out += [NOTES_MARK, "", notes] if notes else [NOTES_MARK, ""]
    RESULTS.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")
    return RESULTS

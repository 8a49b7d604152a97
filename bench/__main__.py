"""`python -m bench`: run every measurement in one process, print it, and rewrite bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import cli_cpu, probes, scale, seed, web, workloads
from .report import Targets, write_results

INSTANCES = int(os.environ.get("BENCH_INSTANCES", "1000"))
STORE_SIZES = tuple(int(x) for x in os.environ.get("BENCH_STORES", "1000,10000,100000").split(","))
PERSON = "黄丽"  # 客服中心 and 专项小组: answers inquiries, handles after-sales


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say(text: str) -> None:
    print(text, flush=True)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    mem = ""
    try:
        kib = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "spiffworkflow": version("SpiffWorkflow"), "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": probes.commit()}


def main() -> int:
    results: dict = {"machine": machine(), "instances": INSTANCES}
    say(f"phasegate bench on {results['machine']['cpu']} ({results['machine']['cores']} cores), "
        f"{results['machine']['date']}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="phasegate-bench-") as tmp:
        folder = Path(tmp)
        from engine.api import Engine
        from processes.programme import build

        # -- throughput: the same workload three ways ------------------------------------------
        programme = build()
        values = workloads.form_values(programme)
        spec, subs = workloads.parsed_spec(programme)
        warm = max(INSTANCES // 50, 5)
        say(f"\nthroughput: {INSTANCES} instances of {workloads.PROCESS}, {len(workloads.STEPS)} user tasks each")
        workloads.raw_in_memory(spec, subs, values, warm)
        a = workloads.raw_in_memory(spec, subs, values, INSTANCES)
        results["peak_after_a_mib"] = peak_mib()
        say(f"  (a) {a.name}: {a.per_second:.1f} instances/s")
        workloads.raw_persisted(spec, subs, values, warm, folder / "peer-warm.db")
        b = workloads.raw_persisted(spec, subs, values, INSTANCES, folder / "peer.db")
        results["peak_after_b_mib"] = peak_mib()
        say(f"  (b) {b.name}: {b.per_second:.1f} instances/s, {b.store_bytes_per_instance / 1024:.1f} KiB/instance")
        engine = Engine.open(folder / "phasegate.db", build())
        lanes = workloads.lanes_of_steps(engine)
        workloads.phasegate(engine, values, lanes, warm)
        c = workloads.phasegate(engine, values, lanes, INSTANCES)
        engine.store.close()
        results["peak_after_c_mib"] = peak_mib()
        say(f"  (c) {c.name}: {c.per_second:.1f} instances/s, {c.store_bytes_per_instance / 1024:.1f} KiB/instance")
        # (a′) after (c): phasegate's changes to how SpiffWorkflow runs are process-wide once installed
        workloads.raw_in_memory(spec, subs, values, warm, tuned=True)
        tuned = workloads.raw_in_memory(spec, subs, values, INSTANCES, tuned=True)
        say(f"  (a′) {tuned.name}: {tuned.per_second:.1f} instances/s")
        results["throughput"] = {"a": a, "b": b, "c": c, "a_tuned": tuned}
        say(f"  c/a = {c.per_second / a.per_second:.2f}   c/b = {c.per_second / b.per_second:.2f}   "
            f"c/a′ = {c.per_second / tuned.per_second:.2f}")

        # -- send-back rounds of gate 1 --------------------------------------------------------
        say("\ntime per completion in gate 1's send-back loop (review_draft ⇄ revise_draft)")
        results["rounds"] = probes.rounds(folder)
        for r in results["rounds"]:
            say(f"  after {r['rounds']:>4} rounds: {r['ms_per_completion']:.1f} ms, state {r['state_bytes'] / 1024:.1f} KiB")
        results["rounds_without_compaction"] = probes.rounds(folder, marks=(10, 100), compaction=False)
        for r in results["rounds_without_compaction"]:
            say(f"  without compaction, after {r['rounds']:>4} rounds: {r['ms_per_completion']:.1f} ms, "
                f"state {r['state_bytes'] / 1024:.1f} KiB")
        results["peak_after_rounds_mib"] = peak_mib()

        # -- what issue 13's limits cost (bench/limits.py) ---------------------------------------
        from . import limits

        checked = Engine.open(folder / "limits.db", build())
        results["limits"] = {"conditions": limits.conditions(),
                             "data_check": limits.data_check_share(checked, values, workloads.lanes_of_steps(checked))}
        checked.store.close()
        say("\ncost of the limits")
        for line in limits.lines(results["limits"]):
            say("  " + line.lstrip("- ").replace("**", ""))

        # -- CLI latency on stores of 1k, 10k, 100k instances ----------------------------------
        say(f"\nCLI wall time, new process each, median of 7 (as {PERSON})")
        t0 = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
        template_db, templates = seed.build_templates(folder, t0)
        results["stores"] = []
        for size in STORE_SIZES:
            seeded_at = time.perf_counter()
            db = folder / f"store-{size}.db"
            info = seed.seed_store(db, template_db, templates, t0, size, end=t0)
            info["seed_seconds"] = time.perf_counter() - seeded_at
            info["tasks"] = probes.cli_wall(["--as", PERSON, "tasks"], db)
            info["deadlines"] = probes.cli_wall(["deadlines"], db)
            results["stores"].append(info)
            if size == max(STORE_SIZES):  # issue 17: each command's CPU as a whole process, on the largest store
                say(f"\nCPU of each command as a new process, {size:,} instances")
                from processes.samples import ACTORS
                results["cli_cpu"] = cli_cpu.run(db, PERSON, workloads.PROCESS, ACTORS["客户"], "submit_inquiry",
                                                 values["submit_inquiry"], log=say)
            say(f"  {size:>7} instances ({info['running']} running, {info['bytes'] / 2**20:.0f} MiB, seeded in "
                f"{info['seed_seconds']:.1f} s): tasks {info['tasks']['median_ms']:.0f} ms "
                f"({info['tasks']['output_lines']} lines), deadlines {info['deadlines']['median_ms']:.0f} ms "
                f"({info['deadlines']['output_lines']} lines)")
            db.unlink()
        results["peak_after_stores_mib"] = peak_mib()
        results["web"] = web.tasklist(folder, template_db, templates, t0, PERSON)
        say(web.summary(results["web"]))

        say("\nscale: PostgreSQL with concurrent clients, a store of 1,000,000 instances")
        results["scale"] = scale.run(folder, template_db, templates, t0, PERSON, log=say)

        # -- the programme diagram -------------------------------------------------------------
        results["render"] = probes.render_time()
        say(f"\nrender business_adjustment (SVG): {results['render']['in_process_ms']:.0f} ms in process, "
            f"{results['render']['cli_wall_ms']:.0f} ms as `phasegate render`")
    results["peak_mib"] = peak_mib()
    results["seconds"] = time.perf_counter() - started
    say(f"\npeak memory of the bench process: {results['peak_mib']:.0f} MiB; total {results['seconds']:.0f} s")

    targets = Targets.check(results)
    say("\ntargets")
    for line in targets.lines():
        say("  " + line)
    path = write_results(results, targets)
    say(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

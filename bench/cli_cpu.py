"""What each command a person types costs as a whole process (issue 17): user + system CPU of a new
`phasegate` process, against `python -c pass` in the same virtual environment (the floor).

CPU is read from `resource.getrusage(RUSAGE_CHILDREN)` before and after each run (the child's own
time, whatever else the machine does meanwhile); the median of `REPETITIONS` runs after one warm-up
run, with Python's bytecode cache on. `python -X importtime` of one more run of each command says where
its imports go.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .probes import REPO, phasegate_command

REPETITIONS = int(os.environ.get("BENCH_CPU_REPETITIONS", "9"))
READ_TARGET = 3.0    # read commands: at most this many times the floor
WRITE_TARGET = 6.0   # start and complete
HEAVY = ("SpiffWorkflow", "pydantic", "pydantic_core", "lxml")


_PYCACHE = tempfile.mkdtemp(prefix="phasegate-bench-pycache-")


def _env(db: Path | None, extra: dict | None = None) -> dict:
    """The children's environment: the store, and Python's bytecode cache on (in a folder of its own), as an
    installed program runs; a sandbox's PYTHONDONTWRITEBYTECODE would have every run compile phasegate anew."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PHASEGATE_") and k not in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    if db is not None:
        env["PHASEGATE_DB"] = str(db)
    env.update(extra or {})
    return env


def cpu_seconds(argv: list[str], env: dict, stdin: bytes | None = None) -> float:
    """User + system CPU of one run of `argv` (exit 0 required)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(argv, cwd=REPO, env=env, input=stdin, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv}: exit {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(argvs: list[list[str]], env: dict) -> dict:
    """CPU of each argv in turn (the first only warms up); one argv repeated, or one per run."""
    times = [cpu_seconds(argv, env) for argv in argvs][1:]
    return {"median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000,
            "max_ms": max(times) * 1000, "runs": len(times)}


def floor(repetitions: int = REPETITIONS) -> dict:
    """`python -c pass` in this virtual environment."""
    return measure([[sys.executable, "-c", "pass"]] * (repetitions + 1), _env(None))


def import_profile(args: list[str], db: Path, top: int = 6) -> dict:
    """One run under `-X importtime`: total import time, the heavy libraries it imported, and the
    top-level packages that cost most (self time summed over their modules)."""
    proc = subprocess.run(phasegate_command() + args, cwd=REPO, env=_env(db, {"PYTHONPROFILEIMPORTTIME": "1"}),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, text=True)
    by_package: dict[str, int] = {}
    total = 0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line[len("import time:"):].split("|"))
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + int(self_us)
        total += int(self_us)
    ranked = sorted(by_package.items(), key=lambda kv: -kv[1])[:top]
    return {"total_ms": total / 1000, "heavy": sorted(p for p in by_package if p in HEAVY),
            "top": [(name, us / 1000) for name, us in ranked]}


def run(db: Path, person: str, process: str, starter: str, first_step: str, values: dict, log=print) -> dict:
    """Every read command on the store at `db`, then `start` and `complete` (which add instances)."""
    from engine.store.store import Store

    store = Store.existing(db)  # read only: no upgrade of an older store the commands measured will open
    try:
        running = store.instances(process, "running")
        instance = running[-1]["id"]
        task = store.open_tasks(instance_id=instance)[0]["task_id"]
    finally:
        store.close()
    base = phasegate_command()
    env = _env(db)
    reads = {
        f"--as {person} tasks": ["--as", person, "tasks"],
        "deadlines": ["deadlines"],
        f"instances --process {process} --status running": ["instances", "--process", process, "--status", "running"],
        f"show {instance}": ["show", str(instance)],
        f"show {instance} --json": ["show", str(instance), "--json"],
        f"form {instance} {task}": ["form", str(instance), task],
        f"history {instance}": ["history", str(instance)],
        "processes": ["processes"],
    }
    result = {"floor": floor(), "reads": {}, "writes": {}, "imports": {}}
    log(f"  floor, python -c pass: {result['floor']['median_ms']:.0f} ms CPU")
    for label, args in reads.items():
        result["reads"][label] = measure([base + args] * (REPETITIONS + 1), env)
        result["imports"][label] = import_profile(args, db)
        log(f"  {label}: {result['reads'][label]['median_ms']:.0f} ms CPU")
    starts = [base + ["--as", starter, "start", process] for _ in range(REPETITIONS + 1)]
    result["writes"][f"start {process}"] = measure(starts, env)
    result["imports"][f"start {process}"] = import_profile(["--as", starter, "start", process], db)
    store = Store.existing(db)  # read only: no upgrade of an older store the commands measured will open
    try:
        fresh = [row["id"] for row in store.instances(process, "running")][-(REPETITIONS + 2):]
    finally:
        store.close()
    data = json.dumps(values, ensure_ascii=False)
    completes = [base + ["--as", starter, "complete", str(i), first_step, "--data", data] for i in fresh]
    result["writes"][f"complete {first_step}"] = measure(completes[:-1], env)
    result["imports"][f"complete {first_step}"] = import_profile(completes[-1][len(base):], db)
    for label in result["writes"]:
        log(f"  {label}: {result['writes'][label]['median_ms']:.0f} ms CPU")
    result["floor_after"] = floor()
    both = [result["floor"]["median_ms"], result["floor_after"]["median_ms"]]
    result["floor_ms"] = statistics.mean(both)
    log(f"  floor again: {result['floor_after']['median_ms']:.0f} ms CPU")
    return result


def checks(r: dict) -> list[tuple[str, bool, str]]:
    """The targets of issue 17 against one run's figures."""
    base = r["floor_ms"]
    out = []
    for label, m in r["reads"].items():
        times = m["median_ms"] / base
        out.append((f"`{label}` ≤ {READ_TARGET:g}× floor", times <= READ_TARGET, f"{times:.1f}× ({m['median_ms']:.0f} ms)"))
    for label, m in r["writes"].items():
        times = m["median_ms"] / base
        out.append((f"`{label}` ≤ {WRITE_TARGET:g}× floor", times <= WRITE_TARGET, f"{times:.1f}× ({m['median_ms']:.0f} ms)"))
    return out


def table(r: dict, instances: int) -> list[str]:
    """RESULTS.md lines: each command's CPU, its multiple of the floor and where its imports go."""
    base = r["floor_ms"]
    out = [
        f"## CPU of each command as a new process, on a store of {instances:,} instances",
        "",
        f"User + system CPU of the whole process (`getrusage(RUSAGE_CHILDREN)` deltas), median of {REPETITIONS}",
        f"after one warm-up run. The floor, `python -c pass` in the same virtual environment, measured before and",
        f"after: {r['floor']['median_ms']:.1f} ms and {r['floor_after']['median_ms']:.1f} ms "
        f"(mean {base:.1f} ms). Imports: one more run under `python -X importtime` (self time summed per",
        "top-level package).",
        "",
        "| command | CPU ms (min–max) | × floor | imports ms | SpiffWorkflow / pydantic / lxml | top importers (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for group in ("reads", "writes"):
        for label, m in r[group].items():
            imp = r["imports"][label]
            top = ", ".join(f"{name} {ms:.0f}" for name, ms in imp["top"])
            out.append(f"| `phasegate {label}` | {m['median_ms']:.0f} ({m['min_ms']:.0f}–{m['max_ms']:.0f}) "
                       f"| {m['median_ms'] / base:.1f}× | {imp['total_ms']:.0f} | {', '.join(imp['heavy']) or 'none'} "
                       f"| {top} |")
    return out + [""]

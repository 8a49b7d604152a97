"""Measurements besides throughput: CLI wall time, cost per completion after many send-back rounds,
diagram render time."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def commit() -> str:
    """The commit measured (`git rev-parse HEAD`), with `+changes` when the work tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + (" +changes" if dirty else "")


def phasegate_command() -> list[str]:
    """`phasegate` as a user runs it: the installed console script, else `python -m cli`."""
    script = Path(sys.executable).parent / "phasegate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def cli_wall(args: list[str], db: Path, repetitions: int = 7) -> dict:
    """Median wall time (interpreter start included) and peak memory of `phasegate ARGS`, each in a new process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    env["PHASEGATE_DB"] = str(db)
    command = phasegate_command() + args
    times, peaks, lines = [], [], 0
    for attempt in range(repetitions + 1):  # the first run only warms the page cache
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            # A small launcher starts the command and reports its wall time and peak RSS: a child
            # forked straight from this (large) process would count this process's pages as its own.
            proc = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *command], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=err, check=False)
            if proc.returncode != 0:
                err.seek(0)
                raise RuntimeError(f"{command}: exit {proc.returncode}: {err.read().decode(errors='replace')}")
            wall, peak, count = proc.stdout.decode().split()
            if attempt:
                times.append(float(wall))
                peaks.append(int(peak))
                lines = int(count)
    return {"median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000,
            "max_ms": max(times) * 1000, "output_lines": lines, "peak_kib": max(peaks)}


_LAUNCHER = """
import os, subprocess, sys, tempfile, time
with tempfile.TemporaryFile() as out:
    started = time.perf_counter()
    proc = subprocess.Popen(sys.argv[1:], stdout=out)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    out.seek(0)
    lines = out.read().count(b"\\n")
if code:
    sys.exit(code)
print(wall, usage.ru_maxrss, lines)
"""


def rounds(folder: Path, marks=(10, 100, 1000), sample: int = 10, compaction: bool = True) -> list[dict]:
    """Time per completion of gate 1's send-back loop (review_draft → revise → review_draft …)
    measured over `sample` rounds (2 completions each) once `mark` rounds are behind."""
    import engine.runtime.runner as runner_module
    from engine.api import Engine
    from engine.clock import FakeClock
    from processes.programme import build
    from processes.samples import ACTORS, SAMPLES

    saved = runner_module.compact
    if not compaction:
        runner_module.compact = lambda workflow: 0
    try:
        engine = Engine.open(folder / f"rounds-{'on' if compaction else 'off'}.db", build(),
                             FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc)))
        pm, manager = ACTORS["专项小组"], ACTORS["管理层"]
        instance = engine.start("business_adjustment", pm, {}).id
        for step in ["form_task_force", "collect_feedback", "benchmark_peers", "draft_proposal"]:
            (task,) = [t for t in engine.tasks(every_lane=True, instance_id=instance) if t.task_id == step]
            engine.complete(instance, step, SAMPLES[step], ACTORS[task.lane])
        send_back = {"draft_decision": "revise", "review_comments": "补充ROI依据"}

        def one_round():
            engine.complete(instance, "review_draft", send_back, manager)
            engine.complete(instance, "revise_draft", SAMPLES["revise_draft"], pm)

        done, results = 0, []
        for mark in marks:
            while done < mark:
                one_round()
                done += 1
            started = time.perf_counter()
            for _ in range(sample):
                one_round()
            elapsed = time.perf_counter() - started
            done += sample
            state = engine.store.instance(instance, with_state=True)["state_json"]
            results.append({"rounds": mark, "ms_per_completion": elapsed / (2 * sample) * 1000,
                            "state_bytes": len(state.encode())})
        engine.store.close()
        return results
    finally:
        runner_module.compact = saved


def render_time(repetitions: int = 3) -> dict:
    """Render the programme diagram (business_adjustment, SVG) in-process, and via `phasegate render`."""
    from engine.diagrams.render import render

    path = REPO / "bpmn" / "business_adjustment.bpmn"
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        data = render(path, "svg")
        times.append(time.perf_counter() - started)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"phasegate-bench-{os.getpid()}.svg"
    walls = []
    for _ in range(repetitions):
        started = time.perf_counter()
        subprocess.run(phasegate_command() + ["render", "business_adjustment", "-o", str(out)], cwd=REPO,
                       check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
    out.unlink(missing_ok=True)
    return {"in_process_ms": statistics.median(times) * 1000, "cli_wall_ms": statistics.median(walls) * 1000,
            "svg_bytes": len(data)}

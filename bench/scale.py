"""Beyond one store file (issue 17): completions per second with 8 client processes on one PostgreSQL
(conflicts and retries counted), and the read commands on a store of 1,000,000 instances.

`python -m bench.scale client LOCATION SECONDS SEED` is one client: an engine over the shared store
that, until SECONDS have passed, completes a random open task of the shared pool (as the person of its
lane) and starts a new instance when the pool runs low. Two clients may pick the same instance: the
later write is refused (`ChangedMeanwhile`, exit 7 at a terminal) or finds the task gone
(`TaskNotReady`); either way the client picks again, and the refusal is counted.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

PG_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
CLIENTS = int(os.environ.get("BENCH_PG_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_PG_SECONDS", "20"))
POOL = 32          # instances open at once, shared by every client
MILLION = 1_000_000


def pg_reason(url: str = PG_URL) -> str | None:
    """Why PostgreSQL cannot be measured here, or None when it can."""
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as err:  # noqa: BLE001 - any failure means: skip with the reason
        return f"no PostgreSQL at {url} ({type(err).__name__}: {' '.join(str(err).split())[:120]})"
    return None


def concurrent_completions(url: str = PG_URL, clients: int = CLIENTS, seconds: float = SECONDS) -> dict:
    """`clients` processes completing tasks of one pool of instances in one PostgreSQL schema."""
    import psycopg

    from engine.api import Engine
    from processes.programme import build
    from processes.samples import ACTORS

    from .workloads import PROCESS

    schema = f"bench_{os.getpid()}_{int(time.time())}"
    location = f"{url}?schema={schema}"
    engine = Engine.open(location, build())
    try:
        for _ in range(POOL):
            engine.start(PROCESS, ACTORS["客户"], {})
        engine.store.close()
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-m", "bench.scale", "client", location, str(seconds), str(k)],
                                  cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, text=True)
                 for k in range(clients)]
        outcomes = [json.loads(proc.communicate()[0].strip().splitlines()[-1]) for proc in procs]
        wall = time.perf_counter() - started
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    total = {key: sum(o[key] for o in outcomes) for key in ("completions", "starts", "conflicts", "not_ready")}
    busy = statistics.mean(o["seconds"] for o in outcomes)
    return {"clients": clients, "seconds": busy, "wall": wall, **total,
            "per_second": total["completions"] / busy, "retries": total["conflicts"] + total["not_ready"],
            "per_client": [o["completions"] for o in outcomes]}


def client(location: str, seconds: float, seed: int) -> dict:
    from engine.api import Engine
    from engine.errors import ChangedMeanwhile, TaskNotReady, UnknownTask
    from processes.programme import build
    from processes.samples import ACTORS

    from .workloads import PROCESS, form_values

    engine = Engine.open(location, build())
    values = form_values(engine.programme)
    rng = random.Random(seed)
    counts = {"completions": 0, "starts": 0, "conflicts": 0, "not_ready": 0}
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        open_tasks = engine.tasks(every_lane=True)
        if len({t.instance_id for t in open_tasks}) < POOL // 2:
            engine.start(PROCESS, ACTORS["客户"], {})
            counts["starts"] += 1
            continue
        task = rng.choice(open_tasks)
        try:
            engine.complete(task.instance_id, task.task_guid, values[task.task_id], ACTORS[task.lane])
            counts["completions"] += 1
        except ChangedMeanwhile:
            counts["conflicts"] += 1
        except (TaskNotReady, UnknownTask):
            counts["not_ready"] += 1
    counts["seconds"] = time.perf_counter() - started
    engine.store.close()
    return counts


def million(folder: Path, template_db: Path, templates, t0, person: str, log=print) -> dict:
    """A store of 1,000,000 instances (bench/seed.py): `tasks`, `deadlines` and `show` wall time and CPU."""
    from . import cli_cpu, probes, seed

    db = folder / "store-1000000.db"
    begun = time.perf_counter()
    info = seed.seed_store(db, template_db, templates, t0, MILLION, end=t0)
    info["seed_seconds"] = time.perf_counter() - begun
    log(f"  seeded {MILLION:,} instances ({info['bytes'] / 2**30:.1f} GiB) in {info['seed_seconds']:.0f} s")
    from engine.store.store import Store

    store = Store.existing(db)
    running = store.instances("service_loop_after", "running")[-1]["id"]
    store.close()
    commands = {f"--as {person} tasks": ["--as", person, "tasks"], "deadlines": ["deadlines"],
                f"show {running}": ["show", str(running)], "show 1": ["show", "1"]}
    info["commands"] = {}
    env = cli_cpu._env(db)
    for label, args in commands.items():
        wall = probes.cli_wall(args, db)
        cpu = cli_cpu.measure([probes.phasegate_command() + args] * 8, env)
        info["commands"][label] = {"wall": wall, "cpu": cpu}
        log(f"  {label}: {wall['median_ms']:.0f} ms wall, {cpu['median_ms']:.0f} ms CPU, {wall['output_lines']} lines")
    db.unlink()
    return info


def run(folder: Path, template_db: Path, templates, t0, person: str, log=print) -> dict:
    """Both measurements: PostgreSQL when a server answers, the million store when BENCH_MILLION=1."""
    out: dict = {}
    reason = pg_reason()
    if reason:
        log(f"  PostgreSQL skipped: {reason}")
        out["pg_skipped"] = reason
    else:
        pg = out["pg"] = concurrent_completions()
        log(f"  {pg['clients']} clients on one PostgreSQL: {pg['per_second']:.0f} completions/s "
            f"({pg['completions']} in {pg['seconds']:.0f} s), {pg['conflicts']} changed-meanwhile and "
            f"{pg['not_ready']} task-gone refusals retried, {pg['starts']} instances started")
    if os.environ.get("BENCH_MILLION") == "1":
        out["million"] = million(folder, template_db, templates, t0, person, log)
    else:
        log("  the 1,000,000-instance store is skipped (BENCH_MILLION=1 seeds it: ~12 GiB, ~10 min)")
    return out


def table(r: dict) -> list[str]:
    out = ["## Scale", ""]
    pg = r.get("pg")
    if pg:
        out += [f"- **{pg['clients']} client processes on one PostgreSQL**, each an engine completing random open tasks of "
                f"a shared pool of {POOL} service-loop instances for {pg['seconds']:.0f} s: "
                f"**{pg['per_second']:.0f} completions/s** ({pg['completions']:,} completions, "
                f"{pg['starts']} instances started; per client {min(pg['per_client'])}–{max(pg['per_client'])}); "
                f"{pg['conflicts']} writes refused as changed meanwhile and {pg['not_ready']} picks of a task another "
                f"client had just completed, each retried ({pg['retries']} retries)."]
    else:
        out += [f"- PostgreSQL: skipped, {r.get('pg_skipped')}."]
    m = r.get("million")
    if m:
        out += [f"- **A store of {m['instances']:,} instances** ({m['running']:,} running, {m['bytes'] / 2**30:.1f} GiB, "
                f"seeded in {m['seed_seconds']:.0f} s):", "",
                "| command | wall ms (min–max) | CPU ms | lines |", "|---|---|---|---|"]
        for label, c in m["commands"].items():
            out.append(f"| `phasegate {label}` | {c['wall']['median_ms']:.0f} ({c['wall']['min_ms']:.0f}–"
                       f"{c['wall']['max_ms']:.0f}) | {c['cpu']['median_ms']:.0f} | {c['wall']['output_lines']} |")
    else:
        out += ["- The 1,000,000-instance store was not measured in this run (`BENCH_MILLION=1 make bench` seeds it)."]
    return out + [""]


if __name__ == "__main__" and sys.argv[1:2] == ["client"]:
    print(json.dumps(client(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))))

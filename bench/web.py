"""The web tasklist on a store of 10,000 open tasks: `phasegate serve` as its own process, a person
signed in with a token, GET / (the My tasks page), GET /?all=1 (every lane's) and GET
/api/tasks?all=true timed over loopback (wall time of the whole answer, read by an httpx client).

The store holds running clones of the eight open stages of the after service loop (bench/seed.py's
templates), so every open task is a real instance's, in the task table the page reads.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from .seed import COLUMNS, YEAR

REPO = Path(__file__).resolve().parent.parent
OPEN_TASKS = int(os.environ.get("BENCH_WEB_TASKS", "10000"))
TARGET_MS = 300


def seed_open(path: Path, template_db: Path, templates: list, t0: datetime, open_tasks: int) -> int:
    """A store whose running instances hold `open_tasks` open tasks (clones of the running templates)."""
    from engine.store.store import Store

    shutil.copyfile(template_db, path)
    store = Store(path)
    running = [t for t in templates if t.rows["open_tasks"]]
    pending = {table: [] for table in COLUMNS}
    made, k = sum(len(t.rows["open_tasks"]) for t in templates), 0
    while made < open_tasks:
        template = running[k % len(running)]
        rows = template.clone(len(templates) + 1 + k, (YEAR / open_tasks) * k - YEAR)
        for table, items in rows.items():
            pending[table].extend(items)
        made += len(rows["open_tasks"])
        k += 1
        if len(pending["instances"]) >= 2000 or made >= open_tasks:
            for table in COLUMNS:
                store.insert_rows(table, COLUMNS[table], pending[table])
                pending[table] = []
    (count,) = store._x("SELECT COUNT(*) FROM open_tasks").fetchone()
    store.checkpoint()
    store.close()
    return count


@contextmanager
def served(db: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "--db", str(db), "serve", "--port", str(port)], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"phasegate serve exited: {proc.stderr.read().decode()[-1000:]}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def tasklist(folder: Path, template_db: Path, templates: list, t0: datetime, person: str,
             repetitions: int = 15) -> dict:
    """Median wall time of the tasklist page and of the all-lanes API listing, over loopback."""
    import httpx

    from engine.api import Engine
    from processes.programme import build

    db = folder / "web-store.db"
    count = seed_open(db, template_db, templates, t0, OPEN_TASKS)
    engine = Engine.open(db, build())
    token = engine.issue_token(person, "孙志强").token
    engine.store.close()
    figures = {"open_tasks": count, "person": person}
    with served(db) as base, httpx.Client(base_url=base, timeout=60) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
        client.post("/signin", data={"csrf": csrf, "token": token})
        for name, path in (("page", "/"), ("page_all", "/?all=1"), ("api_all", "/api/tasks?all=true")):
            times = []
            for attempt in range(repetitions + 2):   # two warm-up requests
                started = time.perf_counter()
                answer = client.get(path)
                elapsed = time.perf_counter() - started
                if answer.status_code != 200:
                    raise RuntimeError(f"GET {path}: {answer.status_code}")
                if attempt >= 2:
                    times.append(elapsed)
            rows = len(answer.json()) if name == "api_all" else answer.text.count("<tr class=")
            figures[name] = {"median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000,
                             "max_ms": max(times) * 1000, "rows": rows, "bytes": len(answer.content)}
    db.unlink()
    return figures


def summary(w: dict) -> str:
    """One line for the console and RESULTS.md."""
    return (f"web tasklist, {w['open_tasks']:,} open tasks, `phasegate serve` over loopback: "
            + ", ".join(f"{label} {w[k]['median_ms']:.0f} ms ({w[k]['rows']:,} rows)" for k, label in (
                ("page", f"My tasks of {w['person']}"), ("page_all", "every lane's page"), ("api_all", "/api/tasks?all=true"))))

"""What the web tests share: a store where the draft waits for 管理层审议, tokens to sign in with,
and `phasegate serve` started as its own process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from conftest import MANAGER, PM, REPO, TECH, Terminal
from test_programme_gates import PREPARATION, walk

NOW = "2023-09-25T10:00:00+08:00"   # gate 1 of the programme: the draft is up for review


def draft_waiting(db) -> tuple[Terminal, int, dict[str, str]]:
    """A store whose business_adjustment instance waits at review_draft, and tokens for the manager
    孙志强 (管理层) and 杨磊 (技术部), issued by 孙志强 with `phasegate people token`."""
    terminal = Terminal(db)
    terminal.now = NOW
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    walk(terminal, instance, PREPARATION)
    tokens = {person: terminal.json("people", "token", person, user=MANAGER)["token"] for person in (MANAGER, TECH)}
    return terminal, instance, tokens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(db, now: str = NOW):
    """`phasegate serve` on the store `db`, as a person starts it; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "--db", str(db), "--now", now, "serve", "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # wait for the process to listen: a bounded wait on a process, not on the clock under test
            if proc.poll() is not None:
                raise AssertionError(f"phasegate serve exited {proc.returncode}: {proc.stderr.read()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("phasegate serve did not listen within 60 s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


SCREENSHOTS = REPO / "out" / "screenshots"
Path(SCREENSHOTS)

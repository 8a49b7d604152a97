"""Running `phasegate` as a hostile person would, in a process of its own, and measuring what it took.

`run` starts a fresh Python that runs the command line and, as it exits, writes its own peak resident
memory (VmHWM, kB) to a file the harness names: not `getrusage(RUSAGE_CHILDREN)`, which on Linux
carries a forking parent's peak (pytest's) into the child. An address-space limit stops a runaway
before it can take the machine, and a timeout stops a hang. `refused` asserts what every hostile case
must show: its exit code, exactly one line on stderr saying what it says, no traceback, no `unexpected`,
within the time and memory bounds.

The bounds are generous on purpose (a loaded 2-core machine, SpiffWorkflow's import): they catch a
hang or an unbounded growth, not a slow second. Speed is measured by `make bench`, not here.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SECONDS = 60            # a command that hangs would run until the timeout instead
MEMORY_KB = 1_500_000   # peak resident memory of the command's own process
ADDRESS_SPACE = 6 << 30  # a hard stop far above that, so a runaway cannot take the machine

CHILD = """
import atexit, sys
out = sys.argv.pop(1)
def peak():
    with open("/proc/self/status", encoding="ascii") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(out, "w", encoding="ascii") as handle:
        handle.write(str(kb))
atexit.register(peak)
sys.argv[0] = "phasegate"
from cli import main
main()
"""


@dataclass
class Outcome:
    """What one command did: its exit code, output, and what it cost."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_kb: int | None

    @property
    def lines(self) -> list[str]:
        return self.stderr.strip().splitlines()


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run(*args, db: Path | str | None = None, user: str | None = None, cwd: Path | None = None,
        env_extra: dict | None = None, stdin: bytes | None = None, timeout: float = SECONDS) -> Outcome:
    """Run `phasegate ARGS` in a fresh Python with a timeout and an address-space limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_") or k == "PHASEGATE_LANG"}
    env["PYTHONPATH"] = str(REPO)
    if db is not None:
        env["PHASEGATE_DB"] = str(db)
    if user:
        env["PHASEGATE_USER"] = user
    env.update(env_extra or {})
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        began = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", CHILD, str(peak_file), *map(str, args)], cwd=cwd or REPO,
                              env=env, input=stdin, capture_output=True, timeout=timeout,
                              preexec_fn=_limit_address_space)
        seconds = time.monotonic() - began
        peak = int(peak_file.read_text()) if peak_file.exists() else None
    return Outcome(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
                   seconds, peak)


def refused(outcome: Outcome, code: int, words: str = "") -> str:
    """Assert a clean refusal: exit `code`, one stderr line containing `words`, bounded; returns the line."""
    assert outcome.returncode == code, (outcome.returncode, outcome.stderr[-2000:])
    assert len(outcome.lines) == 1, outcome.lines[:20]
    assert words in outcome.lines[0], outcome.lines[0]
    assert "Traceback" not in outcome.stderr and "unexpected" not in outcome.stderr
    within_bounds(outcome)
    return outcome.lines[0]


def within_bounds(outcome: Outcome) -> None:
    assert outcome.seconds < SECONDS, outcome.seconds
    assert outcome.peak_kb is not None and outcome.peak_kb < MEMORY_KB, outcome.peak_kb


def payload(outcome: Outcome):
    """The JSON a `--json` command printed."""
    return json.loads(outcome.stdout)

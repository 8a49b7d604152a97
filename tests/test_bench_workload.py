"""`make bench` measures the service loop with the designers' forms: its workload must still run.

Nothing here is timed; it only proves the bench's three workloads do the BPMN work they claim, so a
change to forms or the engine API cannot silently break the benchmark. It runs in a process of its
own, as `make bench` does: workload (a) needs the stock library, before any engine tunes it."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

SCRIPT = r"""
import json, sys, tempfile
from pathlib import Path
from bench import workloads
from engine.api import Engine
from processes.programme import build

tmp = Path(tempfile.mkdtemp())
programme = build()
values = workloads.form_values(programme)
spec, subs = workloads.parsed_spec(programme)
raw = workloads.raw_in_memory(spec, subs, values, 2)
persisted = workloads.raw_persisted(spec, subs, values, 2, tmp / "peer.db")
engine = Engine.open(tmp / "phasegate.db", build())
lanes = workloads.lanes_of_steps(engine)
ours = workloads.phasegate(engine, values, lanes, 2)
engine.store.close()
print(json.dumps({"steps": workloads.STEPS, "values": sorted(values),
                  "kind": values["submit_inquiry"]["inquiry_kind"],
                  "completions": [o.completions for o in (raw, persisted, ours)],
                  "bytes": ours.store_bytes_per_instance}))
"""


def test_the_bench_workload_completes_every_step_on_all_three_paths():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["values"] == sorted(result["steps"])
    assert result["kind"] == "complex"
    assert result["completions"] == [2 * len(result["steps"])] * 3
    assert result["bytes"] > 0

"""`make bench` measures the service loop with the designers' forms: its workload must still run.

Nothing here is timed; it only proves the bench's three workloads do the BPMN work they claim, so a
change to forms or the engine API cannot silently break the benchmark."""

from __future__ import annotations

from bench import workloads
from engine.api import Engine
from processes.programme import build


def test_the_bench_workload_completes_every_step_on_all_three_paths(tmp_path):
    programme = build()
    values = workloads.form_values(programme)
    assert set(values) == set(workloads.STEPS)
    assert values["submit_inquiry"]["inquiry_kind"] == "complex"

    spec, subs = workloads.parsed_spec(programme)
    raw = workloads.raw_in_memory(spec, subs, values, 2)
    persisted = workloads.raw_persisted(spec, subs, values, 2, tmp_path / "peer.db")
    engine = Engine.open(tmp_path / "phasegate.db", build())
    lanes = workloads.lanes_of_steps(engine)
    ours = workloads.phasegate(engine, values, lanes, 2)
    engine.store.close()

    for outcome in (raw, persisted, ours):
        assert outcome.completions == 2 * len(workloads.STEPS)
    assert ours.store_bytes_per_instance > 0

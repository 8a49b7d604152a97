"""The same workload three ways: 1000 instances of the after service loop, every user task completed.

(a) raw SpiffWorkflow in memory: the limit. (b) raw SpiffWorkflow persisted the way its documentation
shows: the whole workflow, spec embedded, serialized to JSON after every completed task, into SQLite
(the same database kind and settings as phasegate's store), loaded again before the next task.
(c) phasegate through its engine API and store.

All three run the spec phasegate's catalog parsed (bare timer text quoted, see the notes' trap 5) and
the same validated form values, so they do the same BPMN work.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

PROCESS = "service_loop_after"
# The complex-inquiry path with an order, an after-sales issue and a technical fix: all 8 user tasks.
STEPS = ["submit_inquiry", "answer_inquiry", "prepare_quote", "place_order", "deliver_order", "confirm_receipt",
         "handle_after_sales", "tech_support"]
OVERRIDES = {"submit_inquiry": {"inquiry_kind": "complex"}}


@dataclass
class Outcome:
    name: str
    instances: int
    seconds: float
    completions: int
    store_bytes_per_instance: float | None = None

    @property
    def per_second(self) -> float:
        return self.instances / self.seconds


def form_values(programme) -> dict[str, dict]:
    """Each step's values as phasegate validates them (what lands in task data), against the forms the
    designers' files declare for the after service loop."""
    from engine.bpmn.catalog import Catalog
    from engine.runtime.formbook import FormBook
    from engine.runtime import forms
    from processes.samples import SAMPLES

    model = Catalog(programme.bpmn_dir).parse(PROCESS)
    book = FormBook(programme, store=None)
    return {step: forms.validate(book.for_version_task(model, PROCESS, step),
                                 {**SAMPLES[step], **OVERRIDES.get(step, {})}, step)
            for step in STEPS}


def parsed_spec(programme):
    """(spec, subprocess specs) of the after service loop, from phasegate's catalog parse."""
    from engine.bpmn.catalog import Catalog
    from engine.spiff.serializer import serializer

    model = Catalog(programme.bpmn_dir).parse(PROCESS)
    ser = serializer()
    return ser.from_dict(model.spec["spec"]), {k: ser.from_dict(v) for k, v in model.spec["subprocess_specs"].items()}


def _run_step(workflow, step: str, values: dict) -> None:
    from engine.spiff import TaskState

    task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == step)
    task.data.update(values)
    task.run()
    workflow.do_engine_steps()


def raw_in_memory(spec, subprocess_specs, values: dict, n: int, tuned: bool = False) -> Outcome:
    """(a) The limit: create, run every user task, never persist, on the stock library.

    `tuned`: (a′) the same on the library as phasegate runs it (engine/walks.py's loop walks,
    spiffcompat's log guard), to show what of c/a is persistence and checks rather than tuning."""
    from engine.spiff import BpmnWorkflow, Task

    if tuned:
        from engine.spiff.patches import lift_depth_limit, skip_unlogged_extras
        from engine.spiff.workflow import Workflow as BpmnWorkflow  # noqa: N814 - the class this run uses

        lift_depth_limit()
        skip_unlogged_extras()
    elif hasattr(Task.collect_log_extras, "__wrapped__"):
        raise RuntimeError("(a) must run on the stock library: run it before phasegate's engine starts")
    started = time.perf_counter()
    for _ in range(n):
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        for step in STEPS:
            _run_step(workflow, step, values[step])
        assert workflow.is_completed()
    name = "a′ SpiffWorkflow as phasegate runs it, in memory" if tuned else "a raw SpiffWorkflow, in memory"
    return Outcome(name, n, time.perf_counter() - started, n * len(STEPS))


def open_peer_db(path: Path) -> sqlite3.Connection:
    """SQLite with phasegate's store settings (WAL, synchronous NORMAL): the same durability."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS workflows (id INTEGER PRIMARY KEY, serialization TEXT NOT NULL)")
    return conn


def raw_persisted(spec, subprocess_specs, values: dict, n: int, db: Path) -> Outcome:
    """(b) The peer: load the JSON, run one task, save the whole JSON (spec embedded), commit; per task."""
    from engine.spiff import SERIALIZER_CONFIG as SPIFF_CONFIG, BpmnWorkflow, BpmnWorkflowSerializer

    ser = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    conn = open_peer_db(db)
    before = _file_bytes(conn, db)
    started = time.perf_counter()
    for _ in range(n):
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute("INSERT INTO workflows (serialization) VALUES (?)", (ser.serialize_json(workflow),))
        conn.execute("COMMIT")
        wid = cur.lastrowid
        for step in STEPS:
            (text,) = conn.execute("SELECT serialization FROM workflows WHERE id = ?", (wid,)).fetchone()
            workflow = ser.deserialize_json(text)
            _run_step(workflow, step, values[step])
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE workflows SET serialization = ? WHERE id = ?", (ser.serialize_json(workflow), wid))
            conn.execute("COMMIT")
        assert workflow.is_completed()
    seconds = time.perf_counter() - started
    per_instance = (_file_bytes(conn, db) - before) / n
    conn.close()
    return Outcome("b raw SpiffWorkflow, JSON per task in SQLite", n, seconds, n * len(STEPS), per_instance)


def _file_bytes(conn: sqlite3.Connection, db: Path) -> int:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.stat().st_size


def lanes_of_steps(engine) -> dict[str, str]:
    """Which lane acts on each step, read from a throw-away instance's open tasks."""
    from processes.samples import ACTORS

    lanes = {}
    instance = engine.start(PROCESS, ACTORS["客户"], {}).id
    values = form_values(engine.programme)
    for step in STEPS:
        (task,) = [t for t in engine.tasks(every_lane=True, instance_id=instance) if t.task_id == step]
        lanes[step] = task.lane
        engine.complete(instance, step, values[step], ACTORS[task.lane])
    return lanes


def phasegate(engine, values: dict, lanes: dict[str, str], n: int) -> Outcome:
    """(c) phasegate: `start` then `complete` for every user task, through the engine API and its store;
    every call is its own committed transaction (state, task table, timers, audit)."""
    from processes.samples import ACTORS

    actors = {step: ACTORS[lanes[step]] for step in STEPS}
    customer = ACTORS["客户"]
    engine.store.checkpoint()
    before = engine.store.path.stat().st_size
    started = time.perf_counter()
    for _ in range(n):
        instance = engine.start(PROCESS, customer, {}).id
        for step in STEPS:
            done = engine.complete(instance, step, values[step], actors[step])
        assert done.instance.status == "completed"
    seconds = time.perf_counter() - started
    engine.store.checkpoint()
    per_instance = (engine.store.path.stat().st_size - before) / n
    return Outcome("c phasegate, engine API and store", n, seconds, n * len(STEPS), per_instance)

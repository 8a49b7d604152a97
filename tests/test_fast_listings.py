"""`phasegate tasks` and `deadlines` run in a fresh process each time: on a store that needs no
first-open work they read the task and deadline tables without importing SpiffWorkflow or pydantic."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import MANAGER, PM, REPO, Terminal
from processes.samples import SAMPLES


@pytest.mark.parametrize("command", ["tasks", "deadlines"])
def test_a_listing_on_a_ready_store_imports_neither_spiffworkflow_nor_pydantic(tmp_path, command):
    db = tmp_path / "store" / "phasegate.db"
    # a read creates no store; the first write does, with its first-open work (the roster)
    assert Terminal(db).run("people").exit_code == 0 and not db.exists()
    assert Terminal(db).run("people", "add", "新同事", "客服中心", user=MANAGER).exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_") or k == "PHASEGATE_LANG"}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "cli", "--db", str(db), "--as", PM, command],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("(none)\n")
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "engine.store.listings" in imported
    assert not {m for m in imported if m.split(".")[0] in ("SpiffWorkflow", "pydantic")}
    # nor the facade, nor the designers' form readers (the forms live in bpmn/ since processes/forms.py went)
    assert not imported & {"engine.api", "engine.bpmn.formdefs", "engine.runtime.forms"}


# A wrapper that runs the command line as `phasegate` does, then names every module it imported.
MODULES = """
import sys
from cli import cli
try:
    cli(sys.argv[1:], prog_name="phasegate")
except SystemExit as stop:
    code = stop.code or 0
print("MODULES", " ".join(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""
HEAVY = ("SpiffWorkflow", "pydantic", "pydantic_core", "lxml")


def test_every_read_command_on_a_written_store_imports_neither_spiffworkflow_nor_pydantic_nor_lxml(tmp_path):
    """Issue 17: show, form, history, tasks, deadlines, instances, processes (and people) in a fresh
    process read what the store keeps: the task tables, the stored state and the forms kept with the
    version, the audit log, and the catalog the last `start` recorded."""
    db = tmp_path / "phasegate.db"
    terminal = Terminal(db)
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    terminal.ok("complete", instance, "form_task_force", user=PM, **SAMPLES["form_task_force"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    commands = {
        ("tasks", "--all"): "collect_feedback", ("deadlines",): "", ("instances",): "business_adjustment",
        ("show", instance): "collect_feedback", ("show", instance, "--json"): '"completed"',
        ("form", instance, "collect_feedback"): "crm_export", ("form", instance, "collect_feedback", "--json"): "crm_export",
        ("history", instance): "form_task_force", ("processes",): "service_loop_after", ("people",): "专项小组",
    }
    for args, expected in commands.items():
        result = subprocess.run([sys.executable, "-c", MODULES, "--db", str(db), "--as", PM, *map(str, args)],
                                cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (args, result.stderr)
        assert expected in result.stdout, args
        modules = result.stderr.rsplit("MODULES ", 1)[1].split()
        assert "engine.reader" in modules or args == ("deadlines",)
        assert [m for m in modules if m.split(".")[0] in HEAVY or m == "engine.api"] == [], args


def test_every_read_command_prints_from_the_store_what_the_engine_answers(tmp_path):
    """The same story, in JSON: what each read command prints in a fresh process (the reader) is what
    the engine answers from loaded workflows and built form models."""
    from datetime import datetime, timezone

    from engine.api import Engine
    from engine.clock import FixedClock
    from processes.programme import build

    db = tmp_path / "phasegate.db"
    terminal = Terminal(db)
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    terminal.ok("complete", instance, "form_task_force", user=PM, **SAMPLES["form_task_force"])
    now = "2023-10-09T09:00:00+08:00"
    engine = Engine.open(db, build(), FixedClock(datetime.fromisoformat(now).astimezone(timezone.utc)))
    expected = {
        ("tasks", "--all"): engine.tasks(PM, every_lane=True), ("deadlines",): engine.deadlines(),
        ("instances",): engine.instances(), ("show", instance): engine.show(instance),
        ("form", instance, "collect_feedback"): engine.form(instance, "collect_feedback"),
        ("history", instance): engine.history(instance), ("processes",): engine.processes(),
        ("people",): engine.people(),
    }
    engine.store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    for args, answer in expected.items():
        result = subprocess.run([sys.executable, "-c", MODULES, "--db", str(db), "--as", PM, "--now", now,
                                 *map(str, args), "--json"], cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, (args, result.stderr)
        dumped = [a.model_dump() for a in answer] if isinstance(answer, list) else answer.model_dump()
        assert json.loads(result.stdout) == json.loads(json.dumps(dumped, ensure_ascii=False)), args
        modules = result.stderr.rsplit("MODULES ", 1)[1].split()
        assert [m for m in modules if m.split(".")[0] in HEAVY] == [], args

"""`phasegate tasks` and `deadlines` run in a fresh process each time: on a store that needs no
first-open work they read the task and deadline tables without importing SpiffWorkflow or pydantic."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import MANAGER, PM, REPO, Terminal


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

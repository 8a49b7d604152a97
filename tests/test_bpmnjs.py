"""The programme's models, and what `phasegate layout` writes, open in bpmn-js (the library inside
Camunda Modeler) in a real headless Chromium with zero import warnings.

Needs Debian's chromium and `npm ci` in tests/browser (tools/install_browser_test.sh does both).
Skips with a message when they are missing, except under CI=true, where it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import MIWG, REPO, need_browser
from engine.diagrams.autolayout import with_layout
from engine.bpmn.model import read_model

BROWSER_DIR = REPO / "tests" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ENCODING = "unsupported document encoding"   # bpmn-js's note on ISO-8859-1 files; layout writes UTF-8


def browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}"
    if shutil.which("node") is None:
        return "no node on PATH"
    if not (BROWSER_DIR / "node_modules" / "bpmn-js").is_dir():
        return "tests/browser/node_modules is missing"
    return None


@pytest.fixture(scope="module")
def browser():
    """Chromium, node and bpmn-js are there; else skip with the command that installs them (fail under CI)."""
    need_browser(browser_missing())


@pytest.fixture(scope="module")
def opened(browser, tmp_path_factory):
    """Every file of bpmn/ and the layout of every bpmn/ and corpus file, opened in one browser."""
    out = tmp_path_factory.mktemp("laid")
    sources = sorted((REPO / "bpmn").glob("*.bpmn")) + (sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else [])
    laid = {}
    for source in sources:
        target = out / f"{source.parent.name}-{source.name}"
        target.write_bytes(with_layout(source))
        laid[source] = target
    files = [str(p) for p in sources] + [str(p) for p in laid.values()]
    proc = subprocess.run(["node", str(BROWSER_DIR / "check.mjs"), *files], capture_output=True, text=True,
                          timeout=300, cwd=BROWSER_DIR)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout)
    assert results.pop("__page_errors__") == []
    return {Path(k): v for k, v in results.items()}, laid


def test_the_programme_models_open_in_bpmn_js_without_warnings(opened):
    results, _laid = opened
    for source in sorted((REPO / "bpmn").glob("*.bpmn")):
        got = results[source]
        assert got["error"] is None and got["warnings"] == [], (source.name, got["error"], got["warnings"])
        drawn = {e["id"] for e in got["elements"]}
        model = read_model(source)
        assert set(model.nodes) | set(model.lanes) <= drawn


def test_every_layout_output_opens_with_its_lanes_and_no_new_warnings(opened):
    results, laid = opened
    for source, target in laid.items():
        original = [w for w in results[source]["warnings"] if not w.startswith(ENCODING)]
        got = results[target]
        assert got["error"] is None, (source.name, got["error"])
        new = [w for w in got["warnings"] if w not in original]
        assert new == [], (source.name, new[:5])
        drawn = {e["id"]: e for e in got["elements"]}
        model = read_model(source)
        for pool in model.pools:
            if pool.participant:
                assert pool.id in drawn, (source.name, pool.id)
                lanes = [drawn[lane.id]["bounds"][1] for lane in pool.leaf_lanes]
                assert lanes == sorted(lanes), (source.name, "lanes out of order")
    programme = laid[REPO / "bpmn" / "business_adjustment.bpmn"]
    model = read_model(REPO / "bpmn" / "business_adjustment.bpmn")
    assert set(model.nodes) | set(model.lanes) | set(model.flows) <= {e["id"] for e in results[programme]["elements"]}


def test_a_modeler_save_of_every_programme_file_lints_clean_and_runs_every_gate(browser, tmp_path):
    """A designer opens each programme file in the Modeler and saves it unchanged: bpmn-js rewrites the
    XML (its own formatting and attribute order), and what it saved lints clean and runs."""
    saved = tmp_path / "models"
    saved.mkdir()
    for other in (REPO / "bpmn").iterdir():
        if other.suffix != ".bpmn":
            shutil.copy(other, saved / other.name)
    sources = sorted((REPO / "bpmn").glob("*.bpmn"))
    proc = subprocess.run(["node", str(BROWSER_DIR / "check.mjs"), *map(str, sources)], capture_output=True,
                          text=True, timeout=300, cwd=BROWSER_DIR, env={**os.environ, "SAVE_DIR": str(saved)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    for source in sources:
        written = (saved / source.name).read_bytes()
        kept = source.read_bytes().count(b"<spiffworkflow:")
        assert written.count(b"<spiffworkflow:") == kept, f"{source.name}: the save dropped the engine's extensions"

    from click.testing import CliRunner

    from cli import cli
    from conftest import CUSTOMER, Terminal
    from test_programme_gates import BATCH_OK, CLOSING, PILOT_OK, PREPARATION, PM, walk

    lint = CliRunner().invoke(cli, ["--db", str(tmp_path / "lint.db"), "lint", str(saved)])
    assert lint.exit_code == 0, lint.stdout + lint.stderr
    terminal = Terminal(tmp_path / "store.db", saved)
    instance = terminal.ok("start", "business_adjustment", user=PM)["id"]
    steps = PREPARATION + [("review_draft", {"draft_decision": "revise", "review_comments": "补充ROI"}),
                           "revise_draft", ("review_draft", {})] + PILOT_OK + BATCH_OK + CLOSING
    assert walk(terminal, instance, steps)["instance"]["status"] == "completed"
    for process, kind in (("service_loop_before", {}), ("service_loop_after", {"inquiry_kind": "complex"})):
        loop = terminal.ok("start", process, user=CUSTOMER)["id"]
        steps = [("submit_inquiry", kind), "answer_inquiry", "prepare_quote", "place_order", "deliver_order",
                 "confirm_receipt", "handle_after_sales", "tech_support"]
        assert walk(terminal, loop, steps)["instance"]["status"] == "completed"

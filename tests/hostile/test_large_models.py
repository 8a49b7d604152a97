"""Large models draw in bounded time, or are refused in one line: render, layout, diff -o and proposal.

A generated model of 20,000 tasks kept `render` and `layout` busy past 20 s before issue 13 (Graphviz's
layering and routing grow faster than the model), and `lint`, `diff` and `processes` past 60 s. Now a
file of more than 15,000 XML elements is refused by the loader, a model with more nodes and flows than a
drawing may hold is refused before any layout (exit 2, `--draw-elements` to raise it), Graphviz's runs of one
drawing share a time limit (`--draw-seconds`), and flows too costly to route around the shapes are drawn
straight, with a warning, instead of waiting.
"""

from __future__ import annotations

import shutil

import pytest

from bigmodel import big_model
from bounded import payload, refused, run, within_bounds
from conftest import PM, REPO

TOO_LARGE = "nodes and flows, more than the 2500 a drawing may hold"
TOO_MANY = "more than 15000 XML elements, larger than a model this program reads"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("large")
    huge = big_model(root / "huge.bpmn", 20_000)      # ~6 MB, ~100,000 XML elements
    medium = big_model(root / "medium.bpmn", 200)    # under the element limit, too costly to route around
    large = big_model(root / "large.bpmn", 1000)
    wide = big_model(root / "wide.bpmn", 1500)       # readable (~7,500 XML elements), too large to draw
    folder = root / "models"
    shutil.copytree(REPO / "bpmn", folder)
    shutil.copy(wide, folder / "service_loop_after.bpmn")   # the proposal compares this one
    huge_folder = root / "huge_models"
    huge_folder.mkdir()
    shutil.copy(huge, huge_folder / "huge.bpmn")
    return root, {"huge": huge, "medium": medium, "large": large, "wide": wide, "folder": folder,
                  "huge_folder": huge_folder}


@pytest.mark.parametrize("command", ["render", "layout", "diff", "diff -o", "lint"])
def test_a_20k_task_model_is_refused_in_one_line_before_it_is_read(models, command):
    root, m = models
    out = root / "out" / command.replace(" ", "")
    args = {"render": ["render", m["huge"], "-o", f"{out}.svg"],
            "layout": ["layout", m["huge"], "-o", f"{out}.bpmn"],
            "diff": ["diff", m["huge"], m["huge"]],
            "diff -o": ["diff", REPO / "bpmn" / "service_loop_after.bpmn", m["huge"], "-o", f"{out}.svg"],
            "lint": ["lint", m["huge"]]}[command]
    line = refused(run(*args), 2, TOO_MANY)
    assert line.startswith("phasegate: model-invalid: ")
    assert not (root / "out").exists()


def test_a_20k_task_model_among_the_models_is_listed_as_not_run_and_cannot_start(models, tmp_path):
    _root, m = models
    db = tmp_path / "store.db"
    listed = run("--models", m["huge_folder"], "processes", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    within_bounds(listed)
    assert [(p["status"], TOO_MANY in p["reason"]) for p in payload(listed)] == [("skipped", True)]
    refused(run("--models", m["huge_folder"], "start", "big", db=db, user=PM), 4, "not read: huge.bpmn")


# `proposal` draws through the same bundle code (engine/diagrams/bundle.py checks each model first), once
# a draft names the models: its refusal before drawing is the bundle's, tested with `diff -o`'s here.
@pytest.mark.parametrize("command", ["render", "layout", "diff -o"])
def test_a_model_too_large_to_draw_is_refused_in_one_line_before_any_layout(models, command):
    root, m = models
    out = root / "drawn" / command.replace(" ", "")
    args = {"render": ["render", m["wide"], "-o", f"{out}.svg"],
            "layout": ["layout", m["wide"], "-o", f"{out}.bpmn"],
            "diff -o": ["diff", m["wide"], REPO / "bpmn" / "service_loop_after.bpmn", "-o", f"{out}.svg"]}[command]
    line = refused(run(*args), 2, TOO_LARGE)
    assert line.startswith("phasegate: drawing-too-large: ") and "3003 nodes and flows" in line
    assert not (root / "drawn").exists()


def test_a_model_too_costly_to_route_is_drawn_with_straight_flows(models, tmp_path):
    _root, m = models
    outcome = run("render", m["medium"], "-o", tmp_path / "medium.svg")
    assert outcome.returncode == 0, outcome.stderr
    within_bounds(outcome)
    drawn = (tmp_path / "medium.svg").read_bytes()
    assert drawn.startswith(b"<?xml") and drawn.count(b'class="node ') >= 202


def test_the_administrator_sets_the_limits(models, tmp_path):
    _root, m = models
    medium, large = m["medium"], m["large"]
    refused(run("--draw-elements", "100", "render", medium, "-o", tmp_path / "a.svg"), 2,
            "403 nodes and flows, more than the 100 a drawing may hold")
    refused(run("--draw-seconds", "0.1", "layout", large, "-o", tmp_path / "b.bpmn"), 2,
            "did not finish within the 0.1 s of Graphviz time a drawing may take")
    env = {"PHASEGATE_DRAW_ELEMENTS": "50"}
    refused(run("render", medium, "-o", tmp_path / "c.svg", env_extra=env), 2, "more than the 50 a drawing may hold")
    assert not list(tmp_path.iterdir())


def test_routing_past_its_bound_falls_back_to_straight_flows():
    from engine.diagrams import limits
    from engine.diagrams.render import picture

    model = REPO / "bpmn" / "service_loop_before.bpmn"
    assert not any("flows drawn straight" in w for w in picture(model, "svg").warnings)
    with limits.applied(limits.DrawingLimits(max_routed=10)):
        drawn = picture(model, "svg")
    assert [w for w in drawn.warnings if w.startswith("flows drawn straight: ")] == [
        w for w in drawn.warnings if "more than 10 to route around" in w]
    assert len([w for w in drawn.warnings if "flows drawn straight" in w]) == 1
    assert drawn.data.startswith(b"<?xml")

"""A designer compares two real versions of a model someone else saved, and `phasegate diff` tells what the
change does: the scripts, timers, service parameters, forms, decision rules, lanes and listeners edited in
real commits are named with their old and new text, and a re-save that only restates defaults, reorders
attributes or moves shapes is "same".

The pairs are consecutive git versions of files in public repositories (tests/corpus/versions/NOTICE.md).
Each pair's `expected.json` was written by reading the two versions, not by running the tool: `reading`
says what changed in a sentence, `changed` lists every element (by its id in the first version) that must
be reported changed with exactly the fields that changed, and `added`/`removed`/`renamed` the elements
that come and go. A field's `old`/`new` are exact values; `*_has`/`*_lacks` are texts the value must or
must not contain (for scripts, forms and rule tables).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from conftest import REPO

VERSIONS = REPO / "tests" / "corpus" / "versions"
PAIRS = sorted(VERSIONS.glob("*/*.expected.json"))
DIFFERENT = 11


def _pair_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.expected.json')}"


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def run_diff(expected_path: Path, *extra: str):
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    before, after = expected_path.parent / expected["before"], expected_path.parent / expected["after"]
    result = CliRunner().invoke(cli, ["diff", str(before), str(after), *extra], catch_exceptions=False)
    return expected, result


def test_the_corpus_holds_real_changes_and_re_exports():
    expectations = [json.loads(p.read_text(encoding="utf-8")) for p in PAIRS]
    assert len(expectations) >= 20
    assert sum(e["same"] for e in expectations) >= 5
    assert sum(not e["same"] for e in expectations) >= 15


@pytest.mark.parametrize("expected_path", PAIRS, ids=_pair_id)
def test_diff_reports_what_the_two_versions_differ_in(expected_path):
    expected, result = run_diff(expected_path, "--json")
    assert result.stderr == ""
    report = json.loads(result.stdout)
    found = {c["id"]: {f["field"]: f for f in c["changes"]} for c in report["changed"]}
    assert sorted(found) == sorted(expected["changed"]), f"{expected['reading']}\nreported: {found}"
    for element, fields in expected["changed"].items():
        assert sorted(found[element]) == sorted(fields), f"{element}: {found[element]}"
        for field, want in fields.items():
            got = found[element][field]
            for side in ("old", "new"):
                if side in want:
                    assert got[side] == want[side], f"{element} {field} {side}: {got[side]!r}"
                if f"{side}_has" in want:
                    assert want[f"{side}_has"] in _text(got[side]), f"{element} {field} {side}: {got[side]!r}"
                if f"{side}_lacks" in want:
                    assert want[f"{side}_lacks"] not in _text(got[side] or ""), f"{element} {field} {side}: {got[side]!r}"
    assert sorted(r["id"] for r in report["added"]) == sorted(expected["added"])
    assert sorted(r["id"] for r in report["removed"]) == sorted(expected["removed"])
    assert {r["id"]: r["new_id"] for r in report["renamed"]} == expected["renamed"]
    assert result.exit_code == (0 if expected["same"] else DIFFERENT)
    if expected.get("layout"):
        assert report["layout"], "the moved shapes are listed as layout-only moves"


@pytest.mark.parametrize("expected_path", PAIRS, ids=_pair_id)
def test_the_text_change_list_has_one_line_per_element_and_field(expected_path):
    expected, result = run_diff(expected_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(str(expected_path.parent / expected["before"]))
    changed = [line for line in lines if line.startswith("~ changed")]
    assert len(changed) == len(expected["changed"])
    for element, fields in expected["changed"].items():
        block = next(i for i, line in enumerate(lines) if line.startswith("~ changed") and f" {element} " in f"{line} ")
        named = {line.strip().split(":")[0] for line in lines[block + 1:] if line.startswith("      ")}
        assert set(fields) <= named, f"{element}: {lines[block:]}"


def test_a_name_holding_a_line_break_prints_on_one_line(tmp_path):
    """`Wait State&#10;After` (a modeler's two-line label) renamed: one `~ changed` line, the name on it."""
    source = VERSIONS / "camunda-bpm-examples" / "line-break-resaved.v2.bpmn"
    after = tmp_path / "renamed.bpmn"
    after.write_text(source.read_text(encoding="utf-8").replace("Wait State&#10;After", "Waiting&#10;After"),
                     encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(source), str(after)], catch_exceptions=False)
    assert result.exit_code == DIFFERENT
    lines = result.stdout.splitlines()
    assert lines[1] == "~ changed  userTask           waitStateAfter  Wait State After"
    assert lines[2] == "      name: Wait State After → Waiting After"
    assert len(lines) == 3
    markdown = CliRunner().invoke(cli, ["diff", str(source), str(after), "--format", "md"], catch_exceptions=False)
    assert "| userTask | `waitStateAfter` | Wait State After | name | Wait State After | Waiting After |" in \
        markdown.stdout.splitlines()


@pytest.mark.parametrize("pair,summary", [
    ("spiffworkflow/lanes-renamed", "lanes renamed Master → Boss, Slave → Worker"),
    ("sample-process-models/lane-renamed", "lanes renamed HR → hr"),
    ("camunda-bpm-examples/line-break-resaved", "no step changed (documentation or diagram only)"),
    ("spiffworkflow/boundary-timer-shortened", "changed Event_0iiih8g"),
    ("sample-process-models/script-line-added", "changed Activity_06mbkcn"),
])
def test_the_version_list_says_what_a_new_save_changed(tmp_path, pair, summary):
    """A designer replaces a model with its next real version: `processes --versions` names a lane rename
    once (not every step in the lane) and takes a re-exported line break for the same name."""
    from conftest import Terminal

    source, name = pair.split("/")
    models = tmp_path / "models"
    models.mkdir()
    terminal = Terminal(tmp_path / "store.db", models)
    (models / "model.bpmn").write_bytes((VERSIONS / source / f"{name}.v1.bpmn").read_bytes())
    first = terminal.json("processes", "--versions")[0]
    assert [h["changes"] for h in first["history"]] == ["first version"]
    # `processes` writes nothing (issue 17): store v1 as the first start or migrate of it would
    from engine.api import Engine
    from processes.programme import build

    engine = Engine.open(tmp_path / "store.db", build(models))
    engine._register(engine.catalog.parse(first["process_id"]))
    engine.store.close()
    (models / "model.bpmn").write_bytes((VERSIONS / source / f"{name}.v2.bpmn").read_bytes())
    listed = terminal.json("processes", "--versions")
    assert [h["changes"] for h in listed[0]["history"]] == ["first version", summary]

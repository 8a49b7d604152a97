"""A designer compares two versions of a model: what changed, in words and in one picture.

`phasegate diff` exits 0 when the models are the same and 11 (`DIFFERENT`) when they differ."""

from __future__ import annotations

import json

from lxml import etree

from conftest import REPO
from engine.errors import DIFFERENT
from drawn import classes, extent, svg_groups

FIXTURES = REPO / "tests" / "fixtures" / "diff"
BEFORE, AFTER = FIXTURES / "redrawn_before.bpmn", FIXTURES / "redrawn_after.bpmn"
LOOP_BEFORE, LOOP_AFTER = REPO / "bpmn" / "service_loop_before.bpmn", REPO / "bpmn" / "service_loop_after.bpmn"


def changes_of(report: dict, element_id: str) -> dict:
    entry = next(c for c in report["changed"] if c["id"] == element_id)
    return {c["field"]: (c["old"], c["new"]) for c in entry["changes"]}


def test_a_task_redrawn_with_a_new_id_is_the_same_task_not_removed_and_added(terminal):
    result = terminal.run("diff", BEFORE, AFTER, "--format", "json")
    assert result.exit_code == DIFFERENT, result.stderr
    report = json.loads(result.stdout)
    assert "Task_1" not in {r["id"] for r in report["removed"]}
    assert "Activity_0x9k2m1" not in {r["id"] for r in report["added"]}
    renamed = {r["id"]: (r["new_id"], r["matched_by"]) for r in report["renamed"]}
    assert renamed == {"Task_1": ("Activity_0x9k2m1", "name+type")}
    assert [(r["id"], r["name"]) for r in report["added"]] == [("archive", "归档凭证"), ("f_archive", "归档凭证 → 已报销")]
    assert report["removed"] == []


def test_a_changed_condition_timer_and_default_flow_are_reported_old_to_new(terminal):
    result = terminal.run("diff", BEFORE, AFTER, "--json")
    assert result.exit_code == DIFFERENT
    report = json.loads(result.stdout)
    assert changes_of(report, "reminder") == {"timer": ("timeDuration=P3D", "timeDuration=P5D")}
    assert changes_of(report, "f_ok") == {"target": ("已报销", "归档凭证"), "condition": ("amount < 5000", "amount < 8000"),
                                         "default": (False, True)}
    assert changes_of(report, "Gateway_1") == {"default flow to": ("已驳回", "归档凭证")}
    assert changes_of(report, "f_reject") == {"default": (True, False)}


def test_the_text_report_keeps_chinese_names_as_in_the_files(terminal):
    result = terminal.run("diff", BEFORE, AFTER)
    assert result.exit_code == DIFFERENT
    lines = result.stdout.splitlines()
    assert lines[0].endswith("2 added, 0 removed, 4 changed, 1 with a new id, 0 layout-only moves")
    assert "+ added    userTask           archive  归档凭证  [员工]" in lines
    assert "      timer: timeDuration=P3D → timeDuration=P5D" in lines
    assert "      condition: amount < 5000 → amount < 8000" in lines
    assert "= new id   userTask           Task_1 → Activity_0x9k2m1  填写报销单 (matched by name+type)" in lines
    md = terminal.run("diff", BEFORE, AFTER, "--format", "md").stdout
    assert "| node | userTask | `archive` | 归档凭证 | 员工 |" in md
    assert "| boundaryEvent | `reminder` | 三天未审 | timer | timeDuration=P3D | timeDuration=P5D |" in md


def test_same_file_exits_0_and_a_bad_file_exits_2(terminal, tmp_path):
    same = terminal.run("diff", BEFORE, BEFORE)
    assert same.exit_code == 0 and "0 added, 0 removed, 0 changed" in same.stdout
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions", encoding="utf-8")
    result = terminal.run("diff", BEFORE, broken)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"phasegate: model-invalid: {broken}:1: malformed XML")


def test_diagram_only_moves_are_listed_apart_and_do_not_count_as_changes(terminal, tmp_path):
    moved = tmp_path / "moved.bpmn"
    tree = etree.parse(str(LOOP_BEFORE))
    for bounds in tree.iter("{http://www.omg.org/spec/DD/20100524/DC}Bounds"):
        bounds.set("x", str(float(bounds.get("x")) + 25))
    tree.write(str(moved), xml_declaration=True, encoding="UTF-8")
    result = terminal.run("diff", LOOP_BEFORE, moved, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0
    assert report["changed"] == [] and report["added"] == [] and report["removed"] == []
    assert {m["id"] for m in report["layout"]} >= {"submit_inquiry", "tech_gate"}


def test_the_service_loop_change_list_names_what_the_adjustment_changes():
    from engine.bpmn.diff import diff_files

    result = diff_files(LOOP_BEFORE, LOOP_AFTER)
    added = {r.id for r in result.added}
    assert {"smart_answer_inquiry", "answer_overdue", "escalate_inquiry"} <= added
    renamed_tasks = {c.id: {ch.field: (ch.old, ch.new) for ch in c.changes} for c in result.changed}
    assert renamed_tasks["prepare_quote"]["name"] == ("人工报价", "数字化营销工具报价")
    assert not result.removed or all(r.element == "flow" for r in result.removed)


def test_the_comparison_picture_colours_each_kind_of_change(terminal, tmp_path):
    out = tmp_path / "compare.svg"
    result = terminal.run("diff", BEFORE, AFTER, "-o", out)
    assert result.exit_code == DIFFERENT
    groups = svg_groups(out.read_bytes())

    def stroke(group_id):
        group = groups[group_id][0]
        shapes = [el for el in group.iter() if etree.QName(el).localname in ("polygon", "ellipse", "path")]
        return {s.get("stroke") for s in shapes}, {s.get("stroke-dasharray") for s in shapes}

    assert "added" in classes(groups["after/archive"][0]) and "#2e7d32" in stroke("after/archive")[0]
    assert "changed" in classes(groups["before/reminder"][0]) and "#e69500" in stroke("before/reminder")[0]
    assert "changed" in classes(groups["after/reminder"][0])
    assert "after/Task_1" in groups and "before/Task_1" in groups   # same element, same union id
    assert "legend" in groups and "新增 added" in "".join(groups["legend"][0].itertext())
    # unchanged elements sit at the same place on both sides
    b, a = extent(groups["before/Task_review"][0]), extent(groups["after/Task_review"][0])
    assert (a[2] - a[0], a[3] - a[1]) == (b[2] - b[0], b[3] - b[1])
    assert (a[0] - b[0], a[1] - b[1]) == (extent(groups["after/start"][0])[0] - extent(groups["before/start"][0])[0],
                                          extent(groups["after/start"][0])[1] - extent(groups["before/start"][0])[1])


def test_removed_elements_are_red_and_dashed_on_the_before_side(tmp_path):
    from engine.diagrams.compare import comparison
    from engine.diagrams.render import to_image

    groups = svg_groups(to_image(comparison(AFTER, BEFORE), "svg"))
    removed = groups["before/archive"][0]
    assert "removed" in classes(removed)
    strokes = {el.get("stroke") for el in removed.iter() if el.get("stroke")}
    dashes = {el.get("stroke-dasharray") for el in removed.iter() if el.get("stroke-dasharray")}
    assert "#c62828" in strokes and dashes
    assert "after/archive" not in groups

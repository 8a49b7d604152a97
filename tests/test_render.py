"""A designer draws the programme's models as swimlanes; the SVG is read back to check what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO
from drawn import SVG, classes, extent, svg_groups
from engine.bpmn.model import read_model
from engine.diagrams.render import render

BPMN_FILES = sorted((REPO / "bpmn").glob("*.bpmn"))


def draw(terminal, source, tmp_path, *extra, suffix="svg"):
    out = tmp_path / f"out.{suffix}"
    result = terminal.run("render", source, "-o", out, *extra)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out}"
    return out.read_bytes()


def test_programme_diagram_shows_lanes_in_file_order_and_every_node_in_its_lane(terminal, tmp_path):
    data = draw(terminal, "business_adjustment", tmp_path)
    model = read_model(REPO / "bpmn" / "business_adjustment.bpmn")
    groups = svg_groups(data)
    lanes = model.pools[0].leaf_lanes
    bands = [extent(groups[lane.id][0]) for lane in lanes]
    assert [lane.name for lane in lanes] == ["专项小组", "管理层", "技术部", "客服中心", "市场部", "运营部"]
    assert [b[1] for b in bands] == sorted(b[1] for b in bands), "lane bands are not in the file's order"
    for upper, lower in zip(bands, bands[1:]):
        assert upper[3] <= lower[1] + 0.5, "lane bands overlap"
        assert (upper[0], upper[2]) == pytest.approx((lower[0], lower[2])), "lanes differ in width"
    for node in model.nodes.values():
        x1, y1, x2, y2 = extent(groups[node.id][0])
        l1, t1, l2, t2 = bands[[lane.id for lane in lanes].index(node.lane)]
        assert l1 <= x1 and x2 <= l2 and t1 <= y1 and y2 <= t2, f"{node.id} is drawn outside lane {node.lane}"
    for lane in lanes:
        header = groups["lanehead:" + lane.id][0]
        assert lane.name.replace(" ", "") in "".join(header.itertext()).replace(" ", "")


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_is_drawn_exactly_once_with_its_kind(path):
    data = render(path, "svg")
    model = read_model(path)
    groups = svg_groups(data)
    for eid, element in {**model.nodes, **model.flows}.items():
        assert len(groups.get(eid, [])) == 1, f"{eid} drawn {len(groups.get(eid, []))} times"
    for node in model.nodes.values():
        assert {node.kind, node.tag} <= classes(groups[node.id][0])
    for flow in model.flows.values():
        assert flow.kind in classes(groups[flow.id][0])
        if flow.default:
            assert "default" in classes(groups[flow.id][0])
        if flow.condition:
            assert "conditional" in classes(groups[flow.id][0])


def test_chinese_is_drawn_with_the_cjk_font_the_setup_installs(terminal, tmp_path):
    data = draw(terminal, str(REPO / "bpmn" / "service_loop_before.bpmn"), tmp_path)
    fonts = {t.get("font-family") for t in etree.fromstring(data).iter(f"{SVG}text")}
    assert fonts and all(f.startswith("Noto Sans CJK SC,") for f in fonts), fonts
    assert "客服中心" in data.decode("utf-8")
    png = draw(terminal, str(REPO / "bpmn" / "service_loop_before.bpmn"), tmp_path, suffix="png")
    assert png.startswith(b"\x89PNG")


def test_a_missing_cjk_font_is_a_clear_error_not_tofu(terminal, tmp_path, monkeypatch):
    import engine.diagrams.fonts

    monkeypatch.setattr(engine.diagrams.fonts, "matched_family", lambda font="": "DejaVu Sans")
    out = tmp_path / "ba.png"
    result = terminal.run("render", "business_adjustment", "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith("phasegate: font-missing: font 'Noto Sans CJK SC' for Chinese labels is not "
                                    "installed (fontconfig offers 'DejaVu Sans'")
    assert "fonts-noto-cjk" in result.stderr
    assert not out.exists()


def test_an_unknown_format_or_process_is_refused(terminal, tmp_path):
    result = terminal.run("render", "business_adjustment", "-o", tmp_path / "x.gif")
    assert result.exit_code == 2 and "end the name in .svg, .png or .pdf" in result.stderr
    result = terminal.run("render", "no_such_process", "-o", tmp_path / "x.svg")
    assert result.exit_code == 4 and "'no_such_process' is neither a file nor a process" in result.stderr


def test_an_instance_overlay_shows_done_ready_and_waiting_steps(terminal, tmp_path):
    from processes.samples import ACTORS
    from test_programme_gates import walk

    terminal.now = "2024-01-15T09:00:00+08:00"
    instance = terminal.ok("start", "service_loop_after", user=ACTORS["客户"])["id"]
    walk(terminal, instance, [("submit_inquiry", {"inquiry_kind": "complex"})])
    out = tmp_path / "instance.svg"
    result = terminal.run("render", "service_loop_after", "-o", out, "--instance", instance, now="2024-01-15T12:00:00+08:00")
    assert result.exit_code == 0, result.stderr
    groups = svg_groups(out.read_bytes())
    assert "completed" in classes(groups["submit_inquiry"][0])
    assert "completed" in classes(groups["inquiry_started_to_submit_inquiry"][0])
    ready = groups["answer_inquiry"][0]
    assert "ready" in classes(ready) and "READY · 客服中心" in "".join(ready.itertext())
    assert classes(groups["answer_overdue"][0]) & {"waiting", "overdue"}
    assert "legend" in groups


def test_overdue_timers_are_red_with_their_due_time():
    from engine.diagrams.overlay import instance_marks

    model = read_model(REPO / "bpmn" / "service_loop_after.bpmn")
    detail = {"completed": [{"task_id": "inquiry_started"}, {"task_id": "submit_inquiry"}],
              "ready": [{"task_id": "answer_inquiry", "lane": "客服中心"}],
              "waiting": [{"task_id": "answer_overdue", "due_at": "2024-01-15T03:00:00+00:00"}]}
    early = instance_marks(model, detail, "2024-01-15T02:00:00+00:00")["answer_overdue"]
    late = instance_marks(model, detail, "2024-01-15T04:00:00+00:00")["answer_overdue"]
    assert (early.css, early.note) == ("waiting", "到期 2024-01-15 03:00")
    assert (late.css, late.color, late.note) == ("overdue", "#c62828", "逾期 · 应于 2024-01-15 03:00")
    unknown = instance_marks(model, {**detail, "waiting": [{"task_id": "answer_overdue", "due_at": None}]})
    assert unknown["answer_overdue"].css == "waiting"


def test_pdf_output_is_a_pdf(tmp_path):
    from engine.diagrams.render import to_image, diagram

    assert to_image(diagram(read_model(REPO / "bpmn" / "service_loop_before.bpmn")), "pdf").startswith(b"%PDF")


def test_render_module_returns_dot_source_only():
    from engine.diagrams.render import diagram

    dot = diagram(read_model(REPO / "bpmn" / "service_loop_before.bpmn"))
    assert dot.startswith("digraph") and 'fontname="Noto Sans CJK SC"' in dot
    assert not Path("out.svg").exists()

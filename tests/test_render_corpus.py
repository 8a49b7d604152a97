"""A designer draws real modeler files (the OMG MIWG reference models) and reads the SVG back:
every flow node, flow and label the model has is on the picture, and can be seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from drawn import SVG, extent
from engine.bpmn.model import read_model
from engine.diagrams.labels import EVENT_MARKS, THROWS
from engine.diagrams.render import picture

MIWG = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "miwg"
CORPUS = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []
SHAPES = {"polygon", "polyline", "ellipse", "path"}
NO_FILL = {None, "none", "transparent"}


def groups_by_id(root) -> dict[str, object]:
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}


def texts(group) -> list:
    return [t for t in group.iter(f"{SVG}text") if (t.text or "").strip()]


def shown_text(group) -> str:
    return "".join(t.text for t in texts(group)).replace(" ", "")


def assert_visible(group, what: str) -> None:
    """Non-zero size, a visible outline or fill, and no text in the colour of the shape under it."""
    x1, y1, x2, y2 = extent(group)
    assert x2 - x1 > 0.5 or y2 - y1 > 0.5, f"{what} has no size"
    inks = [el.get("stroke") for el in group.iter() if etree.QName(el).localname in SHAPES]
    inks += [el.get("fill") for el in group.iter() if etree.QName(el).localname in SHAPES]
    assert any(c not in NO_FILL and c.lower() != "#ffffff" for c in inks), f"{what} is white on white"
    filled = []     # (box, fill) of every filled shape, in drawing order
    for el in group.iter():
        tag = etree.QName(el).localname
        if tag in SHAPES and el.get("fill") not in NO_FILL:
            filled.append((extent(el), el.get("fill").lower()))
        elif tag == "text" and (el.text or "").strip():
            x, y = float(el.get("x")), float(el.get("y")) - float(el.get("font-size")) / 3
            under = [fill for (x1, y1, x2, y2), fill in filled if x1 <= x <= x2 and y1 <= y <= y2]
            under = under[-1] if under else "#ffffff"
            assert (el.get("fill") or "#000000").lower() != under, f"{what}: '{el.text}' drawn {under} on {under}"


def words(text: str) -> str:
    return "".join(text.split())[:12]


@pytest.mark.skipif(not CORPUS, reason=f"the MIWG reference corpus is not at {MIWG}")
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_reference_model_draws_every_element_and_label_visibly(path):
    drawn = picture(path, "svg")
    assert drawn.warnings == []
    model = read_model(path)
    groups = groups_by_id(etree.fromstring(drawn.data))
    for node in model.nodes.values():
        group = groups.get(node.id)
        assert group is not None, f"{node.tag} {node.id} is not drawn"
        assert {node.kind, node.tag} <= set(group.get("class").split())
        assert_visible(group, node.id)
        if node.name:
            assert words(node.name) in shown_text(group), f"{node.id}: name '{node.name}' not shown"
        kinds = [k for k in node.events if k in EVENT_MARKS]
        if len(kinds) == 1:
            marker = EVENT_MARKS[kinds[0]][node.tag in THROWS]
            assert marker in [t.text for t in texts(group)], f"{node.id}: no {kinds[0]} marker"
            assert ("throw" if node.tag in THROWS else "catch") in group.get("class").split()
    for flow in model.flows.values():
        group = groups.get(flow.id)
        assert group is not None, f"{flow.kind} flow {flow.id} is not drawn"
        assert_visible(group, flow.id)
        if flow.name:
            assert words(flow.name) in shown_text(group), f"{flow.id}: name '{flow.name}' not shown"
    for pool in model.pools:
        if pool.participant and pool.name:
            assert words(pool.name) in shown_text(groups["poolhead:" + pool.id])
        for lane in pool.lanes:
            header = groups["lanehead:" + lane.id]
            if lane.name:
                assert words(lane.name) in shown_text(header), f"lane '{lane.name}' not shown"
            hx1, hy1, hx2, hy2 = extent(header)
            for node in model.nodes.values():
                if node.pool == pool.id:
                    x1, y1, x2, y2 = extent(groups[node.id])
                    apart = x1 >= hx2 - 0.5 or x2 <= hx1 + 0.5 or y1 >= hy2 - 0.5 or y2 <= hy1 + 0.5
                    assert apart, f"{node.id} covers the header of lane '{lane.name}'"


STORY = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <collaboration id="c"><participant id="p" name="Invoice approval" processRef="proc"/></collaboration>
  <process id="proc" isExecutable="false">
    <laneSet id="ls">
      <lane id="clerk" name="Accountant"><flowNodeRef>start</flowNodeRef><flowNodeRef>check</flowNodeRef>
        <flowNodeRef>wait</flowNodeRef><flowNodeRef>note</flowNodeRef></lane>
      <lane id="boss" name="Manager"><flowNodeRef>approve</flowNodeRef><flowNodeRef>done</flowNodeRef></lane>
    </laneSet>
    <startEvent id="start"><messageEventDefinition/></startEvent>
    <userTask id="check" name="Check invoice" default="to_wait"/>
    <intermediateCatchEvent id="wait"><timerEventDefinition><timeDuration>PT2H</timeDuration>
      </timerEventDefinition></intermediateCatchEvent>
    <userTask id="approve" name="Approve"/>
    <endEvent id="done"><messageEventDefinition/></endEvent>
    <sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <sequenceFlow id="to_wait" sourceRef="check" targetRef="wait"/>
    <sequenceFlow id="big" sourceRef="check" targetRef="approve"><conditionExpression>amount &gt; 1000</conditionExpression></sequenceFlow>
    <sequenceFlow id="f3" sourceRef="wait" targetRef="approve"/>
    <sequenceFlow id="f4" sourceRef="approve" targetRef="done"/>
    <textAnnotation id="note"><text>{note}</text></textAnnotation>
    <association id="a1" sourceRef="check" targetRef="note"/>
  </process>
</definitions>
"""
NOTE = ("Die Rechnung wird von zwei Personen geprüft; Belege liegen bei, fehlende Angaben gehen zurück. " * 25)[:2000]


def test_an_unnamed_message_end_event_and_a_long_note_draw_within_a_bounded_height(terminal, tmp_path):
    source = tmp_path / "invoice.bpmn"
    source.write_text(STORY.format(note=NOTE), encoding="utf-8")
    out = tmp_path / "invoice.svg"
    result = terminal.run("render", source, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {out}\n"
    assert result.stderr == ""
    root = etree.fromstring(out.read_bytes())
    assert float(root.get("height").removesuffix("pt")) < 600
    groups = groups_by_id(root)
    done = groups["done"]
    assert {"endEvent", "throw", "message"} <= set(done.get("class").split())
    assert_visible(done, "done")
    assert [t.text for t in texts(done)] == ["✉"]
    assert "#333333" in [p.get("fill") for p in done.iter(f"{SVG}polygon")], "the thrown message is not filled"
    assert shown_text(groups["wait"]) == "◷PT2H"
    note = groups["note"]
    x1, y1, x2, y2 = extent(note)
    assert x2 - x1 <= 240.5 and y2 - y1 < 260
    lines = [t.text for t in texts(note)]
    assert lines[0].startswith("Die Rechnung wird") and lines[-1].endswith("…")
    assert "user" in shown_text(groups["check"]) and "人工" not in out.read_text(encoding="utf-8")
    for flow in ("to_wait", "big"):
        assert_visible(groups[flow], flow)


def test_a_graphviz_warning_is_reported_and_the_picture_still_drawn():
    from engine.diagrams.render import to_picture

    dot = 'digraph { a [shape=box fixedsize=true width=0.2 height=0.2 label="a label far too long" pos="10,10!"] }'
    drawn = to_picture(dot, "svg")
    assert drawn.data.lstrip().startswith(b"<?xml")
    assert drawn.warnings == ["neato: node 'a', graph '%3' size too small for label"]


def test_a_graphviz_error_names_the_error_not_the_last_warning():
    from engine.diagrams.render import to_picture
    from engine.errors import RenderFailed

    dot = ('digraph { a [label=<<table><tr><td><font point-size="10"></font></td></tr></table>>]; '
           'b [shape=box fixedsize=true width=0.1 label="too long a label"]; a -> b [pos="e,1,1 2,2"] }')
    with pytest.raises(RenderFailed) as failure:
        to_picture(dot, "svg")
    assert str(failure.value).startswith("Graphviz 'neato' failed: syntax error in line 1")
    assert "in label of node a" in str(failure.value)
    assert "3n+1" not in str(failure.value)


def test_chinese_models_keep_chinese_task_tags(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    drawn = picture(repo / "bpmn" / "business_adjustment.bpmn", "svg")
    text = drawn.data.decode("utf-8")
    assert "人工" in text and ">user<" not in text

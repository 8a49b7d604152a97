"""The committed models in bpmn/ are the designers' files: these tests check what a modeler's
save cannot break — they parse (XSD on), every user task has a form, every lane has people,
every node and flow is drawn inside its lane — never bytes, ids or exact coordinates."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.bpmn.catalog import Catalog  # noqa: E402
from engine.bpmn.formdefs import START, from_plain  # noqa: E402
from engine.runtime.forms import build_model  # noqa: E402
from processes.programme import build  # noqa: E402

PROGRAMME = build()
BPMN_DIR = ROOT / "bpmn"
MODELS = Catalog(BPMN_DIR).parse_all()  # the engine's reading of the folder, designers' forms included
BPMN_FILES = sorted(BPMN_DIR.glob("*.bpmn"))
DMN_FILES = sorted(BPMN_DIR.glob("*.dmn"))
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
}
FLOW_NODES = (
    "userTask", "serviceTask", "businessRuleTask", "scriptTask", "manualTask", "task",
    "sendTask", "receiveTask", "callActivity", "subProcess", "startEvent", "endEvent",
    "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
)
EXPECTED = {"business_adjustment", "service_loop_before", "service_loop_after"}

ids = pytest.mark.parametrize("path", BPMN_FILES, ids=[p.stem for p in BPMN_FILES])


def _tree(path):
    return etree.parse(str(path))


def _local(el):
    return etree.QName(el).localname


def _bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def _flow_nodes(process):
    return [el for el in process if isinstance(el.tag, str) and _local(el) in FLOW_NODES]


def _event_subprocesses(process):
    return [el for el in _flow_nodes(process) if _local(el) == "subProcess" and el.get("triggeredByEvent") == "true"]


def _laned_nodes(process):
    """The flow nodes lanes hold: the process's own, event sub-processes replaced by their contents."""
    boxes = _event_subprocesses(process)
    return [n for n in _flow_nodes(process) if n not in boxes] + [n for box in boxes for n in _flow_nodes(box)]


def _process(tree):
    procs = tree.getroot().findall("bpmn:process", NS)
    assert len(procs) == 1
    return procs[0]


def test_expected_files_present():
    assert {p.stem for p in BPMN_FILES} >= EXPECTED
    assert {p.stem for p in DMN_FILES} >= {"pilot_signoff", "monthly_verdict"}


@ids
def test_parses_with_xsd(path):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_dmn_files([str(p) for p in DMN_FILES])
    parser.add_bpmn_file(str(path))
    pid = _process(_tree(path)).get("id")
    assert pid == path.stem
    spec = parser.get_spec(pid)
    assert spec.task_specs


@pytest.mark.parametrize("path", DMN_FILES, ids=[p.stem for p in DMN_FILES])
def test_dmn_tables(path):
    root = etree.parse(str(path)).getroot()
    decisions = root.findall("dmn:decision", NS)
    assert [d.get("id") for d in decisions] == [path.stem]
    table = decisions[0].find("dmn:decisionTable", NS)
    assert table.get("hitPolicy") in {"FIRST", "UNIQUE"}
    n_in = len(table.findall("dmn:input", NS))
    n_out = len(table.findall("dmn:output", NS))
    for rule in table.findall("dmn:rule", NS):
        assert len(rule.findall("dmn:inputEntry", NS)) == n_in
        assert len(rule.findall("dmn:outputEntry", NS)) == n_out
        for cell in rule.findall("dmn:inputEntry/dmn:text", NS):
            # Spiff cells are Python, not FEEL: no ranges or FEEL lists.
            assert ".." not in cell.text and "," not in cell.text, cell.text


def _designer_form(process_id, key):
    """The model the engine builds from the designer's form of a user task (or START), or None."""
    plain = MODELS[process_id].forms.get(process_id, {}).get(key)
    return build_model(from_plain(plain), PROGRAMME.validators) if plain else None


@ids
def test_every_user_task_has_a_form(path):
    process = _process(_tree(path))
    pid = process.get("id")
    assert _designer_form(pid, START) is not None
    for task in process.findall("bpmn:userTask", NS):
        assert _designer_form(pid, task.get("id")) is not None, task.get("id")


def test_no_stale_forms():
    """The forms live in the designers' files: no Python form is left, and every .form file is linked."""
    assert not PROGRAMME.forms and not PROGRAMME.start_forms
    assert not (ROOT / "processes" / "forms.py").exists()
    linked = {plain["id"] for model in MODELS.values() for forms in model.forms.values() for plain in forms.values()}
    assert {p.stem for p in BPMN_DIR.glob("*.form")} <= linked


def test_start_form_defaults():
    data = _designer_form("business_adjustment", START)().model_dump(mode="json")
    assert data == {
        "preparation_start": "2023-07-01", "preparation_end": "2023-09-30",
        "pilot_start": "2023-10-01", "pilot_end": "2023-12-31",
        "rollout_start": "2024-01-01", "rollout_end": "2024-03-31",
    }


@ids
def test_every_lane_has_people(path):
    roster = tomllib.loads((ROOT / "processes" / "roster.toml").read_text(encoding="utf-8"))
    lanes = roster["lanes"]
    for lane in _process(_tree(path)).iterfind(".//bpmn:lane", NS):
        assert lanes.get(lane.get("name")), lane.get("name")


@ids
def test_lanes_cover_every_node(path):
    """Every flow node is in one lane, those inside an event sub-process too (their lane is their own:
    the sub-process box itself is in none, as SpiffWorkflow would otherwise give them all its lane)."""
    process = _process(_tree(path))
    refs = [r.text for r in process.iterfind(".//bpmn:flowNodeRef", NS)]
    assert len(refs) == len(set(refs))
    assert set(refs) == {n.get("id") for n in _laned_nodes(process)}


@ids
def test_diagram_interchange(path):
    tree = _tree(path)
    root = tree.getroot()
    collab = root.find("bpmn:collaboration", NS)
    participants = collab.findall("bpmn:participant", NS)
    assert len(participants) == 1
    process = _process(tree)
    assert participants[0].get("processRef") == process.get("id")
    planes = root.findall("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert len(planes) == 1 and planes[0].get("bpmnElement") == collab.get("id")
    shapes = {s.get("bpmnElement"): s for s in planes[0].findall("bpmndi:BPMNShape", NS)}

    pool = shapes[participants[0].get("id")]
    assert pool.get("isHorizontal") == "true"
    px, py, pw, ph = _bounds(pool)
    lane_of = {}
    for lane in process.iterfind(".//bpmn:lane", NS):
        shape = shapes[lane.get("id")]
        assert shape.get("isHorizontal") == "true"
        lx, ly, lw, lh = _bounds(shape)
        assert px <= lx and lx + lw <= px + pw + 1
        assert py <= ly and ly + lh <= py + ph + 1
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lane_of[ref.text] = (lx, ly, lw, lh)

    for box in _event_subprocesses(process):
        assert shapes[box.get("id")].get("isExpanded") == "true", box.get("id")
    for node in _laned_nodes(process):
        nid = node.get("id")
        assert nid in shapes, f"no BPMNShape for {nid}"
        x, y, w, h = _bounds(shapes[nid])
        assert w > 0 and h > 0, nid
        lx, ly, lw, lh = lane_of[nid]
        assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, \
            f"{nid} lies outside its lane"
        if _local(node) == "boundaryEvent":
            hx, hy, hw, hh = _bounds(shapes[node.get("attachedToRef")])
            assert hx <= x + w / 2 <= hx + hw and y + h / 2 in (hy, hy + hh), \
                f"{nid} is not on its host's border"

    edges = {e.get("bpmnElement"): e for e in planes[0].findall("bpmndi:BPMNEdge", NS)}
    for flow in process.iterfind(".//bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"no BPMNEdge for {flow.get('id')}"
        pts = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        assert len(pts) >= 2


@ids
def test_extension_ids_do_not_shadow_elements(path):
    """SpiffWorkflow indexes every element with an id (``.//*[@id]``); an operator or
    parameter id equal to a flow node id replaces that node and breaks parsing."""
    process = _process(_tree(path))
    bpmn_ids = [el.get("id") for el in process.iter()
                if isinstance(el.tag, str) and el.get("id")
                and etree.QName(el).namespace == NS["bpmn"]]
    other = [el.get("id") for el in process.iter()
             if isinstance(el.tag, str) and el.get("id")
             and etree.QName(el).namespace != NS["bpmn"]]
    assert len(bpmn_ids) == len(set(bpmn_ids))
    assert not set(other) & set(bpmn_ids)


def _known_names():
    names = {"True", "False", "None"}
    for pid, model in MODELS.items():
        for key in model.forms.get(pid, {}):
            names |= set(_designer_form(pid, key).model_fields)
    for path in DMN_FILES:
        names |= {o.get("name") for o in etree.parse(str(path)).iterfind(".//dmn:output", NS)}
    for path in BPMN_FILES:
        names |= {op.get("resultVariable")
                  for op in _tree(path).iterfind(".//spiffworkflow:serviceTaskOperator", NS)}
        for script in _tree(path).iterfind(".//bpmn:scriptTask/bpmn:script", NS):  # what a script task sets
            names |= {t.id for node in ast.walk(ast.parse(script.text)) if isinstance(node, ast.Assign)
                      for t in node.targets if isinstance(t, ast.Name)}
    return names


def _names_in(expr):
    """The data names an expression reads (a builtin such as `len` is not data)."""
    import builtins

    return {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)} - set(dir(builtins))


@ids
def test_conditions_read_known_fields(path):
    known = _known_names()
    process = _process(_tree(path))
    from engine.sandbox.translate import translate

    for cond in process.iterfind(".//bpmn:conditionExpression", NS):
        python = translate(cond.text, as_condition=True).python  # FEEL (=...) as the engine runs it
        assert {n for n in _names_in(python) if not n.startswith("feel_")} <= known, cond.text
    for param in process.iterfind(".//spiffworkflow:parameter", NS):
        assert _names_in(param.get("value")) <= known, param.get("value")


def test_dmn_inputs_read_known_fields():
    known = _known_names()
    for path in DMN_FILES:
        for text in etree.parse(str(path)).iterfind(".//dmn:inputExpression/dmn:text", NS):
            assert _names_in(text.text) <= known, text.text


@ids
def test_layout_draws_a_diagram_from_scratch(path, tmp_path):
    """`phasegate layout` can redraw the model when a designer drops its diagram."""
    from engine.diagrams.autolayout import with_layout

    tree = _tree(path)
    root = tree.getroot()
    for diagram in root.findall("bpmndi:BPMNDiagram", NS):
        root.remove(diagram)
    bare = tmp_path / path.name
    tree.write(str(bare))
    drawn = etree.fromstring(with_layout(bare))
    shapes = {s.get("bpmnElement") for s in drawn.iterfind(".//bpmndi:BPMNShape", NS)}
    assert {n.get("id") for n in _flow_nodes(_process(etree.ElementTree(drawn)))} <= shapes

"""A designer gives phasegate a model without coordinates and opens the result in a modeler."""

from __future__ import annotations

from lxml import etree

from conftest import REPO
from engine.bpmn.model import NS, read_model

DIAGRAM = "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"


def strip_diagram(source, target):
    tree = etree.parse(str(source))
    for diagram in tree.getroot().findall(DIAGRAM):
        tree.getroot().remove(diagram)
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return target


def bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def test_a_model_without_coordinates_gets_pool_lanes_shapes_and_edges(terminal, tmp_path):
    bare = strip_diagram(REPO / "bpmn" / "business_adjustment.bpmn", tmp_path / "bare.bpmn")
    out = tmp_path / "laid.bpmn"
    result = terminal.run("layout", bare, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out}"
    root = etree.parse(str(out)).getroot()
    model = read_model(bare)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    pool = model.pools[0]
    px, py, pw, ph = bounds(shapes[pool.id])
    assert shapes[pool.id].get("isHorizontal") == "true"
    lane_boxes = [bounds(shapes[lane.id]) for lane in pool.lanes]
    assert all(shapes[lane.id].get("isHorizontal") == "true" for lane in pool.lanes)
    assert [b[0] for b in lane_boxes] == [px + 30] * len(lane_boxes)
    assert [b[1] for b in lane_boxes] == sorted(b[1] for b in lane_boxes), "lanes not in file order"
    assert lane_boxes[0][1] == py and lane_boxes[-1][1] + lane_boxes[-1][3] == py + ph
    for upper, lower in zip(lane_boxes, lane_boxes[1:]):
        assert upper[1] + upper[3] == lower[1], "lanes leave a gap or overlap"
    sizes = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
    for node in model.nodes.values():
        x, y, w, h = bounds(shapes[node.id])
        lx, ly, lw, lh = lane_boxes[[lane.id for lane in pool.lanes].index(node.lane)]
        assert lx <= x and x + w <= lx + lw and ly <= y + h / 2 <= ly + lh, f"{node.id} outside its lane"
        if node.kind in ("gateway", "event"):
            assert (w, h) == sizes[node.kind]
        if node.host:
            hx, hy, hw, hh = bounds(shapes[node.host])
            assert y + h / 2 == hy + hh and hx <= x + w / 2 <= hx + hw, f"{node.id} is not on its host's border"
    for flow in model.flows.values():
        assert len(edges[flow.id].findall("di:waypoint", NS)) >= 2


def test_layout_keeps_every_non_diagram_element_and_extension(terminal, tmp_path):
    source = REPO / "bpmn" / "service_loop_after.bpmn"
    out = tmp_path / "laid.bpmn"
    assert terminal.run("layout", source, "-o", out).exit_code == 0

    def semantic(path):
        root = etree.parse(str(path)).getroot()
        for diagram in root.findall(DIAGRAM):
            root.remove(diagram)
        return etree.tostring(root, method="c14n")

    assert semantic(out) == semantic(source)
    assert len(etree.parse(str(out)).getroot().findall(DIAGRAM)) == 1


def test_layout_of_a_missing_file_is_a_clear_error(terminal, tmp_path):
    result = terminal.run("layout", tmp_path / "nope.bpmn", "-o", tmp_path / "out.bpmn")
    assert result.exit_code == 2
    assert result.stderr == f"phasegate: model-invalid: {tmp_path / 'nope.bpmn'}: no such file\n"

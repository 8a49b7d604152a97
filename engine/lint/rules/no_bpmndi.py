"""no-bpmndi: every element with a visual representation is drawn in a diagram."""

DESCRIPTION = "Every flow element, pool, lane, artifact and message flow has a BPMNShape or BPMNEdge."

ARTIFACTS = {"textAnnotation", "association", "group"}
NOT_DRAWN = {"dataObject"}


def check(model, report):
    drawn = {ref for ref, _line, _kind in model.di_refs}
    for element in _visual_elements(model.root_elements):
        if element.type not in NOT_DRAWN and element.id not in drawn:
            report(element, "Element is missing bpmndi")


def _visual_elements(containers):
    for container in containers:
        flow_elements = container.flow_elements
        yield from flow_elements
        yield from _visual_elements([e for e in flow_elements if e.is_a("SubProcess")])
        yield from (c for c in container.children if c.type in ("participant", "messageFlow") or c.type in ARTIFACTS)
        lane_set = container.child("laneSet") or container.child("childLaneSet")
        lanes = lane_set.children if lane_set is not None else []
        lanes = [lane for lane in lanes if lane.type == "lane"]
        yield from lanes
        yield from _visual_elements([lane for lane in lanes if lane.child("childLaneSet") is not None])

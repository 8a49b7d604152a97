"""no-overlapping-elements: shapes do not overlap each other or stick out of their pool or sub-process."""

DESCRIPTION = "Shapes do not overlap, and lie inside their pool or expanded sub-process."

MAX_PAIRS = 4_000_000


def check(model, report):
    overlapping, outside = [], []
    parent_box = {}
    for collaboration in model.of_type("collaboration"):
        participants = [c for c in collaboration.children if c.type == "participant"]
        _collisions(model, participants, overlapping)
        for participant in participants:
            shape = model.shapes.get(participant.id)
            if participant.get("processRef"):
                parent_box[participant.get("processRef")] = shape.bounds if shape else None
    for process in model.of_type("process"):
        _check_container(model, process, parent_box.get(process.id), overlapping, outside)
    for element in _unique(overlapping):
        report(element, "Element overlaps with other element")
    for element in _unique(outside):
        report(element, "Element is outside of parent boundary")


def _check_container(model, container, boundary, overlapping, outside):
    drawn = [e for e in container.flow_elements if e.id in model.shapes]
    _collisions(model, drawn, overlapping)
    for element in drawn:
        if element.type != "dataStoreReference" and _outside(model.shapes[element.id].bounds, boundary):
            outside.append(element)
    for sub in (e for e in container.flow_elements if e.is_a("SubProcess")):
        shape = model.shapes.get(sub.id)
        _check_container(model, sub, shape.bounds if shape is not None and shape.is_expanded else None,
                         overlapping, outside)


def _collisions(model, elements, found):
    if len(elements) ** 2 > MAX_PAIRS:
        return
    for i, first in enumerate(elements):
        for second in elements[i + 1:]:
            if first.get("attachedToRef") == second.id or second.get("attachedToRef") == first.id:
                continue
            a, b = _box(model, first), _box(model, second)
            if a is not None and b is not None and _collide(a, b):
                found += [first, second]


def _box(model, element):
    shape = model.shapes.get(element.id)
    return shape.bounds if shape is not None else None


def _collide(a, b) -> bool:
    return (a.x + a.w >= b.x and b.x + b.w >= a.x) and (a.y + a.h >= b.y and b.y + b.h >= a.y)


def _outside(child, parent) -> bool:
    if child is None or parent is None:
        return False
    inside = (child.x >= parent.x and child.y >= parent.y and child.x + child.w <= parent.x + parent.w
              and child.y + child.h <= parent.y + parent.h)
    return not inside


def _unique(elements):
    seen = set()
    for element in elements:
        if id(element) not in seen:
            seen.add(id(element))
            yield element

"""standard-size: shapes have the modeler's standard sizes (task 100x80, gateway 50x50, event 36x36, ...).

Options (as in bpmnlint): `["warn", {"bpmn:Task": {"width": 120, "height": 80}}]` overrides a size.
"""

DESCRIPTION = "Shapes have the standard size of their type (task 100x80, gateway 50x50, event 36x36)."

DEFAULT_SIZES = {
    "bpmn:Task": {"width": 100, "height": 80},
    "bpmn:CallActivity": {"width": 100, "height": 80},
    "bpmn:SubProcess": {"width": 100, "height": 80},
    "bpmn:Gateway": {"width": 50, "height": 50},
    "bpmn:Event": {"width": 36, "height": 36},
    "bpmn:DataObjectReference": {"width": 36, "height": 50},
    "bpmn:DataStoreReference": {"width": 50, "height": 50},
    "bpmn:Participant": {"width": 60, "height": 60},
}
CHECKED = ("SubProcess", "CallActivity", "Task", "Gateway", "Event", "DataObjectReference", "DataStoreReference")


def check(model, report):
    sizes = {**DEFAULT_SIZES, **(report.options if isinstance(report.options, dict) else {})}
    for element_id, shape in model.shapes.items():
        element = model.by_id.get(element_id)
        if element is None or shape.bounds is None:
            continue
        expected = _expected(element, shape, sizes)
        if not isinstance(expected, dict):
            continue
        width, height = expected.get("width"), expected.get("height")
        wrong_width = isinstance(width, (int, float)) and shape.bounds.w != width
        wrong_height = isinstance(height, (int, float)) and shape.bounds.h != height
        if wrong_width or wrong_height:
            report(element, _message(width, height))


def _expected(element, shape, sizes):
    if element.type == "participant":
        if element.get("processRef"):
            return None
        horizontal = shape.is_horizontal is not False
        value = (sizes.get("bpmn:Participant") or {}).get("height" if horizontal else "width")
        if not isinstance(value, (int, float)):
            return None
        return {"height": value} if horizontal else {"width": value}
    if element.type == "lane" or (element.is_a("SubProcess") and shape.is_expanded):
        return None
    for kind in CHECKED:
        local = kind[0].lower() + kind[1:]
        if element.is_a(kind) or element.type == local:
            return sizes.get(f"bpmn:{kind}")
    return None


def _message(width, height) -> str:
    if not isinstance(height, (int, float)):
        return f"Element has a non-standard width; expected width of {_n(width)}"
    if not isinstance(width, (int, float)):
        return f"Element has a non-standard height; expected height of {_n(height)}"
    return f"Element has a non-standard size; expected {_n(width)}x{_n(height)}"


def _n(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)

"""conditional-flows: once a node forks on conditions, every outgoing flow has one or is the default."""

DESCRIPTION = "Outgoing flows of a conditional fork all carry a condition, except the default flow."


def check(model, report):
    for node in model.of_type("FlowNode"):
        default = model.by_id.get(node.default_flow or "")
        if default is None and not any(model.has_condition(f) for f in node.outgoing):
            continue
        for flow in node.outgoing:
            if not model.has_condition(flow) and flow is not default:
                report(flow, "Sequence flow is missing condition")

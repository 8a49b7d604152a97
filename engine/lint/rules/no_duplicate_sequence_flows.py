"""no-duplicate-sequence-flows: no two flows join the same source and target with the same condition."""

DESCRIPTION = "No two sequence flows have the same source, target and condition."


def check(model, report):
    seen, reported_out, reported_in = set(), set(), set()
    for flow in model.of_type("sequenceFlow"):
        condition = flow.child("conditionExpression")
        body = (condition.node.text or "") if condition is not None else ""
        source = flow.get("sourceRef") or flow.id
        target = flow.get("targetRef") or flow.id
        key = (source, target, body)
        if key not in seen:
            seen.add(key)
            continue
        report(flow, "SequenceFlow is a duplicate")
        if source not in reported_out:
            report(source, "Duplicate outgoing sequence flows")
            reported_out.add(source)
        if target not in reported_in:
            report(target, "Duplicate incoming sequence flows")
            reported_in.add(target)

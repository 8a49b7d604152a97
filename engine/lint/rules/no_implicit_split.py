"""no-implicit-split: an activity or event does not split into several unconditional flows."""

DESCRIPTION = "Activities and events split only with conditions or a default flow; otherwise use a gateway."


def check(model, report):
    for node in model.of_type("Activity", "Event"):
        plain = [f for f in node.outgoing if not model.has_condition(f) and not model.is_default(node, f)]
        if len(plain) > 1:
            report(node, "Flow splits implicitly")

"""event-based-gateway: at least two outgoing flows, none of them conditional."""

DESCRIPTION = "An <Event-based Gateway> has two or more unconditional outgoing flows."


def check(model, report):
    for gateway in model.of_type("eventBasedGateway"):
        if len(gateway.outgoing) < 2:
            report(gateway, "An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>")
        for flow in gateway.outgoing:
            if model.has_condition(flow):
                report(flow, "A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional")

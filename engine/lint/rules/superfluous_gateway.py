"""superfluous-gateway: a gateway with one way in and one way out does nothing."""

DESCRIPTION = "A gateway does not have exactly one incoming and one outgoing flow."


def check(model, report):
    for gateway in model.of_type("Gateway"):
        if len(gateway.incoming) == 1 and len(gateway.outgoing) == 1:
            report(gateway, "Gateway is superfluous. It only has one source and target.")

"""no-gateway-join-fork: a gateway either joins or forks, not both."""

DESCRIPTION = "A gateway does not both join (2+ incoming) and fork (2+ outgoing)."


def check(model, report):
    for gateway in model.of_type("Gateway"):
        if len(gateway.incoming) > 1 and len(gateway.outgoing) > 1:
            report(gateway, "Gateway forks and joins")

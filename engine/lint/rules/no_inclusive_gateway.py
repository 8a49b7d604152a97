"""no-inclusive-gateway: inclusive gateways are discouraged."""

from ..helpers import discouraged

DESCRIPTION = "No <Inclusive Gateway>."


def check(model, report):
    discouraged(model, report, "inclusiveGateway")

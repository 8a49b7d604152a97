"""no-complex-gateway: complex gateways are discouraged."""

from ..helpers import discouraged

DESCRIPTION = "No <Complex Gateway>."


def check(model, report):
    discouraged(model, report, "complexGateway")

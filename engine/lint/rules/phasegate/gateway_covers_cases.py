"""phasegate/gateway-covers-cases: an exclusive gateway has a default flow, or its conditions cover every case.

Without a default flow the engine fails the instance when no condition holds. Coverage is proved
for conditions on one variable: a literal `True`; `x` / `not x`; `x == c` / `x != c`; `x in (...)`;
numeric comparisons whose ranges join up (`x >= 90` / `x < 90`); and `==`/`is` over every value of
a form field typed `bool`, `Literal[...]` or an Enum (when the programme's forms are known).
"""

import ast
import enum
import math
import typing

DESCRIPTION = "Exclusive gateways have a default flow or conditions that provably cover every case."

UNKNOWN = object()


def check(model, report):
    for gateway in model.of_type("exclusiveGateway"):
        if not gateway.is_executable or not gateway.outgoing:
            continue
        if gateway.default_flow and gateway.default_flow in {f.id for f in gateway.outgoing}:
            continue
        conditions = []
        for flow in gateway.outgoing:
            text = flow.text_of("conditionExpression")
            if text is None:
                conditions = None  # an unconditional flow: conditional-flows reports it
                break
            conditions.append(text)
        if conditions is None or (len(gateway.outgoing) == 1 and not conditions):
            continue
        if not _covered(conditions, lambda name: _domain(model, gateway, name)):
            report(gateway, "Exclusive gateway has no default flow and its conditions may not cover every case "
                            "(the instance fails when none holds)")


# -- reading conditions ------------------------------------------------------------------------------

def _predicate(text: str):
    """(variable, kind, payload) for a condition on one variable, `("*", "true", None)`, or None."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(node, ast.Constant) and node.value is True:
        return ("*", "true", None)
    if isinstance(node, ast.Name):
        return (node.id, "truthy", True)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
        return (node.operand.id, "truthy", False)
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
        return None
    left, op, right = node.left, node.ops[0], node.comparators[0]
    if isinstance(right, ast.Name) and not isinstance(left, ast.Name):
        left, right, op = right, left, _flip(op)
    if not isinstance(left, ast.Name) or op is None:
        return None
    try:
        value = ast.literal_eval(right)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None
    if isinstance(op, (ast.Eq, ast.Is)):
        return (left.id, "in", [value])
    if isinstance(op, (ast.NotEq, ast.IsNot)):
        return (left.id, "not_in", [value])
    if isinstance(op, ast.In) and isinstance(value, (list, tuple, set, frozenset)):
        return (left.id, "in", list(value))
    if isinstance(op, ast.NotIn) and isinstance(value, (list, tuple, set, frozenset)):
        return (left.id, "not_in", list(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (left.id, type(op).__name__, value)
    return None


def _flip(op):
    flipped = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}
    kind = flipped.get(type(op))
    return kind() if kind else None


def _covered(conditions, domain_of) -> bool:
    predicates = [_predicate(c) for c in conditions]
    if any(p is not None and p[1] == "true" for p in predicates):
        return True
    if not predicates or any(p is None for p in predicates) or len({p[0] for p in predicates}) != 1:
        return False
    variable = predicates[0][0]
    truthy = {p[2] for p in predicates if p[1] == "truthy"}
    if truthy == {True, False}:
        return True
    excluded = [p for p in predicates if p[1] == "not_in"]
    if any(set(p[2]) <= {v for q in predicates if q[1] == "in" for v in q[2]} for p in excluded):
        return True
    if all(p[1] in ("Lt", "LtE", "Gt", "GtE") or (p[1] == "in" and all(_number(v) for v in p[2])) for p in predicates):
        if _numbers_covered(predicates):
            return True
    domain = domain_of(variable)
    if domain is UNKNOWN:
        return False
    hit = set()
    for kind, payload in ((p[1], p[2]) for p in predicates):
        if kind == "in":
            hit |= {_key(v) for v in payload}
        elif kind == "truthy":
            hit |= {_key(v) for v in domain if bool(v) is payload}
        else:
            return False
    return {_key(v) for v in domain} <= hit


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numbers_covered(predicates) -> bool:
    """True when the ranges of numeric comparisons (and equalities) cover the whole number line."""
    intervals = []  # (low, low_closed, high, high_closed)
    for _variable, kind, payload in predicates:
        if kind == "in":
            intervals += [(v, True, v, True) for v in payload]
        elif kind == "Lt":
            intervals.append((-math.inf, False, payload, False))
        elif kind == "LtE":
            intervals.append((-math.inf, False, payload, True))
        elif kind == "Gt":
            intervals.append((payload, False, math.inf, False))
        elif kind == "GtE":
            intervals.append((payload, True, math.inf, False))
    intervals.sort(key=lambda i: (i[0], not i[1]))
    reach, reach_closed = -math.inf, False
    for low, low_closed, high, high_closed in intervals:
        if low > reach or (low == reach and not (low_closed or reach_closed) and low != -math.inf):
            return False
        if high > reach or (high == reach and high_closed):
            reach, reach_closed = high, high_closed
    return reach == math.inf


def _key(value):
    return (type(value).__name__ if isinstance(value, bool) or value is None else "v", value)


# -- the domain of a variable, from the programme's forms -----------------------------------------------

def _domain(model, gateway, name):
    form_for = getattr(model.context, "form_for", None)
    process = gateway.process
    if form_for is None or process is None:
        return UNKNOWN
    domains = []
    for task in model.of_type("userTask"):
        if task.process is not process:
            continue
        form = form_for(process.id, task.id)
        field = getattr(form, "model_fields", {}).get(name)
        if field is not None:
            domains.append(_values_of(field.annotation, required=field.is_required()))
    if not domains or any(d is UNKNOWN for d in domains):
        return UNKNOWN
    return [v for d in domains for v in d]


def _values_of(annotation, required: bool = True):
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return [True, False]
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    if origin is typing.Union or str(origin) == "types.UnionType" or type(annotation).__name__ == "UnionType":
        values = []
        for arg in typing.get_args(annotation):
            if arg is type(None):
                values.append(None)
                continue
            inner = _values_of(arg)
            if inner is UNKNOWN:
                return UNKNOWN
            values += inner
        return values
    return UNKNOWN

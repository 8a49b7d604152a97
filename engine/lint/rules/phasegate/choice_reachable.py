"""phasegate/choice-reachable: a value a condition compares a choice field with is one the field can take.

`decision == "aprove"`, `decision in ("a", "b")`, FEEL `= decision = "x"` and JUEL `${decision == 'x'}`
are checked against the choices of the enum, radio or select fields named `decision` that can reach
the condition (the designer's forms, else the programme's). A name that a script, a service or a
free-text field may also provide is not checked.
"""

import ast

from ...dataflow import analysis

DESCRIPTION = "Values conditions compare a choice field with are among the values the field can take."

CALLS = {"feel_eq": False, "feel_ne": False, "juel_eq": True, "juel_ne": True, "feel_in": False}


def check(model, report):
    flow = analysis(model)
    for read in flow.reads:
        if read.tree is None:
            continue
        for name, value, juel in _comparisons(read.tree):
            fields = _choice_fields(flow, read, name)
            if not fields:
                continue
            takes = [c for f in fields for c in f.choices]
            if any(_same(value, c, juel) for c in takes):
                continue
            owners = ", ".join(f"'{f.owner}'" for f in fields)
            values = ", ".join(dict.fromkeys(repr(c) for c in takes))
            report(read.owner, "{what} compares '{name}' with {value!r}, which the field '{name}' of {owners} cannot take (it takes {values})", line=read.line, what=read.what, name=name, value=value, owners=owners, values=values)


def _comparisons(tree):
    """(variable, constant, JUEL-coercing) for every `x == c`, `x != c`, `x in (c, ...)` in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right, op = node.left, node.comparators[0], node.ops[0]
            if isinstance(right, ast.Name) and not isinstance(left, ast.Name):
                left, right = right, left
            name = _name(left)
            if name is None:
                continue
            if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
                yield from ((name, v, False) for v in _constants(right, single=True))
            elif isinstance(op, (ast.In, ast.NotIn)):
                yield from ((name, v, False) for v in _constants(right, single=False))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS \
                and len(node.args) == 2 and (name := _name(node.args[0])) is not None:
            single = node.func.id != "feel_in"
            yield from ((name, v, CALLS[node.func.id]) for v in _constants(node.args[1], single=single))


def _name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "feel_var" \
            and node.args and isinstance(node.args[0], ast.Constant):
        return node.args[0].value
    return None


def _constants(node, single: bool):
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return []
    if single:
        return [] if value is None or isinstance(value, bool) else [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if v is not None and not isinstance(v, (bool, list, tuple, dict))]
    return []


def _choice_fields(flow, read, name):
    """The single-choice fields named `name` upstream of the read; [] when anything else may provide it."""
    upstream = flow.upstream(read.node)
    found = []
    for node in upstream:
        gen = flow.gen.get(node, set())
        if gen is None or flow.pre.get(node) is None:
            return []
        fields = [f for f in flow.fields.get(node, []) if f.key == name]
        if not fields and (name in gen or name in flow.pre.get(node, set())):
            return []  # a script, service, DMN output or multi-instance variable provides it too
        for item in fields:
            if item.kind != "choice" or not item.choices:
                return []
            found.append(item)
    return sorted(found, key=lambda f: f.owner)


def _same(value, choice, juel: bool) -> bool:
    if value == choice and type(value) is not bool:
        return True
    return juel and str(value) == str(choice)

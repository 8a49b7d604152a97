"""Copying task data: SpiffWorkflow 3.2 shares nested lists and dicts between a task and its children,
so the runner and the serializer each need a copy that later changes cannot reach."""

from __future__ import annotations

import copy

_PLAIN = (str, int, float, bool, type(None))
_SCALARS = frozenset(_PLAIN)


def copy_data(value):
    """`copy.deepcopy` for task data, quicker on what form values are made of (plain dicts, lists,
    strings, numbers); anything else is deep-copied as before. A dict or list holding only such
    scalars is copied in one C call (the scalars are immutable, so sharing them is what deepcopy
    does too)."""
    kind = type(value)
    if kind is dict:
        if set(map(type, value.values())) <= _SCALARS:
            return dict(value)
        return {key: copy_data(item) for key, item in value.items()}
    if kind is list:
        if set(map(type, value)) <= _SCALARS:
            return list(value)
        return [copy_data(item) for item in value]
    if kind in _PLAIN:
        return value
    return copy.deepcopy(value)

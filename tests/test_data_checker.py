"""The runner checks task data after every step; most steps (a gateway, an event, a merge of one
branch) pass their data on unchanged, and the check remembers the last flat data it accepted so that
data is not walked again. What it remembers must never let through what the walk refuses."""

from __future__ import annotations

import pytest

from engine.errors import TaskDataRefused
from engine.runtime import datacheck
from engine.runtime.datacheck import DataChecker, DataLimits


class Text(str):
    """A text that is not a `str`: the store refuses it."""


@pytest.fixture
def walks(monkeypatch):
    """How many times the full walk ran."""
    count = [0]
    real = datacheck.check_task_data

    def counting(data, limits=datacheck.LIMITS):
        count[0] += 1
        return real(data, limits)

    monkeypatch.setattr(datacheck, "check_task_data", counting)
    return count


ACCEPTED = {"customer_name": "何佳怡", "quote_amount": 2399.0, "order_placed": True, "order_quantity": 1, "note": None}


def test_data_passed_on_unchanged_is_not_walked_again(walks):
    check = DataChecker()
    check(dict(ACCEPTED))
    check(dict(ACCEPTED))  # the next step's copy
    check({**ACCEPTED})
    assert walks[0] == 1
    check({**ACCEPTED, "answer": "好"})  # a step added a value: walked
    assert walks[0] == 2


BIG = {**ACCEPTED, "quote_amount": 2.0 ** 70}


@pytest.mark.parametrize("accepted, changed, line", [
    (BIG, {**ACCEPTED, "quote_amount": int(2.0 ** 70)}, "task data 'quote_amount': an int of 22 digits is larger than"),
    (ACCEPTED, {**ACCEPTED, "customer_name": Text("何佳怡")}, "task data 'customer_name': a Text object is not JSON data"),
    (ACCEPTED, {Text(k) if k == "customer_name" else k: v for k, v in ACCEPTED.items()},
     "task data: the key <Text> is a Text object, not text"),
    (ACCEPTED, {**ACCEPTED, "order_quantity": float("nan")}, "task data 'order_quantity': nan is not JSON data"),
])
def test_equal_looking_data_of_another_type_is_walked_and_refused(accepted, changed, line):
    """An int equal to an accepted float (2.0**70 == 2**70), a str subclass equal to an accepted text,
    as a value or a key, a NaN: each is walked, and refused as the walk refuses it."""
    check = DataChecker()
    check(dict(accepted))
    assert changed == accepted or changed["order_quantity"] != changed["order_quantity"]  # equal, NaN aside
    with pytest.raises(TaskDataRefused) as refused:
        check(changed)
    assert str(refused.value).startswith(line)


def test_the_same_values_under_other_keys_or_in_another_order_are_walked(walks):
    check = DataChecker()
    check({"a": 1, "b": 1.0})
    check({"b": 1, "a": 1.0})  # equal dicts, same type sequence: but each key's type differs
    assert walks[0] == 2
    check({"a": 1, "b": 1.0, "c": 2})
    assert walks[0] == 3


def test_data_holding_containers_is_walked_every_time(walks):
    """A list or dict can change in place: such data is never remembered."""
    check = DataChecker()
    rows = [{"x": 1}]
    check({"rows": rows})
    rows.append({"x": map(str, [1])})
    with pytest.raises(TaskDataRefused, match=r"task data 'rows\[1\]\.x': a map object is not JSON data"):
        check({"rows": rows})
    assert walks[0] == 2


def test_the_limits_apply_to_remembered_data_as_to_the_walk():
    small = DataChecker(DataLimits(max_size=60))
    with pytest.raises(TaskDataRefused, match="larger than 60 characters as JSON"):
        small(dict(ACCEPTED))
    with pytest.raises(TaskDataRefused, match="larger than 60 characters as JSON"):
        small(dict(ACCEPTED))  # refused data is not remembered either

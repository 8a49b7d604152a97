"""Only plain JSON data enters the store: what a hostile script leaves in task data is refused, by path.

Before issue 13 a script could leave values the store then could not write (a `map`, a generator, an
exception, a tuple key, a self-referencing dict) or could write but not read back (a list 9,000 deep:
RecursionError on `show`; a dict shaped like the serializer's typed values: `KeyError: 'spec'`; an
int of 5,000 digits), and aliased rows appended in a loop grew one store to 574 MB. Each script here
runs in the sandbox as a script task would, and `check_task_data` — which the runner calls after
each task — refuses what it left with one line naming the variable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import subprocess
import sys
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from test_expressions import PEAK_KB
from engine.errors import TaskDataRefused, TaskFailed
from engine.runtime.datacheck import DataLimits, check_task_data
from engine.sandbox import environment as sandbox

ROWS = "row = {'a': list(range(1000))}\nrows = []\nfor i in range(5000):\n    rows.append(row)"
DEEP = "deep = []\nx = deep\nfor _ in range(9000):\n    y = []\n    x.append(y)\n    x = y\ndel x, y"
SCRIPTS = {  # what a script leaves → the line the step fails with
    "a list 9,000 deep": (DEEP, "task data 'deep[0][0][0][0][0][0][0][0][0][0][0][0]…[0][0][0][0][0][0][0][0][0][0]': "
                                "nested deeper than 64 levels"),
    "a dict that holds itself": ("d = {'n': 1}\nd['self'] = d", "task data 'd.self': contains itself (a cycle)"),
    # the sandbox's map, zip, filter... are generators (each item a budgeted step)
    "a map": ("m = map(str, [1, 2])", "task data 'm': a generator object is not JSON data"),
    "a map deep in rows": ("rows = [{'x': 1}, {'x': map(str, [1])}]", "task data 'rows[1].x': a generator object is not JSON data"),
    "a generator": ("g = (i for i in [1])", "task data 'g': a generator object is not JSON data"),
    "an exception": ("try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    err = e",
                     "task data 'err': an exception (ZeroDivisionError) is not JSON data"),
    "a tuple key": ("d = {(1, 2): 3}", "task data 'd': the key (1, 2) is a tuple, not text"),
    "an int key": ("d = {'ok': {1: 'a'}}", "task data 'd.ok': the key 1 is an int, not text"),
    "a typed-value shape": ("p = {'typename': 'BpmnWorkflow', 'x': 1}",
                            "task data 'p': a dict with the key 'typename' would be read back as one of the store's typed values"),
    "an int of 5,000 digits": ("n = 10**4999", "task data 'n': an int of about 5000 digits is larger than the store keeps (|n| < 2**63)"),
    "an int past 2**63": ("n = [1, 2**63]", "task data 'n[1]': an int of 19 digits is larger than the store keeps (|n| < 2**63)"),
    "aliased rows": (ROWS, "task data 'rows': larger than 16 MB as JSON"),
    "NaN": ("f = float('nan')", "task data 'f': nan is not JSON data (NaN and infinity are refused)"),
    "infinity in a list": ("f = [1.0, 2.0, float('inf')]", "task data 'f[2]': inf is not JSON data (NaN and infinity are refused)"),
    "a tuple": ("t = (1, 2)", "task data 't': a tuple is not JSON data (use a list)"),
    "a set": ("s = {'a': [{1, 2}]}", "task data 's.a[0]': a set is not JSON data (use a list)"),
    "a date": ("d = date(2024, 1, 1)", "task data 'd': a date is not JSON data (store date.isoformat())"),
    "a Decimal": ("price = {'net price': Decimal('1.5')}",
                  "task data \"price['net price']\": a Decimal object is not JSON data (store it as text or a float)"),
    "a lone surrogate": ("s = ['ok', 'x\\ud800']", "task data 's[1]': text with a lone surrogate cannot be stored as UTF-8"),
    "a range": ("r = range(3)", "task data 'r': a range object is not JSON data"),
    "a timedelta of microseconds": ("wait = [timedelta(seconds=1.5)]", "task data 'wait[0]': a timedelta with microseconds "
                                    "would lose them in the store (the registry keeps days and seconds)"),
}


@pytest.mark.parametrize("what", list(SCRIPTS))
def test_a_script_leaving_what_the_store_cannot_keep_fails_its_step_naming_the_variable(what):
    script, line = SCRIPTS[what]
    data = {"draft_decision": "approve"}
    sandbox.execute(script, data)
    with pytest.raises(TaskDataRefused) as caught:
        check_task_data(data)
    assert str(caught.value) == line
    assert isinstance(caught.value, TaskFailed) and caught.value.exit_code == 3


def test_values_from_outside_the_sandbox_are_named_by_their_own_type():
    with pytest.raises(TaskDataRefused, match=r"^task data 'rows\[3\]\.x': a map object is not JSON data$"):
        check_task_data({"rows": [{}, {}, {}, {"x": map(str, [1])}]})
    with pytest.raises(TaskDataRefused, match=r"^task data 'b': a bytes object is not JSON data$"):
        check_task_data({"b": b"x"})


def test_plain_data_and_the_serializers_typed_values_pass():
    data = {"名字": "张三", "n": -(2**63) + 1, "big": 2**63 - 1, "rate": 92.5, "ok": True, "none": None,
            "rows": [{"month": m, "tags": ["a", "b"]} for m in range(50)], "at": dt.datetime(2024, 1, 1, 9),
            "wait": dt.timedelta(days=3), "id": uuid.UUID(int=7), "deep": [[[[[]]]]], "shared": [[1]] * 3}
    assert check_task_data(data) is None


def test_the_limits_are_a_frozen_dataclass_config_can_set():
    strict = DataLimits(max_depth=2, max_size=100, max_int_bits=8)
    with pytest.raises(dataclasses.FrozenInstanceError):
        strict.max_depth = 3
    check_task_data({"a": [[1]]}, strict)
    with pytest.raises(TaskDataRefused, match=r"^task data 'a\[0\]\[0\]': nested deeper than 2 levels$"):
        check_task_data({"a": [[[1]]]}, strict)
    with pytest.raises(TaskDataRefused, match=r"^task data 'n': an int of 3 digits .* \(\|n\| < 2\*\*8\)$"):
        check_task_data({"n": 256}, strict)
    with pytest.raises(TaskDataRefused, match=r"^task data 'text': larger than 100 characters as JSON$"):
        check_task_data({"text": "x" * 200}, strict)


def test_task_data_itself_must_be_a_dict():
    with pytest.raises(TaskDataRefused, match=r"^task data is a list object, not a dict$"):
        check_task_data([1])


# -- what passes the check, the store writes and reads back unchanged ---------------------------------

SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
           | st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)) | st.uuids()
           | st.timedeltas().map(lambda d: d - dt.timedelta(microseconds=d.microseconds)))
JSONISH = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                       | st.dictionaries(st.text(max_size=8).filter(lambda k: k != "typename"), inner, max_size=5),
                       max_leaves=40)
TASK_DATA = st.dictionaries(st.text(min_size=1, max_size=8).filter(lambda k: k != "typename"), JSONISH, max_size=6)


def store_round_trip(data: dict) -> dict:
    """Task data as the store writes it (the serializer's registry and writer) and reads it back."""
    from engine.spiff.serializer import _encode, serializer

    ser = serializer()
    ser.registry._encoder_mode = True
    try:
        text = _encode(ser.registry.convert(data))
    finally:
        ser.registry._encoder_mode = False
    return ser.registry.restore(json.loads(text, cls=ser.json_decoder_cls))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TASK_DATA)
def test_whatever_passes_the_check_survives_the_store_unchanged(data):
    check_task_data(data)
    assert store_round_trip(data) == data


BAD_LEAVES = st.sampled_from([float("nan"), math.inf, (1,), {1}, dt.date(2024, 1, 1), 10**30, map(str, []), b"x"])


@settings(max_examples=100, deadline=None)
@given(TASK_DATA, st.data())
def test_one_bad_value_anywhere_is_found_and_named(data, draw):
    slots = []

    def collect(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                slots.append((value, key, path + [key]))
                collect(item, path + [key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                slots.append((value, index, path + [index]))
                collect(item, path + [index])

    collect(data, [])
    if not slots:
        data["x"] = None
        slots.append((data, "x", ["x"]))
    holder, key, path = draw.draw(st.sampled_from(slots))
    holder[key] = draw.draw(BAD_LEAVES)
    with pytest.raises(TaskDataRefused) as caught:
        check_task_data(data)
    message = str(caught.value)
    assert "\n" not in message
    named = str(path[0]) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" if p.isidentifier() else f"[{p!r}]"
                                   for p in path[1:])
    if len(named) <= 80:  # longer paths are shown shortened
        assert message.startswith(f"task data {named!r}: "), message


# -- the check itself is bounded ------------------------------------------------------------------------

CHECK_CHILD = PEAK_KB + """
import sys
from engine.sandbox import environment as sandbox
from engine.runtime.datacheck import check_task_data
from engine.errors import TaskDataRefused
data = {}
sandbox.execute(sys.argv[1], data)
try:
    check_task_data(data)
    print("passed")
except TaskDataRefused as err:
    print(err)
print(peak_kb())
"""


@pytest.mark.parametrize("what", ["a list 9,000 deep", "a dict that holds itself", "aliased rows"])
def test_checking_hostile_data_takes_little_time_and_memory(what):
    """The walk stops at the first problem: 5,000 aliases of a 1,000-item row (25 MB of JSON, as the
    574 MB store was made) are refused after 16 MB worth, without writing any of it."""
    script, line = SCRIPTS[what]
    proc = subprocess.run([sys.executable, "-c", CHECK_CHILD, script], cwd=REPO, capture_output=True, text=True,
                          timeout=10)
    assert proc.returncode == 0, proc.stderr
    message, max_rss = proc.stdout.strip().splitlines()
    assert message == line
    assert int(max_rss) < 300_000  # kB

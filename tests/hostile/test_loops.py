"""A loop cannot grow without end: multi-instance counts and standard loops are capped, in one line.

Before issue 13 a multi-instance script task with `loopCardinality` `10**9` ate memory (parallel) or
ran for hours (sequential), and a standard loop whose condition never turned false ran forever: each
was killed from outside after 30 s. Now the count is checked after the activity's pre-script and before
any child exists, and a standard loop stops at its cap (the programme's `max_instances`, 500 by
default): the task fails (exit 3) in one line naming it, and nothing is saved.
"""

from __future__ import annotations

import pytest

from bounded import payload, refused, run
from conftest import PM, store_bytes

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d_{pid}" targetNamespace="http://example.com/{pid}">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare" name="Prepare" scriptFormat="python"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:script>{prepare}</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="work" name="Work" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>{loop}<bpmn:script>done = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def cardinality(text: str, sequential: bool = False) -> str:
    return (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}"><bpmn:loopCardinality '
            f'xsi:type="bpmn:tFormalExpression">{text}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>')


OVER_ITEMS = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>'
              '<bpmn:inputDataItem id="item"/></bpmn:multiInstanceLoopCharacteristics>')


def standard(condition: str, maximum: str | None = None) -> str:
    most = f' loopMaximum="{maximum}"' if maximum else ""
    return (f'<bpmn:standardLoopCharacteristics{most}><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">'
            f'{condition}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>')


CASES = {
    # name: (pre-script, loop, what the one line says)
    "parallel, a billion by cardinality": ("n = 1", cardinality("10**9"),
                                           "task 'work': 1000000000 instances, more than the 500 a multi-instance"),
    "sequential, a billion by cardinality": ("n = 1", cardinality("10**9", sequential=True),
                                             "task 'work': 1000000000 instances, more than the 500"),
    "cardinality from the data": ("n = 10**6", cardinality("n"), "task 'work': 1000000 instances, more than the 500"),
    "a collection of 5000 rows": ("items = list(range(5000))", OVER_ITEMS, "task 'work': 5000 instances, more than"),
    "a cardinality that is text": ("n = 1", cardinality("'many'"),
                                   "task 'work': its loop cardinality is str 'many', not a whole number"),
    "a standard loop that never ends": ("n = 1", standard("True"), "task 'work': its loop ran 500 times"),
    "a standard loop with a billion as its maximum": ("n = 1", standard("True", "1000000000"),
                                                      "task 'work': its loop ran 500 times"),
}


def models_with(tmp_path, pid: str, prepare: str, loop: str):
    folder = tmp_path / "models"
    folder.mkdir(exist_ok=True)
    (folder / f"{pid}.bpmn").write_text(MODEL.format(pid=pid, prepare=prepare, loop=loop), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", list(CASES))
def test_a_loop_that_would_grow_without_end_fails_the_task_in_one_line(tmp_path, name):
    prepare, loop, words = CASES[name]
    folder = models_with(tmp_path, "looping", prepare, loop)
    db = tmp_path / "store" / "phasegate.db"
    assert run("--models", folder, "processes", db=db).returncode == 0
    before = store_bytes(db)
    refused(run("--models", folder, "start", "looping", db=db, user=PM), 3, words)
    assert store_bytes(db) == before


@pytest.mark.parametrize("loop", [cardinality("3"), cardinality("3", sequential=True), OVER_ITEMS,
                                  standard("n &lt; 3", "5")])
def test_a_loop_within_its_cap_runs_to_the_end(tmp_path, loop):
    prepare = "items = [1, 2, 3]\nn = 0" if "loopDataInputRef" in loop else "n = 0"
    folder = models_with(tmp_path, "looping", prepare, loop.replace("done = 1", "n = n + 1"))
    outcome = run("--models", folder, "start", "looping", "--json", db=tmp_path / "s.db", user=PM)
    assert outcome.returncode == 0, outcome.stderr
    assert payload(outcome)["status"] == "completed"


CAPPED = """
import sys
from dataclasses import replace
from pathlib import Path
from engine.api import Engine
from engine.errors import TaskFailed
from processes.programme import build
folder, db, cap = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
engine = Engine.open(db, replace(build(folder), max_instances=cap))
try:
    print(engine.start("looping", "周涛").status)
except TaskFailed as err:
    print(err)
"""


def test_the_programme_sets_the_cap(tmp_path):
    import subprocess
    import sys

    from bounded import REPO

    folder = models_with(tmp_path, "looping", "n = 1", cardinality("10"))
    # in a process of its own: the caps are installed into the library once an engine runs there
    outcomes = [subprocess.run([sys.executable, "-c", CAPPED, str(folder), str(tmp_path / f"{cap}.db"), str(cap)],
                               cwd=REPO, capture_output=True, text=True, timeout=120) for cap in (5, 10)]
    assert [o.stdout.strip() for o in outcomes] == [
        "task 'work': 10 instances, more than the 5 a multi-instance activity may have", "completed"], outcomes


def test_the_library_still_checks_through_the_seams_the_caps_use():
    """Contract 7 (engine/spiff/__init__.py): both multi-instance kinds run their parent's update hook
    before they make a child, and a standard loop makes every iteration through `create_child`."""
    import inspect

    from SpiffWorkflow.bpmn.specs.mixins import multiinstance_task as mi

    for kind, makes in ((mi.ParallelMultiInstanceTask, "self.create_children(my_task)"),
                        (mi.SequentialMultiInstanceTask, "self.add_next_child(my_task)")):
        source = inspect.getsource(kind._update_hook)
        assert source.index("super()._update_hook(my_task)") < source.index(makes), kind
    assert "self.create_child(my_task)" in inspect.getsource(mi.StandardLoopTask._update_hook)
    assert "self.create_child(my_task)" in inspect.getsource(mi.StandardLoopTask.merge_child)
    assert "_update_hook" not in vars(mi.LoopTask)


SPIN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d_spin" targetNamespace="http://example.com/spin">
  <bpmn:process id="spinning" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="init" name="Init" scriptFormat="python"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:script>n = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="merge"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>back</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="work" name="Work" scriptFormat="python"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="again" default="out"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>back</bpmn:outgoing>
      <bpmn:outgoing>out</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>out</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="init"/>
    <bpmn:sequenceFlow id="f1" sourceRef="init" targetRef="merge"/>
    <bpmn:sequenceFlow id="f2" sourceRef="merge" targetRef="work"/>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="again"/>
    <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="merge">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="out" sourceRef="again" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_loop_of_gateways_and_scripts_that_never_waits_fails_in_one_line(tmp_path):
    """Found by the sweep: a script and a gateway looping back forever, no person or timer in between,
    ran past 30 s inside one engine advance. Now one command runs at most 2,500 engine steps."""
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "spinning.bpmn").write_text(SPIN.format(condition="True"), encoding="utf-8")
    db = tmp_path / "store" / "phasegate.db"
    refused(run("--models", folder, "start", "spinning", db=db, user=PM), 3,
            "more than 2500 engine steps without waiting for a person or a timer")
    assert not db.parent.exists()


def test_a_loop_of_gateways_that_ends_runs_to_the_end(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "spinning.bpmn").write_text(SPIN.format(condition="n &lt; 100"), encoding="utf-8")
    outcome = run("--models", folder, "start", "spinning", "--json", db=tmp_path / "s.db", user=PM)
    assert outcome.returncode == 0, outcome.stderr
    assert payload(outcome)["status"] == "completed"

"""A team member measures phasegate on a folder of BPMN files other tools wrote (`python -m bench.corpus`):
each file is linted, drawn, laid out, diffed against itself, started and driven to its end, and every
failure is counted under a reason."""

from __future__ import annotations

import json

from bench import corpus

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://example.com/corpus">
"""

# A clerk fills in a form, a day passes on a timer, the process ends.
RUNS = HEAD + """  <bpmn:process id="runs" name="Runs" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_clerks" name="Clerks">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>wait</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="Asked"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill" name="Fill in"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="wait" name="A day"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" name="Done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

# A picture only: the tool that wrote it marked it not executable.
PICTURE = HEAD + """  <bpmn:process id="picture" name="Picture" isExecutable="false">
    <bpmn:startEvent id="start" name="Begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="work" name="Work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>
    <bpmn:endEvent id="end" name="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

# A Camunda 7 Java delegate: phasegate refuses a service task that names no operator.
DELEGATE = HEAD + """  <bpmn:process id="delegate" name="Delegate" isExecutable="true">
    <bpmn:startEvent id="start" name="Begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="call" name="Call Java">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="end" name="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_team_member_measures_three_files_and_reads_the_counts_and_reasons(tmp_path):
    for tool, name, text in (("modeler", "runs.bpmn", RUNS), ("modeler", "picture.bpmn", PICTURE),
                             ("java", "delegate.bpmn", DELEGATE)):
        (tmp_path / "corpus" / tool).mkdir(parents=True, exist_ok=True)
        (tmp_path / "corpus" / tool / name).write_text(text, encoding="utf-8")
    out = tmp_path / "CORPUS.md"

    assert corpus.main([str(tmp_path / "corpus"), str(tmp_path / "absent"), "-o", str(out), "--json"]) == 0

    saved = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    result = saved["summary"]
    assert result["total"] == {"files": 3, "lint ran": 3, "lint clean": 0, "render": 3, "layout": 3,
                               "diff-self same": 3, "executable": 1, "start ok": 1, "ran to end": 1}
    assert result["by_source"]["java"]["start ok"] == 0 and result["by_source"]["modeler"]["ran to end"] == 1
    assert result["processes"] == {"executable": 1, "started": 1, "completed": 1}
    assert result["reasons"] == [
        {"command": "start", "reason": "service task needs an operator", "count": 1},
        {"command": "start", "reason": "not executable", "count": 1},
    ]
    delegate = next(f for f in saved["files"] if f["path"].endswith("delegate.bpmn"))
    assert delegate["catalog"]["code"] == 2
    assert delegate["catalog"]["stderr"] == ("phasegate: model-invalid: delegate.bpmn: process 'delegate': "
                                             "A Service Task must have an operator. (element 'call')")
    runs = next(f for f in saved["files"] if f["path"].endswith("runs.bpmn"))
    assert runs["processes"][0]["process_id"] == "runs" and runs["processes"][0]["end"]["ok"] is True
    report = out.read_text(encoding="utf-8")
    assert "| **all** | 3 | 3 (100 %) | 0 (0 %) | 3 (100 %) | 3 (100 %) | 3 (100 %) | 1 (33 %) | 1 (33 %) | 1 (33 %) |" in report
    assert "| start | service task needs an operator | 1 |" in report


def test_a_command_killed_after_its_timeout_counts_as_a_hang():
    assert corpus.step(corpus.Outcome(None), "render") == corpus.Step(
        ok=False, code=None, reason="hang (timeout)", stderr="(timeout)")

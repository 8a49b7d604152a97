"""A generated model as large as a hostile (or merely enormous) file can be: a chain of N tasks over a few
lanes, every one with a name, with no diagram (render and layout must compute one)."""

from __future__ import annotations

from pathlib import Path

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="big_defs"
    targetNamespace="http://example.com/big">
  <bpmn:collaboration id="big_collab">
    <bpmn:participant id="big_pool" name="Big" processRef="big"/>
  </bpmn:collaboration>
  <bpmn:process id="big" name="Big" isExecutable="true">
"""


def big_model(path: Path, tasks: int, lanes: int = 4) -> Path:
    """Write a model of `tasks` user tasks in a chain from a start to an end event, spread over `lanes`."""
    ids = ["start"] + [f"task_{i}" for i in range(tasks)] + ["end"]
    parts = [HEAD, '    <bpmn:laneSet id="big_lanes">\n']
    for lane in range(lanes):
        members = [ids[i] for i in range(len(ids)) if i % lanes == lane]
        refs = "".join(f"<bpmn:flowNodeRef>{m}</bpmn:flowNodeRef>" for m in members)
        parts.append(f'      <bpmn:lane id="lane_{lane}" name="Lane {lane}">{refs}</bpmn:lane>\n')
    parts.append("    </bpmn:laneSet>\n")
    parts.append('    <bpmn:startEvent id="start"><bpmn:outgoing>f_0</bpmn:outgoing></bpmn:startEvent>\n')
    for i in range(tasks):
        parts.append(f'    <bpmn:userTask id="task_{i}" name="Review item number {i} with care">'
                     f'<bpmn:incoming>f_{i}</bpmn:incoming><bpmn:outgoing>f_{i + 1}</bpmn:outgoing></bpmn:userTask>\n')
    parts.append(f'    <bpmn:endEvent id="end"><bpmn:incoming>f_{tasks}</bpmn:incoming></bpmn:endEvent>\n')
    for i in range(tasks + 1):
        parts.append(f'    <bpmn:sequenceFlow id="f_{i}" sourceRef="{ids[i]}" targetRef="{ids[i + 1]}"/>\n')
    parts.append("  </bpmn:process>\n</bpmn:definitions>\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path

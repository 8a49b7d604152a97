"""BPMN signals sent into a workflow from outside: `phasegate signal NAME`.

SpiffWorkflow 3.2 starts an event sub-process whose start event catches a signal (interrupting or
not) when the signal reaches the top workflow's event manager: `EventManager.catch(event,
internal=False)` creates the sub-process through `BpmnStartTask.trigger_specs` and then lets its
start event catch (`bpmn/util/event.py:34-70`). A signal thrown inside the process (an intermediate
throw event) takes the same path. Two traps, both handled here:

- the event definition sent must be equal to the one the catching event holds, and equality is
  `__class__ is` (`event_definitions/base.py:46`): the Spiff parser builds its own subclass, so the
  definition is taken from the model itself, never constructed;
- `BpmnWorkflow.send_event` raises a bare `WorkflowException` when nothing catches; the count of
  catching events is returned instead.

A non-interrupting event sub-process starts anew for every signal, beside any already running.

A third, in the spec: the first trigger connects the start task to the event sub-process's task spec
at run time (`BpmnStartTask.trigger_wf`, `bpmn/specs/control.py:49-53`), and nothing serialized keeps
that edge, so in the next process the finished sub-process fails with "No input task connected".
`connect_triggers` gives each triggerable task spec its inputs when a spec is restored, without the
start task's output edge (which would make every new instance of a shared spec start it at once).
"""

from __future__ import annotations


def _definitions(workflow):
    """Every signal event definition a catching event of the workflow's model holds, by signal name."""
    from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
    from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent

    found = {}
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(task_spec, CatchingEvent) and isinstance(definition, SignalEventDefinition):
                found.setdefault(definition.name, definition)
    return found


def signal_names(workflow) -> list[str]:
    """The names of the signals some event of this workflow's model catches, sorted."""
    return sorted(_definitions(workflow))


def send_signal(workflow, name: str) -> int:
    """Deliver the signal `name` to the workflow; returns how many events caught it (0: none)."""
    from SpiffWorkflow.bpmn.util.event import BpmnEvent

    definition = _definitions(workflow).get(name)
    if definition is None:
        return 0
    return workflow.event_manager.catch(BpmnEvent(definition), internal=False)


def connect_triggers(spec) -> None:
    """Give every event sub-process of `spec` that a start event triggers the input and output edges
    `BpmnStartTask.trigger_wf` adds on first use, so the check `self not in spec.inputs` there finds them
    and the library adds no output edge to the start task."""
    start = getattr(spec, "start", None)
    for name in getattr(start, "trigger_specs", None) or ():
        task_spec = spec.task_specs.get(name)
        if task_spec is None:
            continue
        if start not in task_spec.inputs:  # `inputs` is a property over names: set it, never append
            task_spec.inputs = [*task_spec.inputs, start]
        if spec.end not in task_spec.outputs:
            task_spec.connect(spec.end)

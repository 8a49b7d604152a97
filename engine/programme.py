"""What a programme gives the engine: its models folder, forms, service handlers, default roster,
time zone and the words its pictures and documents use.

The engine knows no department, KPI or programme wording; `processes/programme.py` builds one of
these and passes it in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Wording:
    """The words of comparison pictures and change lists (`diagrams/compare.py`, `diagrams/bundle.py`).

    Attributes:
        before, after: the titles over the two versions of a comparison.
        added, removed, changed, unchanged: the legend of a comparison.
        change_list: the heading of a change list.
    """

    before: str = "before"
    after: str = "after"
    added: str = "added"
    removed: str = "removed"
    changed: str = "changed"
    unchanged: str = "unchanged"
    change_list: str = "change list"


@dataclass(frozen=True)
class Programme:
    """One explicit bundle of everything programme-specific.

    Attributes:
        name: shown in headers.
        bpmn_dir: folder of the BPMN and DMN files.
        forms: user-task id (or "process_id:task_id") → pydantic model of its form.
        start_forms: process id → pydantic model of the data given at start.
        handlers: service-task operator id → function(**params) → JSON-able dict.
        validators: name a form uses for a check across its fields → function(values) that raises
            ValueError with the message a person reads.
        roster: lane name → people; seeds a new store, then administrators edit the store.
        admin_lanes: lanes whose members may change who is in which lane.
        zone: IANA time zone for dates and times written without one (timers, `--now`).
        wording: the words of comparison pictures and change lists.
        max_instances: the most instances one multi-instance activity may make, and the most
            iterations of one standard loop (a larger count fails the task in one line).
        language: the language phasegate speaks to the programme's people by default ("zh", "en").
    """

    name: str
    bpmn_dir: Path
    forms: Mapping[str, type] = field(default_factory=dict)
    start_forms: Mapping[str, type] = field(default_factory=dict)
    handlers: Mapping[str, Callable[..., dict]] = field(default_factory=dict)
    validators: Mapping[str, Callable[[dict], None]] = field(default_factory=dict)
    roster: Mapping[str, list[str]] = field(default_factory=dict)
    admin_lanes: tuple[str, ...] = ()
    zone: str = "UTC"
    wording: Wording = field(default_factory=Wording)
    max_instances: int = 500
    language: str = "en"

    def form_for(self, process_id: str, task_id: str):
        """The form model of a user task, preferring a process-specific entry."""
        return self.forms.get(f"{process_id}:{task_id}") or self.forms.get(task_id)

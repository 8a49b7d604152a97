"""Workflow (de)serialization with the spec kept apart: stored once per model version, not per instance."""

from __future__ import annotations

import json
from functools import lru_cache

SPEC_KEYS = ("spec", "subprocess_specs")


@lru_cache(maxsize=1)
def serializer():
    """The library's serializer with phasegate's converters, registered through `configure`: the
    workflow subclass and the clocked timers, each under the library's typename (stored specs and
    states read and write exactly as the library's)."""
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer

    config = {**serializer_config(), _workflow_class(): _workflow_converter_class()}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def serializer_config() -> dict:
    """The library's `SPIFF_CONFIG` plus the clocked timers' converters: what a plain
    `BpmnWorkflowSerializer` needs to write the specs phasegate restores (the benchmark's peer).
    Its JSON is the library's, typename for typename."""
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    from engine.spiff import timers

    return {**SPIFF_CONFIG, **timers.converters()}


def __getattr__(name: str):
    if name == "SERIALIZER_CONFIG":  # `from engine.spiff import SERIALIZER_CONFIG`, built on first use
        return serializer_config()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


WORKFLOW_TYPENAME = "BpmnWorkflow"


def _workflow_class():
    from engine.spiff.workflow import Workflow

    return Workflow


def _workflow_converter_class():
    from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter

    class WorkflowConverter(BpmnWorkflowConverter):
        """The library's workflow converter for phasegate's `Workflow`, under the library's typename."""

        def __init__(self, target_class, registry):
            super().__init__(target_class, registry, WORKFLOW_TYPENAME)

    return WorkflowConverter


def serializer_version() -> str:
    return serializer().VERSION


def spec_to_dict(spec, subprocess_specs) -> dict:
    """The JSON-able form of a process spec and the specs it calls."""
    ser = serializer()
    dct = {"spec": ser.to_dict(spec), "subprocess_specs": {str(k): ser.to_dict(v) for k, v in subprocess_specs.items()}}
    return json.loads(json.dumps(dct, cls=_encoder_class()))


@lru_cache(maxsize=1)
def _encoder_class():
    """The serializer's JSON encoder: registered types (dates, UUIDs, events) by their converters."""
    from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder

    ser = serializer()
    return create_encoder(ser.registry, ser.json_encoder_cls)


_SPEC_CACHE_SIZE = 8
_spec_cache: dict[str, tuple] = {}  # spec JSON text → restored (spec, subprocess specs), newest last


def restore_spec(spec_json: str) -> tuple:
    """The process spec and sub-process specs of a model version, restored once per process and text.

    Specs are read-only while workflows run (the parser hands one spec to many workflows), so every
    instance of a version shares the same objects instead of rebuilding ~50 task specs per command.
    """
    found = _spec_cache.pop(spec_json, None)
    if found is None:
        ser = serializer()
        dct = json.loads(spec_json, cls=ser.json_decoder_cls)
        found = (ser.from_dict(dct["spec"]),
                 {name: ser.from_dict(sub) for name, sub in dct["subprocess_specs"].items()})
        from engine.spiff.signals import connect_triggers

        for restored in (found[0], *found[1].values()):
            connect_triggers(restored)
        while len(_spec_cache) >= _SPEC_CACHE_SIZE:
            _spec_cache.pop(next(iter(_spec_cache)))
    _spec_cache[spec_json] = found
    return found


def dump_state(workflow) -> str:
    """The instance's state as JSON text, without its spec.

    The same dictionary `serializer().serialize_json(workflow)` writes, minus `spec`,
    `subprocess_specs` and the version, built without converting the spec at all (it is stored once
    per model version). Values are left to the encoder as the library's encoder mode leaves them (a
    dict is only cleaned of callables). A finished task's JSON is kept on the workflow and reused
    while its tree links and data stay the same (issue 6: most of a workflow's tasks are finished,
    and re-encoding them was most of the cost of a save).
    """
    registry = serializer().registry
    # BpmnWorkflowConverter.to_dict's keys, in its order, written in two parts around the tasks mapping
    before = _encode({
        "data": registry.clean(workflow.data),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
    })
    after = _encode({
        "root": str(workflow.task_tree.id),
        "subprocesses": {str(k): registry.convert(v) for k, v in workflow.subprocesses.items()},
        "bpmn_events": workflow.bpmn_events,
        "typename": WORKFLOW_TYPENAME,
    })
    return f'{before[:-1]},"tasks":{_tasks_text(workflow, registry)},{after[1:]}'


FRAGMENTS = "_phasegate_task_json"  # workflow attribute: id(task) → (links, task, data copied, parent's, '"id":JSON')


def _encode(value) -> str:
    """`json.dumps(value, cls=the serializer's encoder, ensure_ascii=False, separators=(",", ":"))`,
    written by python-rapidjson (~3× faster, issue 6) with the library's settings: NaN and Infinity as
    Python writes them, only lists as arrays, bytes, UUIDs and dates to the serializer's `default`.
    What rapidjson refuses (a non-text key, a tuple, an int past its range) is written by `json`."""
    try:
        return _fast_encoder()(value)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return _encoder().encode(value)


@lru_cache(maxsize=1)
def _fast_encoder():
    """A python-rapidjson encoder with those settings, made once (its options parsed once, not per call)."""
    import rapidjson

    default = _encoder().default

    class Encoder(rapidjson.Encoder):
        def default(self, value):
            return default(value)

    return Encoder(ensure_ascii=False, number_mode=rapidjson.NM_NAN, iterable_mode=rapidjson.IM_ONLY_LISTS,
                   mapping_mode=rapidjson.MM_ONLY_DICTS, bytes_mode=rapidjson.BM_NONE)


@lru_cache(maxsize=1)
def _encoder():
    return _encoder_class()(ensure_ascii=False, separators=(",", ":"))


def _tasks_text(workflow, registry) -> str:
    """The workflow's tasks mapping as JSON text, reusing the text of tasks that did not change.

    Two kinds of task keep their text between saves. A finished task (completed, cancelled, error) is
    not run again, but its JSON can still change: through its tree links (a new child, compaction
    splicing its parent out), and through its data, its internal data or its parent's data, which
    SpiffWorkflow changes in place after the task finished (a multi-instance parent merges each
    instance's data into its own; a join's merge writes into nested dicts a finished branch shares).
    So its fingerprint is its links plus a deep copy of its data and internal data, compared by value
    (a NaN never compares equal, so such a task is simply encoded again), and its parent's data: when
    the parent is a finished task checked earlier in the same save (parents come first in the task
    table), the parent's own copy stands for it, compared by identity; otherwise a copy of its own.
    A task with no data and no internal data (a predicted one, mostly) stores only its links and the
    names of its parent's data, which are its fingerprint. Every other task is encoded afresh.
    """
    from engine.spiff.taskdata import copy_data

    from SpiffWorkflow.util.task import TaskState

    finished = TaskState.FINISHED_MASK
    state_of = workflow.__dict__
    known = state_of.get(FRAGMENTS) or {}
    kept = {}
    parts = []
    texts = _UuidTexts(state_of.get(UUID_TEXTS))

    tasks = workflow.tasks
    # Lookups by id(): hashing a UUID is a Python call. A task's parent reference is usually the very
    # key object of the parent (tasks made in this process); after a load it is an equal copy.
    by_key = {id(key): task for key, task in tasks.items()}
    checked = {}  # id(finished task) → the copy of its data that this save found current
    for key, task in tasks.items():
        ref = task._parent
        parent = None if ref is None else by_key.get(id(ref)) or tasks.get(ref)
        state = task._state
        links = (state, task.last_state_change, ref, tuple(task._children), task.triggered)
        entry = known.get(id(task))  # the entry holds the task, so its id() is not reused meanwhile
        if state & finished:
            own = (task.data, task.internal_data)
            shared = None if parent is None else checked.get(id(parent))
            if not (entry is not None and entry[1] is task and entry[0] == links and entry[2] == own
                    and _same_parent_data(entry[3], parent, shared)):
                text = _task_text(key, task, parent, registry, texts)
                above = None if parent is None else (shared, None) if shared is not None else (None, copy_data(parent.data))
                entry = (links, task, (copy_data(own[0]), copy_data(own[1])), above, text)
            checked[id(task)] = entry[2]
        elif not task.data and not task.internal_data:
            links = (links, None if parent is None else tuple(parent.data))
            if not (entry is not None and entry[1] is task and entry[0] == links):
                entry = (links, task, None, None, _task_text(key, task, parent, registry, texts))
        else:
            parts.append(_task_text(key, task, parent, registry, texts))
            continue
        kept[id(task)] = entry
        parts.append(entry[4])
    state_of[FRAGMENTS] = kept
    state_of[UUID_TEXTS] = texts.kept()
    return "{" + ",".join(parts) + "}"


_TEXT = frozenset({str})
UUID_TEXTS = "_phasegate_uuid_texts"  # workflow attribute: ({id(UUID): (that UUID, its text)}, {names: JSON})


class _UuidTexts:
    """`str(uuid)` of the task ids a save writes, remembered from the save before (a UUID's text is
    built by Python code; a task written again names itself, its parent and its children). Keyed by
    id() with the UUID held, so an id is never mistaken for another object's."""

    __slots__ = ("before", "now", "names_before", "names")

    def __init__(self, before: tuple | None):
        self.before, self.names_before = before or ({}, {})
        self.now: dict[int, tuple] = {}
        self.names: dict[tuple, str] = {}

    def names_of(self, data: dict) -> str:
        """The names in `data` as a JSON list (what a task with no data of its own deletes from its
        parent's: most predicted tasks share one such list). Only lists of text names are remembered:
        a text never equals a name of another type, so `1` and `True` are never taken for each other."""
        key = tuple(data)
        found = self.names.get(key)
        if found is None:
            found = self.names_before.get(key)
            if found is None:
                found = _encode(list(key))
                if not set(map(type, key)) <= _TEXT:
                    return found
            self.names[key] = found
        return found

    def kept(self) -> tuple:
        return self.now, self.names

    def of(self, uuid) -> str:
        found = self.now.get(id(uuid))
        if found is None or found[0] is not uuid:
            found = self.before.get(id(uuid))
            if found is None or found[0] is not uuid:
                found = (uuid, str(uuid))
            self.now[id(uuid)] = found
        return found[1]


def _task_text(key, task, parent, registry, texts: _UuidTexts) -> str:
    """`"id":{task JSON}` as `_encode(_task_dict(task, parent, registry))` writes it, with the fields
    of fixed shape (ids, stamp, state, spec name, flag) written directly and only the data, its delta
    and the internal data through the encoder. Any field of another type than the library gives it
    takes the whole task through `_task_dict` and the encoder, as before."""
    head = f'"{texts.of(key)}":'
    stamp, state, triggered, data = task.last_state_change, task._state, task.triggered, task.data
    if (type(task).__name__ != "Task" or type(state) is not int or type(triggered) is not bool
            or type(data) is not dict or not (type(stamp) is float and stamp - stamp == 0.0 or type(stamp) is int)
            or registry.typenames.get(type(task)) != "Task"):
        return head + _encode(_task_dict(task, parent, registry))
    if parent is None:
        data_text, delta_text, parent_text = _encode(data) if data else "{}", "{}", "null"
    else:
        above = parent.data
        data_text, parent_text = "{}", f'"{texts.of(task._parent)}"'
        if not data:  # nothing of its own: every name of the parent's data is deleted
            delta_text = f'{{"updates":{{}},"deletions":{texts.names_of(above) if above else "[]"}}}'
        else:
            updates = {k: v for k, v in data.items() if k not in above or v != above[k]}
            deletions = [k for k in above if k not in data]
            delta_text = (f'{{"updates":{_encode(updates) if updates else "{}"},'
                          f'"deletions":{_encode(deletions) if deletions else "[]"}}}')
    internal = task.internal_data
    children = ",".join(f'"{texts.of(child)}"' for child in task._children)
    return (f'{head}{{"id":"{texts.of(task.id)}","parent":{parent_text},"children":[{children}],'
            f'"last_state_change":{stamp!r},"state":{state},"task_spec":{_spec_name_text(task.task_spec)},'
            f'"triggered":{"true" if triggered else "false"},'
            f'"internal_data":{_encode(registry.clean(internal)) if internal else "{}"},'
            f'"data":{data_text},"delta":{delta_text},"typename":"Task"}}')


def _spec_name_text(spec) -> str:
    return _name_text(spec.name)


@lru_cache(maxsize=4096)
def _name_text(name) -> str:
    """A task spec's name as JSON text (a pure function of the name)."""
    return _encode(name)


def _same_parent_data(above, parent, shared) -> bool:
    """Whether the parent's data is what it was when the entry was made: `above` is None (no parent),
    (a finished parent's current copy, None) or (None, a copy of the parent's data)."""
    if above is None or parent is None:
        return above is None and parent is None
    if above[0] is not None:
        return above[0] is shared
    return shared is None and above[1] == parent.data


def _task_dict(task, parent, registry) -> dict:
    """`registry.convert(task)` in encoder mode: what SpiffWorkflow 3.2's `TaskConverter.to_dict` returns
    plus its typename (data stored as a delta from the parent's), built without the registry's dispatch.
    Values JSON cannot hold are left to the encoder, as in the library; tests compare the two."""
    if type(task).__name__ != "Task" or registry.typenames.get(type(task)) != "Task":
        return registry.convert(task)  # a task class of another kind: let its own converter speak
    data = task.data
    if parent is None:
        stored, delta = data, {}
    else:
        above = parent.data
        stored = {}
        delta = {"updates": {k: v for k, v in data.items() if k not in above or v != above[k]},
                 "deletions": [k for k in above if k not in data]}
    return {
        "id": str(task.id),
        "parent": str(task._parent) if parent is not None else None,
        "children": [str(child) for child in task._children],
        "last_state_change": task.last_state_change,
        "state": task._state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": registry.clean(task.internal_data) if task.internal_data else {},
        "data": stored,
        "delta": delta,
        "typename": "Task",
    }


def load_state(state: str, spec_json: str, stored_version: str):
    """Rebuild a workflow from its state and its model version's spec (JSON text), migrating old formats.

    In the current format the workflow gets the spec objects every instance of the version shares
    (`restore_spec`): the library's converter restores a dict and leaves an object as it is."""
    ser = serializer()
    dct = json.loads(state, cls=ser.json_decoder_cls)
    if stored_version != ser.VERSION:
        dct.update(json.loads(spec_json, cls=ser.json_decoder_cls))
        dct[ser.VERSION_KEY] = stored_version
        ser.migrate(dct)
        workflow = ser.from_dict(dct)
        from engine.spiff.signals import connect_triggers

        for restored in (workflow.spec, *workflow.subprocess_specs.values()):
            connect_triggers(restored)
        return workflow
    else:
        dct["spec"], dct["subprocess_specs"] = restore_spec(spec_json)
    return ser.from_dict(dct)

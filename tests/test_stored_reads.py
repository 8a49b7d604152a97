"""`show` and `form` in a fresh process read the stored state and the forms kept with the version,
without SpiffWorkflow or pydantic (issue 17): at every step of the programme they say exactly what the
engine says from the loaded workflow and the built form model."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.api import Engine
from engine.bpmn.formdefs import Choice, FieldDef, FormDef, from_plain, to_plain
from engine.clock import FakeClock
from engine.reader import Reader
from engine.runtime.forms import build_model, describe, describe_form
from processes.programme import build
from processes.samples import ACTORS, SAMPLES
from test_long_running import PM, PROGRAMME, SERVICE_LOOP

pytestmark = pytest.mark.store


def assert_reads_agree(engine: Engine, instance: int) -> int:
    """The reader's show and form of every READY task equal a fresh engine's (the one-shot CLI's), and
    the reader asks the engine only for a programme's Python form."""
    fresh = Engine(engine.store, engine.programme, engine.clock)
    asked = []
    reader = Reader(engine.store, engine.clock, engine.zone, engine=lambda: asked.append(1) or fresh,
                    programme=lambda: engine.programme)
    expected = fresh.show(instance)
    assert reader.show(instance).model_dump() == expected.model_dump()
    assert engine.show(instance).model_dump() == expected.model_dump()  # the long-running engine's cache too
    assert not asked
    for step in expected.ready:
        assert reader.form(instance, step.task_id).model_dump() == fresh.form(instance, step.task_id).model_dump()
        assert reader.form(instance, step.task_guid[:8]).model_dump() == fresh.form(instance, step.task_id).model_dump()
    # the engine is asked only for a programme's Python form, or a version that keeps no forms (its forms
    # are then read from the current files, as for a version stored before forms were kept)
    kept = '"forms"' in engine.store.model_spec(engine.store.instance(instance)["model_version_id"])
    assert not asked or engine.programme.forms or not kept
    return len(expected.ready)


def drive(engine: Engine, clock: FakeClock, process: str, starter: str, steps: list, samples, actors) -> int:
    instance = engine.start(process, starter).id
    checked = assert_reads_agree(engine, instance)
    for step in steps:
        clock.advance(timedelta(minutes=7))
        if isinstance(step, timedelta):
            clock.advance(step)
            engine.tick()
        else:
            task_id, overrides = step if isinstance(step, tuple) else (step, {})
            ready = {t.task_id: t for t in engine.tasks(every_lane=True, instance_id=instance)}
            engine.complete(instance, task_id, {**samples[task_id], **overrides}, actors[ready[task_id].lane])
        checked += assert_reads_agree(engine, instance)
    assert engine.show(instance).status == "completed"
    return checked


def test_show_and_form_from_the_stored_state_say_what_the_loaded_workflow_says(new_store):
    clock = FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc))
    engine = Engine.open(new_store("reads"), build(), clock)
    forms = drive(engine, clock, "business_adjustment", PM, PROGRAMME, SAMPLES, ACTORS)
    forms += drive(engine, clock, "service_loop_after", ACTORS["客户"], SERVICE_LOOP, SAMPLES, ACTORS)
    assert forms > 40


def test_a_multi_instance_task_and_parallel_branches_read_the_same_from_the_store(new_store):
    from pydantic import BaseModel

    from engine.programme import Programme

    class Fill(BaseModel):
        comment: str

    class Branch(BaseModel):
        info: dict = {}

    programme = Programme(name="reuse", bpmn_dir=Path(__file__).parent / "fixtures" / "reuse",
                          forms={"fill": Fill, "b1": Branch, "b2": Branch, "b3": Branch}, roster={"L": ["u"]})
    clock = FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc))
    engine = Engine.open(new_store("reuse"), programme, clock)
    samples = {"fill": {}, "b1": {}, "b2": {}, "b3": {}, "after": {}}
    fills = [("fill", {"comment": c}) for c in "abc"] + ["after"]
    branches = [("b2", {"info": {"a": {"b": {"x": 1}}}}), ("b3", {"info": {"a": {"b": {"y": 2}}}}), "b1", "after"]
    for process, steps in (("mi", fills), ("par", branches)):
        drive(engine, clock, process, "u", steps, samples, {"L": "u"})


def test_a_state_in_another_format_is_read_by_the_engine(new_store):
    clock = FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc))
    engine = Engine.open(new_store("old"), build(), clock)
    instance = engine.start("service_loop_after", ACTORS["客户"]).id
    engine.store._x("UPDATE instances SET serializer_version = '1.4' WHERE id = ?", (instance,))
    asked = []
    reader = Reader(engine.store, clock, engine.zone, engine=lambda: asked.append(1) or engine)
    assert reader.show(instance).ready[0].task_id == "submit_inquiry" and asked == [1]


def test_the_stored_format_the_reader_knows_is_the_librarys():
    from engine.spiff import TaskState
    from engine.spiff.serializer import serializer_version
    from engine.spiff.stored import FORMAT, STATE_NAMES

    assert FORMAT == serializer_version()
    assert STATE_NAMES == {value: TaskState.get_name(value) for value in STATE_NAMES}
    assert {getattr(TaskState, name) for name in STATE_NAMES.values()} == set(STATE_NAMES)


def designers_forms() -> list[dict]:
    from engine.bpmn.catalog import Catalog

    found = []
    for folder in (Path(__file__).parent.parent / "bpmn", Path(__file__).parent / "fixtures" / "designer"):
        for model in Catalog(folder).parse_all().values():
            found += [plain for forms in model.forms.values() for plain in forms.values()]
    return found


def test_every_designers_form_is_described_as_its_model_describes_it():
    from processes.validators import VALIDATORS

    plains = designers_forms()
    assert len(plains) > 20
    for plain in plains:
        form = from_plain(plain)
        assert describe_form(form) == describe(build_model(form, VALIDATORS)), form.source


_keys = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_values = st.one_of(st.text(max_size=4), st.integers(-5, 5), st.booleans())


@st.composite
def field_defs(draw, depth=0):
    kind = draw(st.sampled_from(["text", "integer", "number", "boolean", "date", "time", "datetime", "choice",
                                 "choices"] + (["rows", "group"] if depth < 2 else [])))
    values = {"key": draw(_keys), "kind": kind, "label": draw(st.sampled_from(["", "标签"])),
              "description": draw(st.sampled_from(["", "说明"])), "required": draw(st.booleans())}
    if kind in ("integer", "number"):
        values["minimum"] = draw(st.one_of(st.none(), st.integers(-3, 0)))
        values["maximum"] = draw(st.one_of(st.none(), st.integers(1, 9)))
        if kind == "number":
            values["exclusive_minimum"] = draw(st.one_of(st.none(), st.just(-4.5)))
        values["default"] = draw(st.one_of(st.none(), st.integers(1, 1)))
    if kind == "text":
        values["min_length"] = draw(st.one_of(st.none(), st.integers(0, 2)))
        values["max_length"] = draw(st.one_of(st.none(), st.integers(3, 9)))
        values["pattern"] = draw(st.one_of(st.none(), st.just("^[a-z]*$")))
        values["default"] = draw(st.one_of(st.none(), st.just("abc")))
    if kind == "boolean":
        values["default"] = draw(st.one_of(st.none(), st.booleans()))
    if kind in ("date", "time", "datetime"):
        text = {"date": "2023-07-03", "time": "09:30", "datetime": "2023-07-03T09:30:00+00:00"}[kind]
        values["default"] = draw(st.one_of(st.none(), st.just(text)))
    if kind in ("choice", "choices"):
        choices = draw(st.lists(_values, max_size=3))
        values["choices"] = tuple(Choice(v, str(v)) for v in choices)
        if kind == "choice" and choices:
            values["default"] = draw(st.one_of(st.none(), st.sampled_from(choices)))
    if kind in ("rows", "choices"):
        values["min_items"] = draw(st.one_of(st.none(), st.integers(0, 2)))
        values["max_items"] = draw(st.one_of(st.none(), st.integers(2, 5)))
    if kind in ("rows", "group"):
        inner = draw(st.lists(field_defs(depth + 1), max_size=3, unique_by=lambda f: f.key))
        values["fields"] = tuple(inner)
    if kind in ("text", "integer", "choice") and draw(st.booleans()):
        values["readonly"] = True
    return FieldDef(**values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(field_defs(), min_size=1, max_size=4, unique_by=lambda f: f.key))
def test_any_form_definition_is_described_as_its_model_describes_it(fields):
    form = from_plain(json.loads(json.dumps(to_plain(FormDef(id="f", source="s", fields=tuple(fields))))))
    try:
        model = build_model(form)
    except Exception:  # a definition pydantic refuses is refused at start or completion, not described
        return
    assert describe_form(form) == describe(model)


def test_processes_lists_from_the_recorded_catalog_what_the_engine_parses(tmp_path, new_store):
    import shutil

    models = tmp_path / "bpmn"
    shutil.copytree(Path(__file__).parent.parent / "bpmn", models)
    clock = FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc))
    engine = Engine.open(new_store("catalog"), build(models), clock)
    asked = []

    def listed():
        fresh = Engine(engine.store, engine.programme, clock)
        reader = Reader(engine.store, clock, engine.zone, engine=lambda: asked.append(1) or fresh, models=models)
        assert [p.model_dump() for p in reader.processes()] == [p.model_dump() for p in fresh.processes()]
        return {p.process_id: p for p in fresh.processes()}

    listed()
    assert asked == [1]  # nothing parsed and recorded yet: the engine parses
    engine.start("service_loop_before", ACTORS["客户"])
    asked.clear()
    before = listed()
    assert asked == [] and before["service_loop_before"].version == 1 and before["business_adjustment"].versions == 1
    path = models / "service_loop_before.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace('name="人工解答咨询"', 'name="人工答复咨询"'), encoding="utf-8")
    changed = listed()
    assert asked == [1] and changed["service_loop_before"].version == 2  # a changed file: parsed, nothing stored
    engine.start("service_loop_after", ACTORS["客户"])  # records the folder as it is now
    asked.clear()
    pending = listed()
    assert asked == [] and pending["service_loop_before"].version == 2 and pending["service_loop_before"].versions == 2
    assert pending["service_loop_before"].history[-1].changes == changed["service_loop_before"].history[-1].changes
    engine.start("service_loop_before", ACTORS["客户"])
    asked.clear()
    assert listed()["service_loop_before"].history[-1].instances == 1 and asked == []


def test_the_catalog_reads_files_as_the_loader_limits_them():
    from engine.bpmn.digest import READ_LIMIT
    from engine.bpmn.loader import MAX_BYTES

    assert READ_LIMIT == MAX_BYTES


def test_the_steps_of_an_embedded_sub_process_read_the_same_from_the_store(new_store):
    """tests/fixtures/subprocess: a user task, an embedded sub-process with two parallel user tasks,
    a user task after it: the stored state holds the sub-process's tree apart, under its host task."""
    from engine.programme import Programme

    programme = Programme(name="sub", bpmn_dir=Path(__file__).parent / "fixtures" / "subprocess", roster={"L": ["u"]})
    clock = FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc))
    engine = Engine.open(new_store("sub"), programme, clock)
    samples = {step: {} for step in ("before", "left", "right", "after")}
    instance = engine.start("sub", "u").id
    engine.complete(instance, "before", {}, "u")
    state = json.loads(engine.store.instance(instance, with_state=True)["state_json"])
    assert state["subprocesses"]  # the case this test is about
    assert {s.task_id for s in engine.show(instance).ready} == {"left", "right"}
    assert_reads_agree(engine, instance)
    drive(engine, clock, "sub", "u", ["before", "right", "left", "after"], samples, {"L": "u"})

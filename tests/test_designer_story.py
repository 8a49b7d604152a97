"""A designer changes a running programme's model as a modeler does, and the people and the running
instances follow — every step a separate `phasegate` process, as at a terminal.

The designer copies bpmn/, adds two user tasks to the customer-service lane (one with inline form
fields, one linked to a new form-js file), renames a step, raises a field's limit, lints, starts an
instance on the new version, and a manager moves an instance started on the old version onto it.
"""

from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree

from conftest import MANAGER, REPO, SERVICE, phasegate_process, store_bytes
from processes.samples import ACTORS, SAMPLES

B = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
CUSTOMER = ACTORS["客户"]

CALLBACK_FIELDS = f"""<bpmn:extensionElements xmlns:bpmn="{B}" xmlns:camunda="{CAMUNDA}"><camunda:formData>
  <camunda:formField id="callback_score" label="回访评分" type="long">
    <camunda:validation><camunda:constraint name="required" /><camunda:constraint name="min" config="1" />
      <camunda:constraint name="max" config="5" /></camunda:validation>
  </camunda:formField>
  <camunda:formField id="callback_note" label="回访记录" type="string" />
</camunda:formData></bpmn:extensionElements>"""

QUALITY_FORM = {
    "id": "quality-record", "type": "default", "schemaVersion": 18,
    "exporter": {"name": "Camunda Modeler", "version": "5.30.0"},
    "components": [
        {"id": "Field_0q1", "key": "quality_ok", "label": "质检通过", "type": "checkbox"},
        {"id": "Field_0q2", "key": "inspector", "label": "质检员", "type": "textfield",
         "validate": {"required": True, "maxLength": 10}},
    ],
}


def q(tag: str) -> str:
    return f"{{{B}}}{tag}"


def add_two_tasks_after_the_answer(path):
    """What the designer draws: answer → 回访登记 (inline fields) → 质检记录 (linked form) → quote."""
    tree = etree.parse(str(path))
    process = tree.getroot().find(q("process"))
    answer = next(n for n in process if n.get("id") == "answer_inquiry")
    answer.set("name", "人工解答咨询（含回访）")                                 # a renamed label
    flow = next(f for f in process.iter(q("sequenceFlow")) if f.get("sourceRef") == "answer_inquiry")
    quote_id = flow.get("targetRef")
    flow.set("targetRef", "Activity_1callbk")
    callback = etree.SubElement(process, q("userTask"), id="Activity_1callbk", name="回访登记")
    callback.append(etree.fromstring(CALLBACK_FIELDS))
    quality = etree.SubElement(process, q("userTask"), id="Activity_0qualty", name="质检记录")
    extensions = etree.SubElement(quality, q("extensionElements"))
    etree.SubElement(extensions, f"{{{ZEEBE}}}formDefinition", formId="quality-record")
    for source, target, flow_id in (("Activity_1callbk", "Activity_0qualty", "Flow_0cb2qa"),
                                    ("Activity_0qualty", quote_id, "Flow_1qa2qt")):
        etree.SubElement(process, q("sequenceFlow"), id=flow_id, sourceRef=source, targetRef=target)
    for node, incoming, outgoing in ((callback, flow.get("id"), "Flow_0cb2qa"), (quality, "Flow_0cb2qa", "Flow_1qa2qt")):
        etree.SubElement(node, q("incoming")).text = incoming
        etree.SubElement(node, q("outgoing")).text = outgoing
    quote = next(n for n in process if n.get("id") == quote_id)
    for incoming in quote.findall(q("incoming")):
        if incoming.text == flow.get("id"):
            incoming.text = "Flow_1qa2qt"
    lane = next(la for la in process.iter(q("lane")) if la.get("name") == "客服中心")
    for node_id in ("Activity_1callbk", "Activity_0qualty"):
        etree.SubElement(lane, q("flowNodeRef")).text = node_id
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def raise_callback_max(path, new_max: int):
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name="max" config="5"', f'name="max" config="{new_max}"'), encoding="utf-8")


def run(*args, db, models, user=None):
    return phasegate_process("--models", models, *args, db=db, user=user)


def ok(*args, db, models, user=None):
    result = run(*args, "--json", db=db, models=models, user=user)
    assert result.returncode == 0, f"{args}: {result.stderr}"
    return json.loads(result.stdout)


def complete(db, models, instance, task_id, values, user):
    return run("complete", instance, task_id, "--data", json.dumps(values, ensure_ascii=False),
               db=db, models=models, user=user)


def test_a_designer_edits_the_model_and_a_running_instance_follows_to_its_end(tmp_path):
    models, db = tmp_path / "models", tmp_path / "store" / "phasegate.db"
    shutil.copytree(REPO / "bpmn", models)
    old = ok("start", "service_loop_before", db=db, models=models, user=CUSTOMER)["id"]
    assert complete(db, models, old, "submit_inquiry", SAMPLES["submit_inquiry"], CUSTOMER).returncode == 0

    model = models / "service_loop_before.bpmn"
    add_two_tasks_after_the_answer(model)
    raise_callback_max(model, 10)                    # the designer raises the score's limit
    (models / "quality.form").write_text(json.dumps(QUALITY_FORM, ensure_ascii=False), encoding="utf-8")
    laid = run("layout", model, "-o", model, db=db, models=models)   # the Modeler draws the new shapes
    assert laid.returncode == 0, laid.stderr
    lint = run("lint", models, db=db, models=models)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    new = ok("start", "service_loop_before", db=db, models=models, user=CUSTOMER)
    assert new["model_version"] == 2
    for step in ("submit_inquiry", "answer_inquiry"):
        values, lane = SAMPLES[step], CUSTOMER if step == "submit_inquiry" else SERVICE
        assert complete(db, models, new["id"], step, values, lane).returncode == 0
    fields = ok("form", new["id"], "Activity_1callbk", db=db, models=models)["fields"]
    assert [(f["name"], f["title"], f["required"]) for f in fields] == [
        ("callback_score", "回访评分", True), ("callback_note", "回访记录", False)]
    assert fields[0]["limits"] == {"minimum": 1, "maximum": 10}

    before = store_bytes(db)
    refused = complete(db, models, new["id"], "Activity_1callbk", {"callback_score": 11}, SERVICE)
    assert refused.returncode == 6
    assert refused.stderr.strip() == ("phasegate: invalid-form: invalid values for task 'Activity_1callbk': "
                                      "callback_score: Input should be less than or equal to 10")
    assert store_bytes(db) == before
    assert complete(db, models, new["id"], "Activity_1callbk", {"callback_score": 8}, SERVICE).returncode == 0
    missing = complete(db, models, new["id"], "Activity_0qualty", {"quality_ok": True}, SERVICE)
    assert missing.returncode == 6 and "inspector: Field required" in missing.stderr

    dry = ok("migrate", old, db=db, models=models, user=MANAGER)
    assert [(m["from_version"], m["to_version"], m["migrated"]) for m in dry] == [(1, 2, False)]
    assert dry[0]["tasks"] == [{"task_id": "answer_inquiry", "state": "READY", "to": "answer_inquiry", "how": "kept"}]
    assert ok("show", old, db=db, models=models)["model_version"] == 1
    done = ok("migrate", old, "--yes", db=db, models=models, user=MANAGER)
    assert done[0]["migrated"] is True
    assert ok("show", old, db=db, models=models)["model_version"] == 2
    history = ok("history", old, db=db, models=models)
    assert history[-1]["action"] == "migrate" and history[-1]["actor"] == MANAGER
    assert history[-1]["data"]["from_version"] == 1 and history[-1]["data"]["to_version"] == 2

    steps = [("answer_inquiry", SAMPLES["answer_inquiry"], SERVICE),
             ("Activity_1callbk", {"callback_score": 9}, SERVICE),
             ("Activity_0qualty", {"quality_ok": True, "inspector": "黄丽"}, SERVICE)] + [
        (step, SAMPLES[step], ACTORS[lane]) for step, lane in (
            ("prepare_quote", "市场部"), ("place_order", "客户"), ("deliver_order", "运营部"))] + [
        ("confirm_receipt", {"has_issue": False, "issue_text": "", "satisfaction_score": 5}, CUSTOMER)]
    for step, values, person in steps:
        result = complete(db, models, old, step, values, person)
        assert result.returncode == 0, (step, result.stderr)
    assert ok("show", old, db=db, models=models)["status"] == "completed"


def rename_answer_task(model):
    text = model.read_text(encoding="utf-8")
    for old, new in (('"answer_inquiry"', '"Activity_0answer"'), (">answer_inquiry<", ">Activity_0answer<"),
                     ("answer_inquiry_to", "Activity_0answer_to"), ("to_answer_inquiry", "to_Activity_0answer")):
        text = text.replace(old, new)
    model.write_text(text, encoding="utf-8")


def drop_answer_task(model):
    """The designer deletes 人工解答咨询: the inquiry goes straight to the quote."""
    tree = etree.parse(str(model))
    root = tree.getroot()
    process = root.find(q("process"))
    answer = next(n for n in process if n.get("id") == "answer_inquiry")
    into = next(f for f in process.iter(q("sequenceFlow")) if f.get("targetRef") == "answer_inquiry")
    out = next(f for f in process.iter(q("sequenceFlow")) if f.get("sourceRef") == "answer_inquiry")
    into.set("targetRef", out.get("targetRef"))
    quote = next(n for n in process if n.get("id") == out.get("targetRef"))
    for incoming in quote.findall(q("incoming")):
        if incoming.text == out.get("id"):
            incoming.text = into.get("id")
    for gone in (answer, out):
        gone.getparent().remove(gone)
    for ref in list(process.iter(q("flowNodeRef"))):
        if ref.text == "answer_inquiry":
            ref.getparent().remove(ref)
    for shape in list(root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape",
                                "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")):
        if shape.get("bpmnElement") in ("answer_inquiry", out.get("id")):
            shape.getparent().remove(shape)
    tree.write(str(model), xml_declaration=True, encoding="UTF-8")


def started_and_inquired(tmp_path):
    models, db = tmp_path / "models", tmp_path / "store" / "phasegate.db"
    shutil.copytree(REPO / "bpmn", models)
    old = ok("start", "service_loop_before", db=db, models=models, user=CUSTOMER)["id"]
    assert complete(db, models, old, "submit_inquiry", SAMPLES["submit_inquiry"], CUSTOMER).returncode == 0
    return models, db, old


def test_a_renamed_task_moves_with_the_instance(tmp_path):
    models, db, old = started_and_inquired(tmp_path)
    rename_answer_task(models / "service_loop_before.bpmn")
    plan = ok("migrate", old, db=db, models=models, user=MANAGER)
    assert plan[0]["tasks"] == [{"task_id": "answer_inquiry", "state": "READY", "to": "Activity_0answer", "how": "moved"}]
    ok("migrate", old, "--yes", db=db, models=models, user=MANAGER)
    ready = [t["task_id"] for t in ok("tasks", "--instance", old, "--all", db=db, models=models)]
    assert ready == ["Activity_0answer"]


def test_a_migration_that_would_lose_a_ready_task_is_refused_until_mapped(tmp_path):
    models, db, old = started_and_inquired(tmp_path)
    drop_answer_task(models / "service_loop_before.bpmn")
    plan = run("migrate", old, db=db, models=models, user=MANAGER)
    before = store_bytes(db)
    refused = run("migrate", old, "--yes", db=db, models=models, user=MANAGER)
    assert plan.returncode == refused.returncode == 7
    assert refused.stderr.strip() == ("phasegate: migration-refused: instance 1 (service_loop_before v1 → v2): "
                                      "refused: ready task 'answer_inquiry' has no place in v2 "
                                      "(name one with --map answer_inquiry=NEW_ID)")
    assert store_bytes(db) == before
    mapped = ok("migrate", old, "--map", "answer_inquiry=prepare_quote", "--yes", db=db, models=models, user=MANAGER)
    assert mapped[0]["tasks"] == [{"task_id": "answer_inquiry", "state": "READY", "to": "prepare_quote", "how": "mapped"}]
    quote = complete(db, models, old, "prepare_quote", SAMPLES["prepare_quote"], ACTORS["市场部"])
    assert quote.returncode == 0, quote.stderr


def test_only_an_administrator_migrates_and_a_refusal_changes_nothing(tmp_path):
    models, db = tmp_path / "models", tmp_path / "store" / "phasegate.db"
    shutil.copytree(REPO / "bpmn", models)
    old = ok("start", "service_loop_before", db=db, models=models, user=CUSTOMER)["id"]
    add_two_tasks_after_the_answer(models / "service_loop_before.bpmn")
    (models / "quality.form").write_text(json.dumps(QUALITY_FORM, ensure_ascii=False), encoding="utf-8")
    before = store_bytes(db)
    refused = run("migrate", old, "--yes", db=db, models=models, user=SERVICE)
    assert refused.returncode == 5 and len(refused.stderr.strip().splitlines()) == 1
    bad_map = run("migrate", old, "--map", "submit_inquiry=nowhere", db=db, models=models, user=MANAGER)
    assert bad_map.returncode == 2
    assert bad_map.stderr.strip() == ("phasegate: bad-input: --map: the current version of service_loop_before "
                                      "has no task 'nowhere'")
    assert store_bytes(db) == before


@pytest.mark.store  # rerun on PostgreSQL by `make test`
def test_a_completion_racing_a_migration_wins_and_the_migration_changes_nothing(tmp_path, new_store):
    """Two terminals at once: a person completes the task while the manager's migration is computing;
    the migration's save finds the instance changed meanwhile, and the person's completion is kept."""
    from engine.api import Engine
    from engine.errors import ChangedMeanwhile
    from processes.programme import build

    models = tmp_path / "models"
    shutil.copytree(REPO / "bpmn", models)
    location = new_store()
    manager, person = Engine.open(location, build(models)), Engine.open(location, build(models))
    instance = person.start("service_loop_before", CUSTOMER, {}).id
    person.complete(instance, "submit_inquiry", SAMPLES["submit_inquiry"], CUSTOMER)
    add_two_tasks_after_the_answer(models / "service_loop_before.bpmn")
    (models / "quality.form").write_text(json.dumps(QUALITY_FORM, ensure_ascii=False), encoding="utf-8")

    advance = manager.runner.advance

    def advance_while_someone_completes(workflow):
        person.complete(instance, "answer_inquiry", SAMPLES["answer_inquiry"], SERVICE)
        return advance(workflow)

    manager.runner.advance = advance_while_someone_completes
    with pytest.raises(ChangedMeanwhile):
        manager.migrate(MANAGER, instance_id=instance, apply=True)
    shown = person.show(instance)
    assert shown.model_version == 1 and [s.task_id for s in shown.ready] == ["prepare_quote"]
    assert [h.action for h in person.history(instance)] == ["start", "complete", "complete"]

"""What an element does when it runs, as plain comparable data: the part of a model `diff` must see.

A diagram can look the same while a script, a service call, a form or an assignment changed; and a
re-export can drop an attribute that only restated its default without changing anything. This
module reads the behaviour of one element (scripts, pre/post scripts, service operators and their
parameters, Camunda implementations, forms inline or in `.form`/JSON-schema files beside the model,
decisions and their rules, assignments, loops, event details) and the attributes that differ from
their BPMN defaults.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from engine.bpmn.namespaces import BPMN, CAMUNDA, DMN_MODELS, SPIFFWORKFLOW, ZEEBE

DEFAULTS = {"cancelActivity": "true", "triggeredByEvent": "false", "isForCompensation": "false",
            "instantiate": "false", "eventGatewayType": "Exclusive", "parallelMultiple": "false",
            "isInterrupting": "true", "implementation": ("##unspecified", "##WebService"),
            "startQuantity": "1", "completionQuantity": "1", "gatewayDirection": "Unspecified",
            "isImmediate": None, "isSequential": "false"}
CAMUNDA_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority",
                      "class", "expression", "delegateExpression", "type", "topic", "resultVariable",
                      "decisionRef", "formKey", "formRef", "calledElementBinding", "asyncBefore", "asyncAfter")
CAMUNDA_DEFAULTS = {"asyncBefore": "false", "asyncAfter": "false"}
FILE_LIMIT = 2 * 1024 * 1024


def without_defaults(attributes: dict[str, str]) -> dict[str, str]:
    """The attributes that say something: those equal to their BPMN default are dropped."""
    out = {}
    for key, value in attributes.items():
        default = DEFAULTS.get(key, object())
        if value == default or (isinstance(default, tuple) and value in default):
            continue
        out[key] = value
    return out


def behaviour(node, folder: Path | None = None) -> dict[str, object]:
    """The behaviour of one BPMN element (an lxml node) as field → comparable value."""
    found: dict[str, object] = {}
    script = node.find(f"{{{BPMN}}}script")
    if script is not None and (script.text or "").strip():
        found["script"] = _text(script.text)
    for tag, label in (("preScript", "pre-script"), ("postScript", "post-script")):
        item = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFFWORKFLOW}}}{tag}")
        if item is not None and (item.text or "").strip():
            found[label] = _text(item.text)
    operator = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFFWORKFLOW}}}serviceTaskOperator")
    if operator is not None:
        found["service"] = operator.get("id")
        params = {p.get("id"): f"{p.get('value')} ({p.get('type')})"
                  for p in operator.iter(f"{{{SPIFFWORKFLOW}}}parameter")}
        if params:
            found["parameters"] = params
        if operator.get("resultVariable"):
            found["result variable"] = operator.get("resultVariable")
    camunda = {k: node.get(f"{{{CAMUNDA}}}{k}") for k in CAMUNDA_ATTRIBUTES
               if node.get(f"{{{CAMUNDA}}}{k}") not in (None, CAMUNDA_DEFAULTS.get(k))}
    if camunda:
        found["camunda"] = camunda
    for item in node.iter(f"{{{ZEEBE}}}taskDefinition", f"{{{ZEEBE}}}assignmentDefinition",
                          f"{{{ZEEBE}}}calledDecision", f"{{{ZEEBE}}}formDefinition", f"{{{ZEEBE}}}calledElement"):
        found[f"zeebe {etree.QName(item).localname}"] = dict(sorted(item.attrib.items()))
    io = _io_mappings(node)
    if io:
        found["input/output"] = io
    decision = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFFWORKFLOW}}}calledDecisionId")
    if decision is not None and (decision.text or "").strip():
        found["decision"] = decision.text.strip()
    properties = {p.get("name"): p.get("value") for p in node.iter(f"{{{SPIFFWORKFLOW}}}property")}
    if properties:
        found["properties"] = properties
    form = _form(node, folder, properties)
    if isinstance(form, dict) and "fields" in form and isinstance(form["fields"], list):
        found["form"] = {k: v for k, v in form.items() if k != "fields"} or "inline"
        for item in form["fields"]:
            if "key" in item:
                found[f"form field {item['key']}"] = _field_summary(item)
            else:
                found["form validators"] = ", ".join(item.get("validators", []))
    elif form is not None:
        found["form"] = form
    decision_id = found.get("decision") or camunda.get("decisionRef") or \
        (found.get("zeebe calledDecision") or {}).get("decisionId")
    if decision_id and folder is not None:
        rules = decision_rules(folder, decision_id)
        if rules is not None:
            found["decision rules"] = rules
    loop = node.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics")
    if loop is not None:
        found["loop"] = {etree.QName(child).localname: _text(child.text) for child in loop if isinstance(child.tag, str)}
        found["loop"].update(without_defaults(dict(loop.attrib)))
        found["loop"].update({f"spiff {k}": v for k, v in loop.attrib.items() if k.startswith("{")})
    for definition in node:
        if not isinstance(definition.tag, str) or not etree.QName(definition).localname.endswith("EventDefinition"):
            continue
        name = etree.QName(definition).localname.removesuffix("EventDefinition")
        details = {k: v for k, v in definition.attrib.items() if k != "id"}
        condition = definition.find(f"{{{BPMN}}}condition")
        if condition is not None:
            details["condition"] = _text(condition.text)
        if details:
            found[f"{name} event"] = details
    return found


def _io_mappings(node) -> dict:
    out = {}
    for item in node.iter(f"{{{CAMUNDA}}}inputParameter", f"{{{CAMUNDA}}}outputParameter",
                          f"{{{ZEEBE}}}input", f"{{{ZEEBE}}}output"):
        kind = etree.QName(item).localname
        key = item.get("name") or item.get("target") or ""
        out[f"{kind} {key}"] = item.get("source") if item.get("source") is not None else _text(item.text)
    return out


def _form(node, folder: Path | None, properties: dict) -> object | None:
    from engine.bpmn.formdefs import form_reference, read_camunda_form_data, read_form_js, to_plain
    from engine.errors import ModelInvalid

    try:
        inline = read_camunda_form_data(node, "model")
        if inline is not None:
            return {"fields": _fields_of(to_plain(inline))}
        link = form_reference(node)
    except ModelInvalid as err:
        return f"(unreadable: {err})"
    if link is not None and link[0] == "embedded":
        try:
            return {"embedded": True, "fields": _fields_of(to_plain(read_form_js(link[1], "embedded")))}
        except ModelInvalid as err:
            return f"(unreadable: {err})"
    if folder is None:
        return {"formId": link[1]} if link else None
    if link is not None:
        for path in sorted(folder.glob("*.form")):
            text = _read(path)
            if text is not None and f'"{link[1]}"' in text:
                try:
                    form = read_form_js(text, path.name)
                except ModelInvalid:
                    continue
                if form.id == link[1]:
                    return {"formId": link[1], "fields": _fields_of(to_plain(form))}
        return {"formId": link[1], "fields": "(no such form file)"}
    schema = properties.get("formJsonSchemaFilename")
    if schema:
        text = _read(folder / Path(schema).name)
        try:
            return {"JSON schema": schema, "schema": json.loads(text) if text is not None else "(no such file)"}
        except ValueError:
            return {"JSON schema": schema, "schema": "(not JSON)"}
    return None


def _field_summary(item: dict) -> str:
    """One field in a line: `number, required, 1..50 "预算金额（万元）"`; rows list their own fields."""
    parts = [item.get("kind", "?")]
    for flag in ("required", "readonly"):
        if item.get(flag):
            parts.append(flag)
    low, high = item.get("minimum"), item.get("maximum")
    if low is not None or high is not None:
        parts.append(f"{'' if low is None else low}..{'' if high is None else high}")
    if item.get("min_length") is not None or item.get("max_length") is not None:
        parts.append(f"length {item.get('min_length') or 0}..{item.get('max_length') or ''}")
    if item.get("min_items") is not None or item.get("max_items") is not None:
        parts.append(f"rows {item.get('min_items') or 0}..{item.get('max_items') or ''}")
    if item.get("pattern"):
        parts.append(f"pattern {item['pattern']}")
    if item.get("default") is not None:
        parts.append(f"default {item['default']!r}")
    if item.get("choices"):
        parts.append("one of " + "/".join(str(c["value"]) for c in item["choices"]))
    if item.get("fields"):
        inner = "; ".join(f"{f['key']}: {_field_summary({k: v for k, v in f.items() if v not in (None, (), [], '', False)})}"
                          for f in item["fields"])
        parts.append(f"[{inner}]")
    return ", ".join(parts) + (f' "{item["label"]}"' if item.get("label") and item["label"] != item.get("key") else "")


def _fields_of(plain: dict) -> list:
    return [{k: v for k, v in f.items() if v not in (None, (), [], "", False)} for f in plain["fields"]] + (
        [{"validators": list(plain["validators"])}] if plain.get("validators") else [])


def decision_rules(folder: Path, decision_id: str) -> list | None:
    """The rules of decision `decision_id` in the `.dmn` files of `folder` (inputs → outputs), or None."""
    for path in sorted(folder.glob("*.dmn")):
        text = _read(path)
        if text is None or decision_id not in text:
            continue
        try:
            root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        for ns in DMN_MODELS:
            for decision in root.iter(f"{{{ns}}}decision"):
                if decision.get("id") != decision_id:
                    continue
                rules = []
                for rule in decision.iter(f"{{{ns}}}rule"):
                    cells = [_text(t.text) for t in rule.iter(f"{{{ns}}}text")]
                    rules.append(" | ".join(cells))
                return rules
    return None


def _read(path: Path) -> str | None:
    from engine.files import Unreadable, read_regular

    try:
        return read_regular(path, FILE_LIMIT).decode("utf-8")
    except (Unreadable, UnicodeDecodeError):
        return None


def _text(text: str | None) -> str:
    """Script or expression text without the indentation and trailing blanks a re-export changes."""
    lines = [line.rstrip() for line in (text or "").strip("\n").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)

"""What an element does when it runs, as plain comparable data: the part of a model `diff` must see.

A diagram can look the same while a script, a service call, a form or an assignment changed; and a
re-export can drop an attribute that only restated its default without changing anything. This
module reads the behaviour of one element (scripts, pre/post scripts, the instructions a person
reads, service operators and their parameters, Camunda implementations, connectors and listeners,
input/output mappings, forms inline or in `.form`/JSON-schema files beside the model, decisions and
their rules, assignments, loops, event details, message payloads and correlations) and the attributes
that differ from their BPMN defaults. Only the element's own extensions count (a sub-process does not
take on its children's), and Camunda 7 extensions are read in both namespaces it accepts (`camunda:`
and the legacy `activiti:`).
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from engine.bpmn.namespaces import ACTIVITI, BPMN, CAMUNDA, DMN_MODELS, SPIFFWORKFLOW, ZEEBE

DEFAULTS = {"cancelActivity": "true", "triggeredByEvent": "false", "isForCompensation": "false",
            "instantiate": "false", "eventGatewayType": "Exclusive", "parallelMultiple": "false",
            "isInterrupting": "true", "implementation": ("##unspecified", "##WebService"),
            "startQuantity": "1", "completionQuantity": "1", "gatewayDirection": "Unspecified",
            "isImmediate": None, "isSequential": "false"}
CAMUNDA_NAMESPACES = (CAMUNDA, ACTIVITI)
CAMUNDA_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority",
                      "class", "expression", "delegateExpression", "type", "topic", "resultVariable",
                      "decisionRef", "decisionRefBinding", "mapDecisionResult", "formKey", "formRef",
                      "calledElementBinding", "calledElementVersion", "asyncBefore", "asyncAfter", "exclusive",
                      "collection", "elementVariable", "initiator", "errorCodeVariable", "errorMessageVariable")
CAMUNDA_DEFAULTS = {"asyncBefore": "false", "asyncAfter": "false", "exclusive": "true"}
CAMUNDA_ALIASES = {"async": "asyncBefore"}  # Camunda 7's older spelling
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
    own = _own_extensions(node)
    script = node.find(f"{{{BPMN}}}script")
    if script is not None and (script.text or "").strip():
        found["script"] = _text(script.text)
    for tag, label in (("preScript", "pre-script"), ("postScript", "post-script"), ("instructionsForEndUser", "instructions")):
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
    camunda = _camunda_attributes(node)
    if camunda:
        found["camunda"] = camunda
    for item in _iter(own, (ZEEBE,), "taskDefinition", "assignmentDefinition", "calledDecision", "formDefinition",
                      "calledElement"):
        found[f"zeebe {etree.QName(item).localname}"] = dict(sorted(item.attrib.items()))
    connector = next(_iter(own, CAMUNDA_NAMESPACES, "connectorId"), None)
    if connector is not None:
        found["connector"] = (connector.text or "").strip()
    io = _io_mappings(own)
    if io:
        found["input/output"] = io
    listeners = _listeners(own)
    if listeners:
        found["listeners"] = listeners
    for tag, label in (("messagePayload", "message payload"), ("messageVariable", "message variable")):
        item = next(_iter(own, (SPIFFWORKFLOW,), tag), None)
        if item is not None and (item.text or "").strip():
            found[label] = _text(item.text)
    correlation = _correlation(node)
    if correlation:
        found["message correlation"] = correlation
    decision = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFFWORKFLOW}}}calledDecisionId")
    if decision is not None and (decision.text or "").strip():
        found["decision"] = decision.text.strip()
    properties = {p.get("name"): p.get("value") for p in _iter(own, (SPIFFWORKFLOW,), "property")}
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


def _own_extensions(node) -> list:
    """The `extensionElements` of the element itself and of its event and loop definitions (not of children)."""
    holders = [node] + [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname.endswith(
        ("EventDefinition", "LoopCharacteristics"))]
    return [ext for holder in holders for ext in holder.findall(f"{{{BPMN}}}extensionElements")]


def _iter(extensions: list, namespaces: tuple, *names: str):
    tags = [f"{{{ns}}}{name}" for ns in namespaces for name in names]
    for ext in extensions:
        yield from ext.iter(*tags)


def _camunda_attributes(node) -> dict:
    out = {}
    for ns in CAMUNDA_NAMESPACES:
        for key in CAMUNDA_ATTRIBUTES + tuple(CAMUNDA_ALIASES):
            value = node.get(f"{{{ns}}}{key}")
            name = CAMUNDA_ALIASES.get(key, key)
            if value is not None and value != CAMUNDA_DEFAULTS.get(name):
                out.setdefault(name, value)
    return dict(sorted(out.items()))


def _io_mappings(extensions: list) -> dict:
    out = {}
    for item in _iter(extensions, CAMUNDA_NAMESPACES, "inputParameter", "outputParameter"):
        out[f"{etree.QName(item).localname} {item.get('name') or ''}"] = _camunda_value(item)
    for item in _iter(extensions, (ZEEBE,), "input", "output"):
        out[f"{etree.QName(item).localname} {item.get('target') or ''}"] = item.get("source")
    return out


def _camunda_value(item) -> object:
    """A Camunda 7 parameter's value: its text, or the `camunda:map`, `camunda:list` or `camunda:script` it holds."""
    for child in item:
        if not isinstance(child.tag, str) or etree.QName(child).namespace not in CAMUNDA_NAMESPACES:
            continue
        kind = etree.QName(child).localname
        if kind == "map":
            return {entry.get("key"): _camunda_value(entry) for entry in child
                    if isinstance(entry.tag, str) and etree.QName(entry).localname == "entry"}
        if kind == "list":
            return [_camunda_value(value) for value in child if isinstance(value.tag, str)]
        if kind == "script":
            return _script(child)
    return _text(item.text)


def _script(item) -> str:
    source = f"resource {item.get('resource')}" if item.get("resource") else _text(item.text)
    return f"{item.get('scriptFormat') or 'script'}: {source}"


def _listeners(extensions: list) -> list[str]:
    """Execution and task listeners (Camunda 7 and 8), one line each: `execution start: class Foo`."""
    out = []
    for item in _iter(extensions, CAMUNDA_NAMESPACES + (ZEEBE,), "executionListener", "taskListener"):
        kind = etree.QName(item).localname.removesuffix("Listener")
        if etree.QName(item).namespace == ZEEBE:
            how = f"job {item.get('type')}" + (f" (retries {item.get('retries')})" if item.get("retries") else "")
            out.append(f"{kind} {item.get('eventType')}: {how}")
            continue
        script = next((c for c in item if isinstance(c.tag, str) and etree.QName(c).localname == "script"), None)
        how = next((f"{key} {item.get(key)}" for key in ("class", "expression", "delegateExpression") if item.get(key)),
                   _script(script) if script is not None else "")
        out.append(f"{kind} {item.get('event')}: {how}")
    return out


def _correlation(node) -> dict:
    """How the messages this element sends or receives are correlated: property → retrieval expression."""
    messages = {node.get("messageRef")} | {d.get("messageRef") for d in node.findall(f"{{{BPMN}}}messageEventDefinition")}
    messages.discard(None)
    if not messages:
        return {}
    out = {}
    for prop in node.getroottree().getroot().iter(f"{{{BPMN}}}correlationProperty"):
        for expression in prop.findall(f"{{{BPMN}}}correlationPropertyRetrievalExpression"):
            if expression.get("messageRef") in messages:
                formal = expression.find(f"{{{BPMN}}}messagePath")
                if formal is None:
                    formal = expression.find(f"{{{BPMN}}}formalExpression")
                out[f"{prop.get('name') or prop.get('id')} ({expression.get('messageRef')})"] = _text(
                    formal.text if formal is not None else "")
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
        for decision in decisions(root).values():
            if decision["id"] == decision_id:
                return list(decision["rules"].values())
    return None


def decisions(root) -> dict[str, dict]:
    """The decision tables of a parsed DMN file, by decision id: name, hit policy, inputs (label and
    expression), outputs (name) and each rule's cells (`input | … | output | …`) by rule id."""
    found = {}
    for ns in DMN_MODELS:
        for decision in root.iter(f"{{{ns}}}decision"):
            table = decision.find(f"{{{ns}}}decisionTable")
            entry = {"id": decision.get("id"), "name": decision.get("name") or "",
                     "hit policy": table.get("hitPolicy") or "UNIQUE" if table is not None else None,
                     "inputs": [], "outputs": [], "rules": {}}
            for item in decision.iter(f"{{{ns}}}input"):
                expression = item.find(f"{{{ns}}}inputExpression/{{{ns}}}text")
                entry["inputs"].append(f"{item.get('label') or ''}: {_text(expression.text if expression is not None else '')}")
            entry["outputs"] = [item.get("name") or item.get("label") or "" for item in decision.iter(f"{{{ns}}}output")]
            for number, rule in enumerate(decision.iter(f"{{{ns}}}rule"), 1):
                cells = [_text(t.text) for t in rule.iter(f"{{{ns}}}text")]
                entry["rules"][rule.get("id") or f"rule {number}"] = " | ".join(cells)
            found[entry["id"]] = entry
    return found


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

"""Form definitions where designers write them, read into plain data.

Three places a modeler puts a user task's (or start event's) form, all read into one `FormDef`:

- inline Camunda 7 fields, as the Modeler's properties panel writes them
  (`<camunda:formData><camunda:formField .../>` with `<camunda:validation>` constraints and
  `<camunda:value>` options);
- a form-js `.form` file beside the models (what Camunda Modeler's form editor saves), linked from
  the task by `<zeebe:formDefinition formId=".."/>` or `camunda:formRef=".."` (older Camunda 8 files
  embed the JSON in `<zeebe:userTaskForm>` and link it by `formKey="camunda-forms:bpmn:ID"`);
- nothing: the task takes no values.

A form-js component's custom `properties` carry what its panel cannot: `minItems`/`maxItems` bound the
rows of a dynamiclist or the entries of a taglist/checklist (a taglist without values takes any words), `exclusiveMinimum` a number (value > bound),
`lane` names the lane whose members the field's people must be (checked against the store's lanes).

What a form cannot say (a check across fields) is named here and written in Python by the programme:
`<camunda:constraint name="validator" config="NAME"/>` or a component's `properties.validator`.
Readers never import pydantic: building the model is `engine.runtime.forms`' job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.bpmn.namespaces import BPMN, CAMUNDA, ZEEBE
from engine.errors import ModelInvalid
from engine.i18n import Phrase


FORM_FILE_LIMIT = 2 * 1024 * 1024  # a form file larger than this is refused, not read
KINDS = ("text", "integer", "number", "boolean", "date", "time", "datetime", "choice", "choices", "rows", "group")


@dataclass(frozen=True)
class Choice:
    """One option of a choice field: the stored value and the label a person sees."""

    value: Any
    label: str


@dataclass(frozen=True)
class FieldDef:
    """One input of a form, as plain data. `kind` is one of KINDS; `fields` holds a row's or group's inputs."""

    key: str
    kind: str
    label: str = ""
    description: str = ""
    required: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[Choice, ...] = ()
    readonly: bool = False
    fields: tuple["FieldDef", ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    exclusive_minimum: float | None = None
    lane: str | None = None


@dataclass(frozen=True)
class FormDef:
    """A whole form: where it came from (for messages), its inputs and its named cross-field validators."""

    id: str
    source: str
    fields: tuple[FieldDef, ...] = ()
    validators: tuple[str, ...] = ()
    title: str = ""
    digest_text: str = field(default="", compare=False)


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _where(path: str | Path, element) -> str:
    line = getattr(element, "sourceline", None)
    return f"{path}:{line}" if line else str(path)


# ---------------------------------------------------------------------------------------------
# Camunda 7 inline fields
# ---------------------------------------------------------------------------------------------
CAMUNDA_TYPES = {"string": "text", "long": "integer", "boolean": "boolean", "date": "date", "enum": "choice"}
CAMUNDA_CONSTRAINTS = {"required", "minlength", "maxlength", "min", "max", "readonly", "validator"}


def read_camunda_form_data(element, path: str | Path) -> FormDef | None:
    """The inline `camunda:formData` of a task or start event, or None when it has none."""
    data = element.find(f"{_q(BPMN, 'extensionElements')}/{_q(CAMUNDA, 'formData')}")
    if data is None:
        return None
    fields, validators = [], []
    for item in data.findall(_q(CAMUNDA, "formField")):
        definition, named = _camunda_field(item, element, path)
        fields.append(definition)
        validators.extend(named)
    _no_duplicate_keys(fields, element, path)
    return FormDef(id=element.get("id", ""), source=f"{Path(path).name} ({element.get('id')})",
                   fields=tuple(fields), validators=tuple(validators))


def _camunda_field(item, element, path) -> tuple[FieldDef, list[str]]:
    key = item.get("id") or ""
    where = f"{_where(path, item)}: form field {key!r} of {element.get('id')!r}"
    if not key.isidentifier():
        raise ModelInvalid("{where}: the field id must be a variable name", where=where)
    type_name = item.get("type") or "string"
    if type_name not in CAMUNDA_TYPES:
        raise ModelInvalid("{where}: unknown field type {type_name!r} (known: {value})", where=where, type_name=type_name, value=', '.join(CAMUNDA_TYPES))
    kind = CAMUNDA_TYPES[type_name]
    limits: dict[str, Any] = {}
    validators: list[str] = []
    required = readonly = False
    for constraint in item.iterfind(f"{_q(CAMUNDA, 'validation')}/{_q(CAMUNDA, 'constraint')}"):
        name, config = constraint.get("name") or "", constraint.get("config")
        if name not in CAMUNDA_CONSTRAINTS:
            raise ModelInvalid("{where}: unknown constraint {name!r} (known: {value})", where=where, name=name, value=', '.join(sorted(CAMUNDA_CONSTRAINTS)))
        if name == "required":
            required = True
        elif name == "readonly":
            readonly = True
        elif name == "validator":
            if not config:
                raise ModelInvalid("{where}: the validator constraint names no validator", where=where)
            validators.append(config)
        else:
            limits[name] = _number(config, f"{where}: constraint {name!r}", integer=name in ("minlength", "maxlength"))
    choices = tuple(Choice(value.get("id"), value.get("name") or value.get("id"))
                    for value in item.findall(_q(CAMUNDA, "value")))
    if kind == "choice" and not choices:
        raise ModelInvalid("{where}: an enum field needs at least one camunda:value", where=where)
    default = _camunda_default(item.get("defaultValue"), kind, where)
    return FieldDef(key=key, kind=kind, label=item.get("label") or key, required=required, default=default,
                    minimum=limits.get("min"), maximum=limits.get("max"), min_length=limits.get("minlength"),
                    max_length=limits.get("maxlength"), choices=choices, readonly=readonly), validators


def _camunda_default(text: str | None, kind: str, where: str):
    if text is None or text == "":
        return None
    if text.startswith("${") or text.startswith("#{"):
        raise ModelInvalid("{where}: an expression as default value is not supported ({text!r})", where=where, text=text[:40])
    if kind == "integer":
        return int(_number(text, f"{where}: defaultValue", integer=True))
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ModelInvalid("{where}: defaultValue of a boolean field must be true or false", where=where)
        return text.lower() == "true"
    return text


def _number(text: str | None, where: str, integer: bool = False):
    try:
        value = float(text) if text is not None else None
    except ValueError:
        value = None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        raise ModelInvalid("{where} needs a number, not {value!r}", where=where, value=str(text)[:40])
    if integer:
        if value != int(value):
            raise ModelInvalid("{where} needs a whole number, not {value!r}", where=where, value=str(text)[:40])
        return int(value)
    return int(value) if value == int(value) and "." not in text else value


# ---------------------------------------------------------------------------------------------
# form-js files
# ---------------------------------------------------------------------------------------------
INPUTS = {"textfield": "text", "textarea": "text", "number": "number", "checkbox": "boolean",
          "checklist": "choices", "radio": "choice", "select": "choice", "taglist": "choices",
          "datetime": "datetime", "dynamiclist": "rows", "group": "group"}
DISPLAY = {"text", "spacer", "separator", "table", "image", "html", "button", "iframe", "expression",
           "documentPreview", "filepicker"}


def read_form_js(text: str | bytes, source: str) -> FormDef:
    """A form-js schema (the JSON of a `.form` file) as a FormDef; ModelInvalid names `source` on error."""
    try:
        schema = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise ModelInvalid("{source}: not a form-js file: {name}", source=source, name=type(err).__name__) from None
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        raise ModelInvalid('{source}: not a form-js file: no "components" list', source=source)
    form_id = schema.get("id")
    if not isinstance(form_id, str) or not form_id:
        raise ModelInvalid('{source}: a form-js file needs an "id" (the formId tasks link to)', source=source)
    validators: list[str] = []
    fields = _components(schema["components"], source, validators, depth=0)
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name in str(properties.get("validator") or properties.get("validators") or "").split(","):
        if name.strip():
            validators.append(name.strip())
    digest = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    return FormDef(id=form_id, source=source, fields=tuple(fields), validators=tuple(validators),
                   title=str(schema.get("title") or form_id), digest_text=digest)


def _components(components: list, source: str, validators: list[str], depth: int) -> list[FieldDef]:
    if depth > 8:
        raise ModelInvalid("{source}: groups nested deeper than 8 levels", source=source)
    fields: list[FieldDef] = []
    for component in components:
        if not isinstance(component, dict):
            raise ModelInvalid("{source}: a component is not a JSON object", source=source)
        kind_name = component.get("type")
        where = f"{source}: component {component.get('id') or component.get('key') or kind_name!r}"
        if kind_name in DISPLAY:
            continue
        if kind_name not in INPUTS:
            raise ModelInvalid("{where}: unknown component type {value!r}", where=where, value=str(kind_name)[:40])
        properties = component.get("properties") if isinstance(component.get("properties"), dict) else {}
        if properties.get("validator"):
            validators.extend(n.strip() for n in str(properties["validator"]).split(",") if n.strip())
        inner = component.get("components") if isinstance(component.get("components"), list) else []
        if kind_name == "group" and not component.get("path"):
            fields.extend(_components(inner, source, validators, depth + 1))
            continue
        fields.append(_component(component, kind_name, inner, where, source, validators, depth, properties))
    _no_duplicate_keys(fields, None, source)
    return fields


def _component(component, kind_name, inner, where, source, validators, depth, properties) -> FieldDef:
    key = component.get("path") if kind_name in ("group", "dynamiclist") else component.get("key")
    if not isinstance(key, str) or not key.isidentifier():
        raise ModelInvalid('{where}: needs a "key" (or "path") that is a variable name', where=where)
    validate = component.get("validate") if isinstance(component.get("validate"), dict) else {}
    kind = INPUTS[kind_name]
    if kind == "number" and component.get("decimalDigits") == 0:
        kind = "integer"
    if kind == "datetime":
        kind = {"date": "date", "time": "time"}.get(component.get("subtype"), "datetime")
    choices = ()
    if kind in ("choice", "choices"):
        values = component.get("values")
        if isinstance(values, list) and values:
            choices = tuple(Choice(v.get("value"), str(v.get("label", v.get("value")))) for v in values
                            if isinstance(v, dict) and "value" in v)
        elif kind_name != "taglist" and not component.get("valuesKey") and not component.get("valuesExpression"):
            raise ModelInvalid('{where}: a {kind_name} needs "values" or "valuesKey"', where=where, kind_name=kind_name)
    pattern = validate.get("pattern")
    if validate.get("validationType") == "email":
        pattern = pattern or r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    elif validate.get("validationType") == "phone":
        pattern = pattern or r"^\+?[0-9 ()\-]{6,20}$"
    nested = tuple(_components(inner, source, validators, depth + 1)) if kind in ("rows", "group") else ()
    limit = _limits(validate, where)
    return FieldDef(
        key=key, kind=kind, label=str(component.get("label") or key), description=str(component.get("description") or ""),
        required=bool(validate.get("required")), default=component.get("defaultValue"),
        minimum=limit.get("min"), maximum=limit.get("max"), min_length=limit.get("minLength"),
        max_length=limit.get("maxLength"), pattern=pattern, choices=choices,
        readonly=component.get("readonly") is True or component.get("disabled") is True, fields=nested,
        min_items=_count(properties.get("minItems"), where), max_items=_count(properties.get("maxItems"), where),
        exclusive_minimum=_bound(properties.get("exclusiveMinimum"), f"{where}: properties.exclusiveMinimum"),
        lane=str(properties["lane"]) if properties.get("lane") else None)


def _limits(validate: dict, where: str) -> dict:
    out = {}
    for name in ("min", "max", "minLength", "maxLength"):
        if validate.get(name) is not None:
            out[name] = _number(str(validate[name]), f"{where}: validate.{name}", integer=name.endswith("Length"))
    return out


def _bound(value, where: str) -> float | None:
    return None if value in (None, "") else _number(str(value), where)


def _count(value, where: str) -> int | None:
    return None if value in (None, "") else _number(str(value), f"{where}: {value!r}", integer=True)


def _no_duplicate_keys(fields: list[FieldDef], element, source) -> None:
    seen = set()
    for item in fields:
        if item.key in seen:
            owner = f" of {element.get('id')!r}" if element is not None else ""
            raise ModelInvalid("{source}: the field {key!r}{owner} is declared twice", source=source, key=item.key, owner=owner)
        seen.add(item.key)


# ---------------------------------------------------------------------------------------------
# Links from a task to a form file
# ---------------------------------------------------------------------------------------------
def form_reference(element) -> tuple[str, str] | None:
    """How a task links a form: ("formId", id), ("embedded", json text) or None."""
    extensions = element.find(_q(BPMN, "extensionElements"))
    if extensions is not None:
        definition = extensions.find(_q(ZEEBE, "formDefinition"))
        if definition is not None:
            if definition.get("formId"):
                return "formId", definition.get("formId")
            key = definition.get("formKey") or ""
            if key.startswith("camunda-forms:bpmn:"):
                return "embedded", _embedded_form(element, key.removeprefix("camunda-forms:bpmn:"))
    if element.get(_q(CAMUNDA, "formRef")):
        return "formId", element.get(_q(CAMUNDA, "formRef"))
    return None


def _embedded_form(element, form_key: str) -> str:
    root = element.getroottree().getroot()
    for form in root.iter(_q(ZEEBE, "userTaskForm")):
        if form.get("id") == form_key:
            return form.text or ""
    raise ModelInvalid("{where}: {element_id!r} links the embedded form {form_key!r}, which the file does not hold", where=_where(element.base or '', element), element_id=element.get('id'), form_key=form_key)


def read_form_files(folder: Path) -> dict[str, FormDef]:
    """Every `.form` file directly in `folder`, by form id; a broken or duplicate one is ModelInvalid."""
    forms: dict[str, FormDef] = {}
    from engine.files import Unreadable, read_regular

    for path in sorted(Path(folder).glob("*.form")):
        try:
            data = read_regular(path, FORM_FILE_LIMIT, Phrase("form file"))
        except Unreadable as err:
            raise ModelInvalid.retelling(err) from None
        form = read_form_js(data, path.name)
        if form.id in forms:
            raise ModelInvalid("{name}: form id {id!r} is also the id of {source}", name=path.name, id=form.id, source=forms[form.id].source)
        forms[form.id] = form
    return forms


# ---------------------------------------------------------------------------------------------
# The forms of a model file, and their plain-data form kept with a model version
# ---------------------------------------------------------------------------------------------
START = "start"  # key of a process's start form beside its user tasks' ids


def forms_in(tree, path: Path, form_files: dict[str, FormDef]) -> dict[str, dict[str, FormDef]]:
    """Process id → {user task id or START: its form} for every form a designer declared in the file.

    A link to a form id no `.form` file of the folder has is ModelInvalid naming file and element.
    """
    found: dict[str, dict[str, FormDef]] = {}
    for process in tree.getroot().iter(_q(BPMN, "process")):
        forms: dict[str, FormDef] = {}
        for element in process.iter(_q(BPMN, "userTask"), _q(BPMN, "startEvent")):
            form = _form_of(element, path, form_files)
            if form is None:
                continue
            if element.tag == _q(BPMN, "startEvent"):
                if element.getparent() is process:
                    forms[START] = form
            else:
                forms[element.get("id")] = form
        if forms:
            found[process.get("id")] = forms
    return found


def _form_of(element, path: Path, form_files: dict[str, FormDef]) -> FormDef | None:
    inline = read_camunda_form_data(element, path.name)
    link = form_reference(element)
    if inline is not None and link is not None:
        raise ModelInvalid("{where}: {element_id!r} has both inline form fields and a linked form; keep one", where=_where(path.name, element), element_id=element.get('id'))
    if inline is not None or link is None:
        return inline
    kind, value = link
    if kind == "embedded":
        return read_form_js(value, f"{path.name} ({element.get('id')})")
    if value not in form_files:
        known = ", ".join(sorted(form_files)) or "none"
        raise ModelInvalid("{where}: {element_id!r} links form {form_id!r}, which no .form file beside the model has (form ids here: {known})", where=_where(path.name, element), element_id=element.get('id'), form_id=value, known=known)
    return form_files[value]


def to_plain(form: FormDef) -> dict:
    """A FormDef as JSON-able data, stored with its model version."""
    from dataclasses import asdict

    plain = asdict(form)
    plain.pop("digest_text", None)
    return plain


def from_plain(plain: dict) -> FormDef:
    """The FormDef `to_plain` wrote."""
    return FormDef(id=plain["id"], source=plain["source"], fields=tuple(_field_from(f) for f in plain["fields"]),
                   validators=tuple(plain.get("validators", ())), title=plain.get("title", ""))


def _field_from(plain: dict) -> FieldDef:
    values = dict(plain)
    values["choices"] = tuple(Choice(c["value"], c["label"]) for c in plain.get("choices", ()))
    values["fields"] = tuple(_field_from(f) for f in plain.get("fields", ()))
    return FieldDef(**values)

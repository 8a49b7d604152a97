"""Form validation at the engine boundary: pydantic models in, plain JSON data out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.errors import InvalidForm
from engine.i18n import N_, Phrase

# pydantic's messages for the checks forms use, as catalog templates over the error's `ctx`: a problem
# is shown through its template only when the template gives back pydantic's own English exactly.
PYDANTIC_MESSAGES = {
    "missing": (N_("Field required"),),
    "extra_forbidden": (N_("Extra inputs are not permitted"),),
    "greater_than": (N_("Input should be greater than {gt}"),),
    "greater_than_equal": (N_("Input should be greater than or equal to {ge}"),),
    "less_than": (N_("Input should be less than {lt}"),),
    "less_than_equal": (N_("Input should be less than or equal to {le}"),),
    "string_too_short": (N_("String should have at least {min_length} character"),
                         N_("String should have at least {min_length} characters")),
    "string_too_long": (N_("String should have at most {max_length} character"),
                        N_("String should have at most {max_length} characters")),
    "too_short": (N_("List should have at least {min_length} item after validation, not {actual_length}"),
                  N_("List should have at least {min_length} items after validation, not {actual_length}")),
    "too_long": (N_("List should have at most {max_length} item after validation, not {actual_length}"),
                 N_("List should have at most {max_length} items after validation, not {actual_length}")),
    "string_type": (N_("Input should be a valid string"),),
    "string_pattern_mismatch": (N_("String should match pattern '{pattern}'"),),
    "int_type": (N_("Input should be a valid integer"),),
    "int_parsing": (N_("Input should be a valid integer, unable to parse string as an integer"),),
    "int_from_float": (N_("Input should be a valid integer, got a number with a fractional part"),),
    "float_type": (N_("Input should be a valid number"),),
    "float_parsing": (N_("Input should be a valid number, unable to parse string as a number"),),
    "bool_type": (N_("Input should be a valid boolean"),),
    "bool_parsing": (N_("Input should be a valid boolean, unable to interpret input"),),
    "literal_error": (N_("Input should be {expected}"),),
    "enum": (N_("Input should be {expected}"),),
    "list_type": (N_("Input should be a valid list"),),
    "dict_type": (N_("Input should be a valid dictionary"),),
    "model_type": (N_("Input should be a valid dictionary or instance of {class_name}"),),
    "date_type": (N_("Input should be a valid date"),),
    "date_parsing": (N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),),
    "date_from_datetime_parsing": (N_("Input should be a valid date or datetime, {error}"),),
    "datetime_parsing": (N_("Input should be a valid datetime, {error}"),),
    "datetime_from_date_parsing": (N_("Input should be a valid datetime or date, {error}"),),
    "timezone_aware": (N_("Input should have timezone info"),),
}


def _problem(loc: str, message: str, item: dict):
    """`loc: message`, as a Phrase the face can translate when pydantic's message has a template."""
    ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v  # pydantic writes 0.0 as 0
           for k, v in (item.get("ctx") or {}).items() if not isinstance(v, BaseException)}
    for template in PYDANTIC_MESSAGES.get(item.get("type"), ()):
        try:
            if template.format(**ctx) == message:
                return Phrase("{field}: {problem}", field=loc, problem=Phrase(template, **ctx))
        except (KeyError, IndexError, ValueError):
            continue
    return f"{loc}: {message}"


class FieldProblem(ValueError):
    """What a named validator raises when its check is about one field: the message line names `field`."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def validate(model, values: dict[str, Any], what: str, context=None) -> dict[str, Any]:
    """Validate `values` against `model`; return JSON-mode data or raise InvalidForm with one line per field.

    `context` is the task's data so far (read only): a named validator taking two arguments gets it,
    e.g. to check a number continues the one entered the last time round a loop; without a context
    (a migration re-checking values entered earlier) it gets None and skips what needs the data."""
    from pydantic import ValidationError

    if model is None:
        if values:
            raise InvalidForm("{what} takes no form values", [Phrase("unexpected field '{key}'", key=k) for k in values],
                              what=what)
        return {}
    if not isinstance(values, dict):
        raise InvalidForm("invalid values for {what}", [Phrase("form values must be a JSON object")], what=what)
    try:
        return model.model_validate(values, context={"data": context}).model_dump(mode="json")
    except ValidationError as err:
        problems = []
        for item in err.errors():
            loc = ".".join(str(part) for part in item["loc"]) or "form"
            message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
            if isinstance((item.get("ctx") or {}).get("error"), FieldProblem):  # a named check about one field
                loc = item["ctx"]["error"].field
            problems.append(_problem(loc, message, item))
        raise InvalidForm("invalid values for {what}", problems, what=what) from None


def check_lanes(model, values: dict[str, Any], members_of, what: str) -> None:
    """Refuse values naming people outside the lane a field asks for (a form-js field's `lane` property):
    `members_of(lane)` gives who is in a lane now, as the store says."""
    if model is None:
        return
    problems = []
    for name, info in model.model_fields.items():
        lane = (info.json_schema_extra or {}).get("x-lane") if isinstance(info.json_schema_extra, dict) else None
        value = values.get(name)
        if not lane or value in (None, "", []):
            continue
        members = set(members_of(lane))
        outside = [person for person in (value if isinstance(value, list) else [value]) if person not in members]
        if outside:
            problems.append(f"{name}: {', '.join(map(str, outside))} not in lane {lane}")
    if problems:
        raise InvalidForm("invalid values for {what}", problems, what=what)


def describe(model) -> list[dict[str, Any]]:
    """The fields of a form as plain data: name, type, required, default, title, description, choices,
    limits, and for rows or groups their own fields (`fields`), so a person learns a table's columns."""
    if model is None:
        return []
    schema = model.model_json_schema()
    return _describe_object(schema, schema.get("$defs", {}))


def _describe_object(schema: dict, defs: dict, depth: int = 0) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, defs)
        inner = _object_of(prop, defs)
        fields.append({
            "name": name,
            "type": _type_name(prop, defs),
            "required": name in required,
            "default": prop.get("default"),
            "title": prop.get("title", name),
            "description": prop.get("description"),
            "choices": _choices(prop, defs),
            "limits": _limits_of(prop, defs) or None,
            "fields": _describe_object(inner, defs, depth + 1) if inner is not None and depth < 8 else None,
        })
    return fields


LIMIT_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
              "maxItems", "pattern")


def _limits_of(prop: dict, defs: dict) -> dict:
    """A field's limits, also those an optional field keeps inside its non-null option."""
    limits = {k: prop[k] for k in LIMIT_KEYS if k in prop}
    for option in prop.get("anyOf", []):
        option = _resolve(option, defs)
        limits.update({k: option[k] for k in LIMIT_KEYS if k in option and k not in limits})
    return limits


def _object_of(prop: dict, defs: dict) -> dict | None:
    """The object schema a field holds: itself, its list items, or an optional's non-null option."""
    if prop.get("type") == "object" and "properties" in prop:
        return prop
    if prop.get("type") == "array":
        return _object_of(_resolve(prop.get("items", {}), defs), defs)
    for option in prop.get("anyOf", []):
        found = _object_of(_resolve(option, defs), defs)
        if found is not None:
            return found
    return None


def _resolve(prop: dict, defs: dict) -> dict:
    if "$ref" in prop:
        target = defs.get(prop["$ref"].split("/")[-1], {})
        return {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _type_name(prop: dict, defs: dict) -> str:
    if "anyOf" in prop:
        names = [_type_name(_resolve(p, defs), defs) for p in prop["anyOf"]]
        return " | ".join(n for n in names if n != "null") + (" | null" if "null" in names else "")
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list[{_type_name(_resolve(prop.get('items', {}), defs), defs)}]"
    if kind == "string" and prop.get("format"):
        return prop["format"]
    if kind == "object" and "properties" in prop:
        return "object(" + ", ".join(prop["properties"]) + ")"
    return kind


def _choices(prop: dict, defs: dict):
    if "enum" in prop:
        return prop["enum"]
    if "const" in prop:
        return [prop["const"]]
    for option in prop.get("anyOf", []):
        option = _resolve(option, defs)
        if "enum" in option:
            return option["enum"]
    return None


# ---------------------------------------------------------------------------------------------
# Models built from designers' form definitions (engine.bpmn.formdefs)
# ---------------------------------------------------------------------------------------------
def build_model(form, validators=None):
    """A pydantic model for a `FormDef`: one field per input, its limits, and its named validators.

    `validators` maps a validator name to a function(values: dict) that raises ValueError with the
    message a person reads; a name the form uses but `validators` lacks is ModelInvalid.
    """
    from engine.errors import ModelInvalid

    validators = validators or {}
    missing = [name for name in form.validators if name not in validators]
    if missing:
        raise ModelInvalid("{source}: names the validator {missing!r}, which the programme does not register (registered: {value})", source=form.source, missing=missing[0], value=', '.join(sorted(validators)) or 'none')
    checks = [validators[name] for name in form.validators]
    return _model(_model_name(form.id), form.fields, checks)


def _model_name(form_id: str) -> str:
    return "Form_" + "".join(ch if ch.isalnum() else "_" for ch in form_id)


def _model(name, fields, checks=()):
    from pydantic import BaseModel, ConfigDict, create_model, model_validator

    definitions = {item.key: _field(item, name) for item in fields}
    base = type(f"{name}Base", (BaseModel,), {"model_config": ConfigDict(extra="forbid", str_strip_whitespace=True)})
    namespace = {}
    if checks:
        import inspect
        from types import MappingProxyType

        with_data = [len(inspect.signature(check).parameters) > 1 for check in checks]

        def run_checks(self, info):
            values = self.model_dump(mode="json")
            given = (info.context or {}).get("data")
            data = MappingProxyType(dict(given)) if given is not None else None
            for check, wants in zip(checks, with_data):
                check(values, data) if wants else check(values)
            return self
        namespace["cross_field_checks"] = model_validator(mode="after")(run_checks)
    return create_model(name, __base__=base, __validators__=namespace or None, **definitions)


def _field(item, owner):
    import datetime as dt
    from typing import Literal, Optional

    from pydantic import Field

    from typing import Annotated

    from pydantic import BeforeValidator

    base = {"text": str, "integer": int, "number": float, "boolean": bool, "date": dt.date, "time": dt.time,
            "datetime": dt.datetime}.get(item.kind)
    if item.kind == "date":  # Camunda 7's generated forms write dd/MM/yyyy
        base = Annotated[dt.date, BeforeValidator(_day_month_year)]
    constraints: dict[str, Any] = {"title": item.label or item.key}
    if getattr(item, "lane", None):  # the people it names must be in this lane (check_lanes)
        constraints["json_schema_extra"] = {"x-lane": item.lane}
    if item.description:
        constraints["description"] = item.description
    if item.kind in ("integer", "number"):
        constraints.update({k: v for k, v in (("ge", item.minimum), ("le", item.maximum),
                                              ("gt", getattr(item, "exclusive_minimum", None))) if v is not None})
    if item.kind == "text":
        constraints.update({k: v for k, v in (("min_length", item.min_length), ("max_length", item.max_length),
                                              ("pattern", item.pattern)) if v is not None})
    if item.kind in ("choice", "choices"):
        values = tuple(choice.value for choice in item.choices)
        base = Literal[values] if values else str
        if item.kind == "choices":
            base = list[base]
    if item.kind == "rows":
        base = list[_model(f"{owner}_{item.key}", item.fields)]
    if item.kind in ("rows", "choices"):  # a row count, or how many entries a taglist/checklist takes
        constraints.update({k: v for k, v in (("min_length", item.min_items), ("max_length", item.max_items))
                            if v is not None})
    if item.kind == "group":
        base = _model(f"{owner}_{item.key}", item.fields)
    if item.required and item.kind in ("choices", "text") and "min_length" not in constraints:
        constraints["min_length"] = 1
    default = item.default
    if isinstance(default, str) and item.kind in ("date", "time", "datetime") and default:
        default = _iso_default(default, item.kind, item.key)
    item = replace(item, default=default) if default is not item.default else item
    if item.readonly:  # shown, never changed: only its default is accepted
        fixed = Literal[(item.default,)] if item.default is not None else Optional[None]
        extra = {**constraints.pop("json_schema_extra", {}), "readOnly": True}
        return fixed, Field(item.default, **constraints, json_schema_extra=extra)
    if item.required:
        if item.kind == "boolean" and item.default is None:
            return base, Field(**constraints)
        return base, Field(item.default, **constraints) if item.default is not None else Field(**constraints)
    if item.default is not None:
        return base, Field(item.default, **constraints)
    if item.kind in ("rows", "choices"):
        return base, Field(default_factory=list, **constraints)
    return Optional[base], Field(None, **constraints)


def _iso_default(text: str, kind: str, key: str):
    """A date/time default written as text, as the value it stands for (so a default serialises like input)."""
    import datetime as dt

    from engine.errors import ModelInvalid

    parse = {"date": dt.date, "time": dt.time, "datetime": dt.datetime}[kind].fromisoformat
    try:
        return parse(_day_month_year(text))
    except ValueError:
        raise ModelInvalid("the default of {key!r} is not a {kind}: {text!r}", key=key, kind=kind, text=text[:40]) from None


def _day_month_year(value):
    """Accept Camunda 7's default date pattern dd/MM/yyyy beside ISO 8601."""
    if isinstance(value, str) and len(value) == 10 and value[2] == "/" and value[5] == "/":
        day, month, year = value.split("/")
        return f"{year}-{month}-{day}"
    return value


# ---------------------------------------------------------------------------------------------
# Describing a designer's form from its definition, without building its model (issue 17)
# ---------------------------------------------------------------------------------------------
_BASE_TYPES = {"text": "string", "integer": "integer", "number": "number", "boolean": "boolean", "date": "date",
               "time": "time", "datetime": "date-time"}
_LITERAL_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", type(None): "null"}


def describe_form(form) -> list[dict[str, Any]]:
    """`describe(build_model(form))` for a `FormDef`, read off the definition: `phasegate form` prints a
    designer's form without importing pydantic. tests/test_stored_reads.py compares the two."""
    return [_describe_field(item, 0) for item in form.fields]


def _describe_field(item, depth: int) -> dict[str, Any]:
    kind = item.kind
    default = item.default
    if isinstance(default, str) and kind in ("date", "time", "datetime") and default:
        default = _iso_default(default, kind, item.key)
    limits = _definition_limits(item)
    inner = None
    if item.readonly:  # a one-value literal (or None): shown, never changed
        if default is None:
            kind_name, choices = "null", None
        else:
            value = _jsonable(default)
            kind_name, choices = _literal_type([value]), [value]
        # the schema keeps a text field's lengths on the literal, not its pattern nor a number's bounds
        limits = {k: v for k, v in limits.items() if k in ("minLength", "maxLength")}
        required = False
    else:
        kind_name, choices = _definition_type(item), None
        if kind == "choice" and item.choices:
            choices = _literal_values(item)
        if kind in ("rows", "group"):
            inner = item.fields
        required = item.required and default is None
        optional = not item.required and default is None and kind not in ("rows", "choices")
        if optional:
            kind_name += " | null"
            if choices is not None and len(choices) == 1:
                choices = None  # an optional one-value literal is a `const` the schema keeps inside anyOf
    ordered = {k: limits[k] for k in LIMIT_KEYS if k in limits}
    return {
        "name": item.key,
        "type": kind_name,
        "required": required,
        "default": None if default is None else _jsonable(default),
        "title": item.label or item.key,
        "description": item.description or None,
        "choices": choices,
        "limits": ordered or None,
        "fields": [_describe_field(sub, depth + 1) for sub in inner] if inner is not None and depth < 8 else None,
    }


def _definition_limits(item) -> dict[str, Any]:
    kind, limits = item.kind, {}
    if kind in ("integer", "number"):
        for key, value in (("minimum", item.minimum), ("maximum", item.maximum),
                           ("exclusiveMinimum", getattr(item, "exclusive_minimum", None))):
            if value is not None:
                limits[key] = value
    if kind == "text":
        for key, value in (("minLength", item.min_length), ("maxLength", item.max_length), ("pattern", item.pattern)):
            if value is not None:
                limits[key] = value
    if kind in ("rows", "choices"):
        for key, value in (("minItems", item.min_items), ("maxItems", item.max_items)):
            if value is not None:
                limits[key] = value
    if item.required and kind == "text" and "minLength" not in limits:
        limits["minLength"] = 1
    if item.required and kind == "choices" and "minItems" not in limits:
        limits["minItems"] = 1
    return limits


def _definition_type(item) -> str:
    kind = item.kind
    if kind in _BASE_TYPES:
        return _BASE_TYPES[kind]
    if kind == "choice":
        return _literal_type(_literal_values(item)) if item.choices else "string"
    if kind == "choices":
        return f"list[{_literal_type(_literal_values(item)) if item.choices else 'string'}]"
    names = ", ".join(sub.key for sub in item.fields)
    return f"list[object({names})]" if kind == "rows" else f"object({names})"


def _literal_values(item) -> list:
    """The choice values as `Literal` keeps them: in order, each (type, value) once, JSON-able."""
    seen, values = set(), []
    for choice in item.choices:
        key = (type(choice.value), choice.value) if _hashable(choice.value) else (type(choice.value), repr(choice.value))
        if key not in seen:
            seen.add(key)
            values.append(_jsonable(choice.value))
    return values


def _hashable(value) -> bool:
    try:
        hash(value)
        return True
    except TypeError:
        return False


def _literal_type(values: list) -> str:
    """The JSON type pydantic gives a literal of these values (`GenerateJsonSchema.literal_schema`)."""
    types = {type(v) for v in values}
    return _LITERAL_TYPES.get(types.pop(), "any") if len(types) == 1 else "any"


def _jsonable(value):
    """A default or choice as JSON mode writes it (dates as ISO text, UTC as Z)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value

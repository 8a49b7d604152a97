"""Form validation at the engine boundary: pydantic models in, plain JSON data out."""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidForm


def validate(model, values: dict[str, Any], what: str) -> dict[str, Any]:
    """Validate `values` against `model`; return JSON-mode data or raise InvalidForm with one line per field."""
    from pydantic import ValidationError

    if model is None:
        if values:
            raise InvalidForm(f"{what} takes no form values", [f"unexpected field '{k}'" for k in values])
        return {}
    if not isinstance(values, dict):
        raise InvalidForm(f"invalid values for {what}", ["form values must be a JSON object"])
    try:
        return model.model_validate(values).model_dump(mode="json")
    except ValidationError as err:
        problems = []
        for item in err.errors():
            loc = ".".join(str(part) for part in item["loc"]) or "form"
            message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
            problems.append(f"{loc}: {message}")
        raise InvalidForm(f"invalid values for {what}", problems) from None


def describe(model) -> list[dict[str, Any]]:
    """The fields of a form as plain data: name, type, required, default, title, description, choices, limits."""
    if model is None:
        return []
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, defs)
        fields.append({
            "name": name,
            "type": _type_name(prop, defs),
            "required": name in required,
            "default": prop.get("default"),
            "title": prop.get("title", name),
            "description": prop.get("description"),
            "choices": _choices(prop, defs),
            "limits": {k: prop[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                                             "minLength", "maxLength", "minItems", "maxItems", "pattern")
                       if k in prop} or None,
        })
    return fields


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

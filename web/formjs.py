"""A designer's form, kept with the model version as plain data (`engine.bpmn.formdefs.to_plain`),
as a form-js schema the viewer renders.

Every kind of field the engine reads has its form-js component: text → textfield, integer/number →
number, boolean → checkbox, date/time/datetime → datetime, choice → select, choices → checklist,
rows → dynamiclist, group → group. A list of free words (a taglist without values, which form-js
cannot type into) becomes a textarea of one entry per line; `lists` names those keys so the page
splits them before it posts. Inline Camunda 7 fields arrive here the same way, since the engine read
them into the same plain definition. What the form may hold is decided by the server's model only;
the schema's constraints just let the page say so early.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 16


def schema_of(plain: dict | None, title: str, submit: str = "Submit") -> tuple[dict, list[str]]:
    """(form-js schema, keys of free-word lists) of a plain form definition (None: a form of no fields),
    headed by `title` and ending in a button labelled `submit`."""
    lists: list[str] = []
    fields = plain["fields"] if plain else []
    components = [_component(field, lists, f"f{n}") for n, field in enumerate(fields)]
    schema = {"type": "default", "id": (plain or {}).get("id") or "no-fields", "schemaVersion": SCHEMA_VERSION,
              "components": [{"id": "title", "type": "text", "text": f"### {_markdown(title)}"}] + components
              + [{"id": "submit", "type": "button", "action": "submit", "label": submit}]}
    return schema, lists


def _markdown(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>" else ch for ch in text)


def _component(field: dict, lists: list[str], cid: str) -> dict[str, Any]:
    kind = field["kind"]
    component: dict[str, Any] = {"id": cid, "key": field["key"], "label": field.get("label") or field["key"]}
    if field.get("description"):
        component["description"] = field["description"]
    validate: dict[str, Any] = {}
    if field.get("required") and kind not in ("boolean", "rows", "group"):
        validate["required"] = True
    if kind == "text":
        component["type"] = "textfield"
        for name, key in (("minLength", "min_length"), ("maxLength", "max_length"), ("pattern", "pattern")):
            if field.get(key) is not None:
                validate[name] = field[key]
    elif kind in ("integer", "number"):
        component["type"] = "number"
        if kind == "integer":
            component["decimalDigits"] = 0
        for name, key in (("min", "minimum"), ("max", "maximum")):
            if field.get(key) is not None:
                validate[name] = field[key]
    elif kind == "boolean":
        component["type"] = "checkbox"
    elif kind in ("date", "time", "datetime"):
        component["type"] = "datetime"
        component["subtype"] = kind if kind != "datetime" else "datetime"
        component[{"date": "dateLabel", "time": "timeLabel", "datetime": "dateLabel"}[kind]] = component["label"]
    elif kind == "choice":
        component["type"] = "select"
        component["values"] = _values(field)
    elif kind == "choices" and field.get("choices"):
        component["type"] = "checklist"
        component["values"] = _values(field)
    elif kind == "choices":
        component["type"] = "textarea"
        component["description"] = " · ".join(x for x in (field.get("description"), "one per line / 每行一项") if x)
        lists.append(field["key"])
    elif kind in ("rows", "group"):
        inner = [_component(f, lists, f"{cid}_{n}") for n, f in enumerate(field.get("fields") or [])]
        component.pop("key")
        component.update({"type": "group" if kind == "group" else "dynamiclist", "path": field["key"],
                          "components": inner, "showOutline": True})
        if kind == "rows":
            rows = max(field.get("min_items") or 1, 1)
            component.update({"isRepeating": True, "allowAddRemove": True, "defaultRepetitions": rows,
                              "nonCollapsedItems": 5})
    if field.get("readonly"):
        component["readonly"] = True
    if field.get("default") is not None and kind not in ("rows", "group"):
        default = field["default"]
        component["defaultValue"] = "\n".join(map(str, default)) if kind == "choices" and field["key"] in lists \
            else default
    if validate:
        component["validate"] = validate
    return component


def _values(field: dict) -> list[dict]:
    return [{"label": str(c.get("label") or c["value"]), "value": c["value"]} for c in field.get("choices") or []]


def schema_of_fields(fields: list[dict], title: str, submit: str = "Submit") -> tuple[dict, list[str]]:
    """The same for a form the programme wrote in Python (only `FormView` fields are known)."""
    kinds = {"integer": "integer", "number": "number", "boolean": "boolean", "date": "date", "date-time": "datetime"}
    plain = {"id": "python-form", "fields": [
        {"key": f["name"], "label": f["title"], "description": f.get("description") or "", "required": f["required"],
         "default": f.get("default"),
         "kind": "choice" if f.get("choices") else kinds.get(f["type"].split(" ")[0], "text"),
         "choices": [{"value": c, "label": str(c)} for c in f.get("choices") or []]}
        for f in fields]}
    return schema_of(plain, title, submit)

"""Every designer's form of the programme (form-js `.form` files and inline camunda:formData alike),
as the engine keeps it with the model version, becomes a form-js schema with the same fields, and
form-js's own viewer draws each one in Chromium without a warning."""

from __future__ import annotations

import json
import subprocess

from conftest import REPO, need_browser
from engine.bpmn.catalog import Catalog
from test_bpmnjs import BROWSER_DIR
from test_web_browser import missing
from web.formjs import schema_of


def programme_forms() -> dict[str, dict]:
    """(process:task) → the plain form definition the engine keeps, for every form of bpmn/."""
    found = {}
    for process_id, model in Catalog(REPO / "bpmn").parse_all().items():
        for owner, forms in model.forms.items():
            for key, plain in forms.items():
                found[f"{owner}:{key}"] = plain
    return found


def keys_of(components) -> list[str]:
    out = []
    for c in components:
        if c.get("key"):
            out.append(c["key"])
        if c.get("path"):
            out.append(c["path"])
            out += [f"{c['path']}.{k}" for k in keys_of(c.get("components", []))]
    return out


def plain_keys(fields, prefix="") -> list[str]:
    out = []
    for f in fields:
        out.append(prefix + f["key"])
        if f["kind"] in ("rows", "group"):
            out += plain_keys(f["fields"], prefix + f["key"] + ".")
    return out


def test_every_programme_form_keeps_its_fields_choices_and_limits_as_form_js():
    forms = programme_forms()
    assert len(forms) >= 25 and any(k.endswith(":start") for k in forms)   # the inline start form too
    for name, plain in forms.items():
        schema, lists = schema_of(plain, name)
        assert keys_of(schema["components"]) == plain_keys(plain["fields"]), name
        by_key = dict(_walk(schema["components"]))  # by path: two row groups may each have an `item`
        for path, field in _walk_plain(plain["fields"]):
            component = by_key[path]
            if field["choices"]:
                assert [v["value"] for v in component["values"]] == [c["value"] for c in field["choices"]], name
            if field["required"] and field["kind"] not in ("boolean", "rows", "group"):
                assert component["validate"]["required"] is True, (name, field["key"])
            if field["maximum"] is not None:
                assert component["validate"]["max"] == field["maximum"], (name, field["key"])
            if field["kind"] == "choices" and not field["choices"]:
                assert field["key"] in lists and component["type"] == "textarea"
    review = schema_of(forms["business_adjustment:review_draft"], "管理层审议")[0]["components"]
    assert [c["type"] for c in review] == ["text", "select", "textfield", "button"]


def _walk(components, prefix=""):
    """(path, component) of every component, nested ones under their group's path."""
    for c in components:
        name = c.get("key") or c.get("path")
        if name:
            yield prefix + name, c
        yield from _walk(c.get("components", []), prefix + name + "." if c.get("path") else prefix)


def _walk_plain(fields, prefix=""):
    for f in fields:
        yield prefix + f["key"], f
        yield from _walk_plain(f.get("fields", []), prefix + f["key"] + ".")


def test_form_js_draws_every_programme_form_without_warnings(tmp_path):
    need_browser(missing(), "bash tools/install_browser_test.sh and make setup")
    forms = programme_forms()
    schemas = {name: schema_of(plain, name)[0] for name, plain in forms.items()}
    (tmp_path / "schemas.json").write_text(json.dumps(schemas, ensure_ascii=False), "utf-8")
    proc = subprocess.run(["node", str(BROWSER_DIR / "forms.mjs"), str(tmp_path / "schemas.json")],
                          capture_output=True, text=True, timeout=240, cwd=BROWSER_DIR)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout)
    assert results.pop("__page_errors__") == []
    for name, plain in forms.items():
        got = results[name]
        assert got["error"] is None and got["warnings"] == [], (name, got)
        fields = [f for _path, f in _walk_plain(plain["fields"])]
        labels = [f["label"] or f["key"] for f in fields]
        assert set(labels) <= set(got["labels"]) | {f["label"] for f in fields if f["kind"] in ("rows", "group", "boolean")}, name

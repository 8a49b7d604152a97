"""Which form a task or a start asks for: the designer's form kept with the instance's model version
(a version stored before its forms lived in the designers' files takes the current file's forms),
else the programme's Python form. Models are built on first use and kept per engine, per version."""

from __future__ import annotations

import json

from engine.bpmn.formdefs import START, from_plain
from engine.runtime.forms import build_model


class FormBook:
    """The form models of one engine: the designers' forms of each model version, then the programme's."""

    def __init__(self, programme, store, catalog=None):
        self.programme = programme
        self.store = store
        self.catalog = catalog  # the current files: the forms of versions stored without any
        self._version_forms: dict[int, dict | None] = {}  # model version id → {process id: {key: plain form}}
        self._built: dict[str, type] = {}           # plain form's JSON text → its model
        self._seen: dict[int, tuple[dict, type]] = {}  # id(plain form) → (that form, its model)

    def plain_for_task(self, row: dict, task) -> dict | None:
        """The designer's form of a READY user task of the instance `row` as plain data, or None."""
        forms = self._forms_of(row["model_version_id"])
        if forms is None:
            forms = self._current_forms(row["process_id"])
        owner = task.workflow.spec.name
        plain = forms.get(owner, {}).get(task.task_spec.bpmn_id)
        top = task.workflow.top_workflow.spec.name
        if plain is None and top != owner:  # a task inside an embedded or event sub-process
            plain = forms.get(top, {}).get(task.task_spec.bpmn_id)
        return plain

    def for_task(self, row: dict, task):
        """The form model of a READY user task of the instance `row`, or None when it takes no values."""
        plain = self.plain_for_task(row, task)
        if plain is not None:
            return self._model(plain)
        return self.programme.form_for(row["process_id"], task.task_spec.bpmn_id)

    def for_version_task(self, model, process_id: str, task_id: str):
        """The form model a user task has in a parsed model (a version maybe not stored yet)."""
        plain = model.forms.get(process_id, {}).get(task_id)
        if plain is not None:
            return self._model(plain)
        return self.programme.form_for(model.process_id, task_id)

    def for_start(self, model) -> type | None:
        """The start form of a parsed model about to start (the current version)."""
        plain = model.forms.get(model.process_id, {}).get(START)
        if plain is not None:
            return self._model(plain)
        return self.programme.start_forms.get(model.process_id)

    def _forms_of(self, version_id: int) -> dict | None:
        """The forms kept with a version; None for a version stored without any."""
        if version_id in self._version_forms:
            return self._version_forms[version_id]
        text = self.store.model_spec(version_id)
        found = json.loads(text).get("forms") if '"forms"' in text else None
        self._version_forms[version_id] = found
        return found

    def _current_forms(self, process_id: str) -> dict:
        """The designers' forms in the current files for a version stored without forms ({} if unreadable).

        Read with the form readers alone (no SpiffWorkflow parse): only the file of the process and the
        `.form` files beside it."""
        from engine.bpmn.formdefs import forms_in, read_form_files, to_plain
        from engine.bpmn.loader import parse_file
        from engine.errors import PhasegateError

        if self.catalog is None:
            return {}
        try:
            path = self.catalog.process_ids().get(process_id)
            if path is None:
                return {}
            found = forms_in(parse_file(path), path, read_form_files(path.parent))
            return {pid: {key: to_plain(form) for key, form in forms.items()} for pid, forms in found.items()}
        except PhasegateError:
            return {}

    def _model(self, plain: dict):
        # The plain forms come from `_version_forms` or a parsed model and are never changed: the
        # same object has the same model (the entry holds the object, so its id is not reused).
        seen = self._seen.get(id(plain))
        if seen is not None and seen[0] is plain:
            return seen[1]
        key = json.dumps(plain, sort_keys=True, ensure_ascii=False)
        model = self._built.get(key)
        if model is None:
            model = self._built[key] = build_model(from_plain(plain), self.programme.validators)
        if len(self._seen) > 4096:
            self._seen.clear()
        self._seen[id(plain)] = (plain, model)
        return model

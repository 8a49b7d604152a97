"""Workflow (de)serialization with the spec kept apart: stored once per model version, not per instance."""

from __future__ import annotations

import json
from functools import lru_cache

SPEC_KEYS = ("spec", "subprocess_specs")


@lru_cache(maxsize=1)
def serializer():
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def serializer_version() -> str:
    return serializer().VERSION


def spec_to_dict(spec, subprocess_specs) -> dict:
    """The JSON-able form of a process spec and the specs it calls."""
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

    dct = _to_plain(BpmnWorkflow(spec, subprocess_specs))
    return {key: dct[key] for key in SPEC_KEYS}


def _to_plain(workflow) -> dict:
    ser = serializer()
    ser.registry._encoder_mode = True  # what serialize_json does around to_dict
    try:
        dct = ser.to_dict(workflow)
        return json.loads(json.dumps(dct, cls=ser._encoder_cls))
    finally:
        ser.registry._encoder_mode = False


def dump_state(workflow) -> str:
    """The instance's state as JSON text, without its spec."""
    ser = serializer()
    ser.registry._encoder_mode = True
    try:
        dct = ser.to_dict(workflow)
        for key in SPEC_KEYS:
            dct.pop(key, None)
        return json.dumps(dct, cls=ser._encoder_cls, ensure_ascii=False, separators=(",", ":"))
    finally:
        ser.registry._encoder_mode = False


def load_state(state: str, spec_json: str, stored_version: str):
    """Rebuild a workflow from its state and its model version's spec (JSON text), migrating old formats."""
    ser = serializer()
    dct = json.loads(state, cls=ser.json_decoder_cls)
    dct.update(json.loads(spec_json, cls=ser.json_decoder_cls))
    dct[ser.VERSION_KEY] = stored_version
    ser.migrate(dct)
    return ser.from_dict(dct)

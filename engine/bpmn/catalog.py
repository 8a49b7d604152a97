"""The process models in a folder of BPMN and DMN files, parsed and fingerprinted.

A model's version identity is the SHA-256 of its parsed, serialized spec (call activities and
decisions included), so whitespace or diagram-only edits of a file do not make a new version of
the behaviour, but any change to what runs does.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import ModelInvalid, UnknownProcess
from engine.bpmn.timertext import quote_bare_timers
from engine.bpmn.loader import parse_file

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS}


@dataclass
class ParsedModel:
    """One executable process as the engine runs it."""

    process_id: str
    name: str
    source: str
    spec: dict
    sha256: str
    lanes: list[str] = field(default_factory=list)
    start_lanes: list[str] = field(default_factory=list)


def _lanes_of(tree) -> dict[str, tuple[list[str], list[str]]]:
    """Map process id → (lane names in file order, lanes holding a start event)."""
    result = {}
    for process in tree.getroot().iter(f"{{{BPMN_NS}}}process"):
        lanes, lane_of = [], {}
        for lane in process.iter(f"{{{BPMN_NS}}}lane"):
            name = lane.get("name") or lane.get("id")
            lanes.append(name)
            for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
                lane_of[(ref.text or "").strip()] = name
        starts = [
            lane_of[node.get("id")]
            for node in process.findall(f"{{{BPMN_NS}}}startEvent")
            if node.get("id") in lane_of
        ]
        result[process.get("id")] = (lanes, starts)
    return result


def spec_fingerprint(spec: dict) -> str:
    """A stable hash of a serialized spec."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Catalog:
    """The BPMN and DMN files of one folder; parses them together so references resolve."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self._memo: dict[str, tuple] = {}  # what → (the files' bytes it was computed from, result)

    def snapshot(self) -> tuple:
        """The folder's files and their bytes: what a remembered result was computed from. A caller
        that asks several questions in one command reads the files once and passes it on."""
        bpmn_files, dmn_files = self.files()
        return tuple((path, path.read_bytes()) for path in bpmn_files + dmn_files)

    def _remembered(self, what: str, compute, snapshot: tuple | None = None):
        """`compute()`, reused while no file of the folder changed (compared byte for byte, so an
        edit within the clock's resolution is still seen); parsing costs ~100 ms, reading ~0.1 ms."""
        key = snapshot if snapshot is not None else self.snapshot()
        found = self._memo.get(what)
        if found is not None and found[0] == key:
            return found[1]
        result = compute()
        self._memo[what] = (key, result)
        return result

    def files(self) -> tuple[list[Path], list[Path]]:
        """The BPMN files and DMN files of the folder, sorted by name."""
        return sorted(self.folder.glob("*.bpmn")), sorted(self.folder.glob("*.dmn"))

    def process_ids(self, snapshot: tuple | None = None) -> dict[str, Path]:
        """A quick scan (no Spiff parse): executable process id → file."""
        return dict(self._remembered("process_ids", self._scan_process_ids, snapshot))

    def _scan_process_ids(self) -> dict[str, Path]:
        found = {}
        for path in self.files()[0]:
            tree = parse_file(path)
            for process in tree.getroot().iter(f"{{{BPMN_NS}}}process"):
                if process.get("isExecutable", "true").lower() != "false":
                    found[process.get("id")] = path
        return found

    def parse_all(self, snapshot: tuple | None = None) -> dict[str, ParsedModel]:
        """Parse every file with XSD validation and return each executable process."""
        return dict(self._remembered("parse_all", self._parse_all, snapshot))

    def _parse_all(self) -> dict[str, ParsedModel]:
        from engine.spiff import VALIDATOR, SpiffBpmnParser

        from engine.spiff.serializer import spec_to_dict

        parser = SpiffBpmnParser(validator=VALIDATOR)
        bpmn_files, dmn_files = self.files()
        lanes = {}
        for path in bpmn_files:
            tree = parse_file(path)
            _check_flow_references(tree, path)
            quote_bare_timers(tree)
            lanes.update(_lanes_of(tree))
            try:
                parser.add_bpmn_xml(tree, filename=path.name)
            except Exception as err:  # noqa: BLE001 - SpiffWorkflow raises more than ValidationException on odd input
                raise ModelInvalid(f"{path}: {_one_line(err)}") from None
        for path in dmn_files:
            tree = parse_file(path)
            try:
                parser.add_dmn_xml(tree.getroot(), filename=path.name)
            except Exception as err:  # noqa: BLE001 - SpiffWorkflow raises more than ValidationException on odd input
                raise ModelInvalid(f"{path}: {_one_line(err)}") from None
        models = {}
        for process_id in parser.get_process_ids():
            try:
                spec = parser.get_spec(process_id)
                subprocesses = parser.get_subprocess_specs(process_id)
                serial = spec_to_dict(spec, subprocesses)
            except Exception as err:  # noqa: BLE001 - SpiffWorkflow raises more than ValidationException on odd input
                where = getattr(parser.process_parsers.get(process_id), "filename", None)
                raise ModelInvalid(f"{where + ': ' if where else ''}process '{process_id}': {_one_line(err)}") from None
            proc_lanes, start_lanes = lanes.get(process_id, ([], []))
            models[process_id] = ParsedModel(
                process_id=process_id,
                name=spec.description or process_id,
                source=parser.process_parsers[process_id].filename,
                spec=serial,
                sha256=spec_fingerprint(serial),
                lanes=proc_lanes,
                start_lanes=start_lanes,
            )
        return models

    def parse(self, process_id: str, snapshot: tuple | None = None) -> ParsedModel:
        """Parse the folder and return one process, or raise UnknownProcess."""
        models = self.parse_all(snapshot)
        if process_id not in models:
            known = ", ".join(sorted(models)) or "none"
            raise UnknownProcess(f"unknown process '{process_id}' (known: {known})")
        return models[process_id]


def _check_flow_references(tree, path: Path) -> None:
    """Name a sequence flow whose source or target does not exist (SpiffWorkflow fails obscurely on it)."""
    ids = {node.get("id") for node in tree.getroot().iter() if isinstance(node.tag, str) and node.get("id")}
    for flow in tree.getroot().iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for attribute in ("sourceRef", "targetRef"):
            ref = flow.get(attribute)
            if ref not in ids:
                raise ModelInvalid(f"{path}:{flow.sourceline}: sequence flow '{flow.get('id')}' has "
                                   f"{attribute} '{ref or ''}', which does not exist")


def _one_line(err) -> str:
    from engine.spiff import ValidationException

    text = " ".join(str(err).split())
    text = re.sub(r"\{http://www\.omg\.org/spec/BPMN/20100524/MODEL\}", "bpmn:", text)
    text = re.sub(r"Expected is one of \((.{0,120}?),[^)]*\)", r"Expected is one of (\1, ...)", text)
    if not isinstance(err, ValidationException):
        text = f"cannot be read as a process model ({type(err).__name__}: {text})"
    where = getattr(err, "id", None)
    line = getattr(err, "sourceline", None) or getattr(err, "line_number", None)
    extra = []
    if line:
        extra.append(f"line {line}")
    if where and where not in text:
        extra.append(f"element '{where}'")
    return text + (f" ({', '.join(extra)})" if extra else "")

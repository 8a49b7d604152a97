"""The process models in a folder of BPMN and DMN files, parsed and fingerprinted.

A model's version identity is the SHA-256 of its parsed, serialized spec (call activities and
decisions included), so whitespace or diagram-only edits of a file do not make a new version of
the behaviour, but any change to what runs does.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import ModelInvalid, UnknownProcess
from engine.bpmn.namespaces import BPMN as BPMN_NS

# The readers (lxml and the rest) are imported where a folder is scanned or parsed (issue 17): an engine
# that completes a task never parses, and `complete` then need not import them.


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

    @property
    def forms(self) -> dict:
        """Process id → {task id or "start": plain form definition} of this version (designers' forms)."""
        return self.spec.get("forms", {})


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


_clock_ns = time.time_ns    # what a status's age is measured by (tests move it)
SETTLED_NS = 3_000_000_000  # a status older than this (by this process's clock) tells a change apart


def _status(path: str):
    """What `os.stat` says of a file or folder, following symlinks (modification and change time in
    ns, size, inode, device, kind), or None when it cannot be had. The change time moves on every
    write, rename or `touch`, and no program can set it back."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev, info.st_mode)


def _settled(status, now: int) -> bool:
    """Whether a status taken at `now` can later tell a change apart: a write within the file system's
    timestamp resolution of the last one can leave both times as they were, so a status whose times
    are within `SETTLED_NS` of the moment it was taken is never remembered (git's racy-clean rule)."""
    return status is not None and now - max(status[0], status[1]) > SETTLED_NS


def spec_fingerprint(spec: dict) -> str:
    """A stable hash of a serialized spec."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Catalog:
    """The BPMN and DMN files of one folder; parses them together so references resolve."""

    def __init__(self, folder: Path | str, bpmn_files: list[Path] | None = None):
        """`bpmn_files` narrows the folder's BPMN files to these (lint checks one file with the files it
        calls); DMN and form files are always the folder's."""
        self.folder = Path(folder)
        self.only = sorted(Path(p) for p in bpmn_files) if bpmn_files is not None else None
        self._memo: dict[str, tuple] = {}  # what → (the files' bytes it was computed from, result)
        self._read: dict[str, tuple] = {}   # path text → (its settled _status when read, (path, bytes))
        self._listed: tuple | None = None   # (the folder's settled _status, _listing())
        self._last: tuple | None = None     # the last snapshot, returned again while nothing changed

    def snapshot(self) -> tuple:
        """The folder's files and their bytes: what a remembered result was computed from. A caller
        that asks several questions in one command reads the files once and passes it on.

        A file is read again only when its status changed (`_status`): the folder listing is kept
        while the folder's own status holds, and a file's bytes while its status holds. What changed
        too recently to tell by status (`_settled`) is read every time, as before."""
        from engine.files import Unreadable, read_regular
        from engine.bpmn.digest import READ_LIMIT as MAX_BYTES  # the loader's, without importing lxml

        now = _clock_ns()
        listing = self._listing(now)
        found, kept = [], self._read
        reused = True
        for path, name in listing:
            status = _status(name)
            entry = kept.get(name)
            if entry is not None and status == entry[0]:  # remembered only when settled: unchanged since
                found.append(entry[1])
                continue
            reused = False
            try:
                item = (path, read_regular(path, MAX_BYTES))
            except Unreadable as err:   # parsing reports it; the snapshot still changes with it
                item = (path, str(err))
            found.append(item)
            if _settled(status, now) and isinstance(item[1], bytes):
                kept[name] = (status, item)
            else:
                kept.pop(name, None)
        last = self._last
        if reused and last is not None and len(last) == len(found) and all(map(operator.is_, last, found)):
            return last
        if len(kept) > 4 * len(found) + 64:  # files gone from the folder
            names = {name for _, name in listing}
            for name in [n for n in kept if n not in names]:
                del kept[name]
        self._last = tuple(found)
        return self._last

    def _listing(self, now: int) -> list[tuple[Path, str]]:
        """The BPMN files then the DMN and form files of `files()`, each with its path as text, kept
        while the folder's status holds (an entry added, removed or renamed changes it)."""
        status = _status(str(self.folder))
        if self._listed is not None and status == self._listed[0]:
            return self._listed[1]
        bpmn_files, dmn_files = self.files()
        listing = [(path, str(path)) for path in bpmn_files + dmn_files]
        self._listed = (status, listing) if _settled(status, now) else None
        return listing

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

    def summary(self, snapshot: tuple) -> dict:
        """What `phasegate processes` lists of this parse, as plain data a store keeps (`Store.add_catalog`)."""
        models = [{"process_id": m.process_id, "name": m.name, "source": m.source, "sha256": m.sha256,
                   "lanes": m.lanes, "start_lanes": m.start_lanes} for m in self.parse_all(snapshot).values()]
        skipped = [{"source": s.source, "process_id": s.process_id, "reason": s.reason} for s in self.skipped(snapshot)]
        return {"models": models, "skipped": skipped}

    def files(self) -> tuple[list[Path], list[Path]]:
        """The BPMN files and DMN files of the folder, sorted by name; `.form` files count with the DMN
        files (they are read with the models and belong to the same versions)."""
        from engine.bpmn.digest import folder_files

        bpmn, others = folder_files(self.folder)
        return (self.only if self.only is not None else bpmn), others

    def process_ids(self, snapshot: tuple | None = None) -> dict[str, Path]:
        """A quick scan (no Spiff parse): executable process id → file."""
        return dict(self._remembered("scan", self._scan, snapshot)[0])

    def skipped(self, snapshot: tuple | None = None) -> list:
        """Every file or process that will not run, with its reason: not executable, unreadable, refused
        by the parser. Parses the folder (a file that only fails at parse time is found there)."""
        found = list(self._remembered("scan", self._scan, snapshot)[1])
        found += self._remembered("parse_all", self._parse_all, snapshot)[1]
        return sorted(set(found), key=lambda s: (s.source, s.process_id or ""))

    def _scan(self) -> tuple[dict[str, Path], list]:
        from engine.bpmn.folder import scan_folder

        return scan_folder(self.files()[0])

    def require(self, process_id: str, snapshot: tuple | None = None) -> Path:
        """The file of an executable process; a skipped one raises ModelInvalid with its reason, an
        unknown one UnknownProcess naming the known ones."""
        known = self.process_ids(snapshot)
        if process_id in known:
            return known[process_id]
        self._raise_unknown(process_id, snapshot)

    def _raise_unknown(self, process_id: str, snapshot):
        scan_skipped = self._remembered("scan", self._scan, snapshot)[1]
        for item in scan_skipped:
            if item.process_id == process_id:
                raise ModelInvalid(item.reason)
        files = sorted({item.source for item in self.skipped(snapshot) if item.process_id is None})
        hint = f"; not read: {', '.join(files)} (see `phasegate processes`)" if files else ""
        known = ", ".join(sorted(self.process_ids(snapshot))) or "none"
        raise UnknownProcess("unknown process '{process_id}' (known: {known}){not_read}", process_id=process_id, known=known, not_read=hint)

    def parse_all(self, snapshot: tuple | None = None) -> dict[str, ParsedModel]:
        """Parse every file with XSD validation and return each executable process that parses;
        `skipped` says why the others do not run."""
        return dict(self._remembered("parse_all", self._parse_all, snapshot)[0])

    def _parse_all(self) -> tuple[dict[str, ParsedModel], list]:
        """Parse the folder together (call activities and decisions resolve across files); a file the
        parser refuses is left out, with its reason, and the rest parsed again without it."""
        from engine.bpmn.dialects import translate_dialects
        from engine.bpmn.folder import Skipped
        from engine.bpmn.formdefs import forms_in, read_form_files
        from engine.bpmn.implementations import adopt_camunda_implementations
        from engine.bpmn.loader import parse_file
        from engine.bpmn.references import check_event_references, unprefix_references
        from engine.bpmn.refusals import process_problems
        from engine.bpmn.timertext import quote_bare_timers

        bpmn_files, dmn_files = self.files()
        trees, skipped = {}, []
        try:
            form_files = read_form_files(self.folder)
        except ModelInvalid as err:
            return {}, [Skipped(self.folder.name, None, str(err))]
        forms = {}
        for path in bpmn_files + [p for p in dmn_files if p.suffix == ".dmn"]:
            try:
                trees[path] = parse_file(path)
                if path.suffix == ".bpmn":
                    unprefix_references(trees[path])
                    check_event_references(trees[path], path)
                    _check_flow_references(trees[path], path)
                    translate_dialects(trees[path], path.name)
                    quote_bare_timers(trees[path])
                    adopt_camunda_implementations(trees[path])
                    forms[path] = forms_in(trees[path], path, form_files)
            except ModelInvalid as err:
                trees.pop(path, None)
                skipped.append(Skipped(path.name, None, str(err)))
        while True:
            try:
                parser, lanes = self._parser_over(trees)
                break
            except _FileRefused as refused:
                del trees[refused.path]
                skipped.append(Skipped(refused.path.name, None, refused.reason))
        forms_by_process = {pid: f for path in trees if path in forms for pid, f in forms[path].items()}
        problems = process_problems(trees)
        models = {}
        for process_id in parser.get_process_ids():
            if not process_id:  # a process without an id: the folder scan lists it as skipped
                continue
            if process_id in problems:
                source = getattr(parser.process_parsers.get(process_id), "filename", None) or ""
                skipped.append(Skipped(source, process_id, problems[process_id]))
                continue
            try:
                models[process_id] = self._parsed(parser, process_id, lanes, forms_by_process)
            except ModelInvalid as err:
                source = getattr(parser.process_parsers.get(process_id), "filename", None) or ""
                skipped.append(Skipped(source, process_id, str(err)))
        return models, skipped

    def _parser_over(self, trees: dict):
        from engine.spiff import VALIDATOR, SpiffBpmnParser

        parser = SpiffBpmnParser(validator=VALIDATOR)
        lanes = {}
        for path, tree in trees.items():
            if path.suffix != ".bpmn":
                continue
            lanes.update(_lanes_of(tree))
            try:
                parser.add_bpmn_xml(tree, filename=path.name)
            except Exception as err:  # noqa: BLE001 - SpiffWorkflow raises more than ValidationException on odd input
                raise _FileRefused(path, f"{path}: {_one_line(err)}") from None
        for path, tree in trees.items():
            if path.suffix != ".dmn":
                continue
            try:
                parser.add_dmn_xml(tree.getroot(), filename=path.name)
            except Exception as err:  # noqa: BLE001 - SpiffWorkflow raises more than ValidationException on odd input
                raise _FileRefused(path, f"{path}: {_one_line(err)}") from None
        return parser, lanes

    def _parsed(self, parser, process_id: str, lanes: dict, forms: dict) -> ParsedModel:
        from engine.bpmn.formdefs import to_plain
        from engine.spiff.serializer import spec_to_dict

        try:
            spec = parser.get_spec(process_id)
            subprocesses = parser.get_subprocess_specs(process_id)
            serial = spec_to_dict(spec, subprocesses)
        except Exception as err:  # noqa: BLE001 - SpiffWorkflow raises more than ValidationException on odd input
            where = getattr(parser.process_parsers.get(process_id), "filename", None)
            raise ModelInvalid("{value}process '{process_id}': {value2}", value=where + ': ' if where else '', process_id=process_id, value2=_one_line(err)) from None
        used = [process_id, *serial.get("subprocess_specs", {})]
        version_forms = {pid: {key: to_plain(form) for key, form in forms[pid].items()} for pid in used if pid in forms}
        if version_forms:  # kept with the version (and so in its fingerprint): instances validate against them
            serial["forms"] = version_forms
        proc_lanes, start_lanes = lanes.get(process_id, ([], []))
        return ParsedModel(
            process_id=process_id,
            name=spec.description or process_id,
            source=parser.process_parsers[process_id].filename,
            spec=serial,
            sha256=spec_fingerprint(serial),
            lanes=proc_lanes,
            start_lanes=start_lanes,
        )

    def parse(self, process_id: str, snapshot: tuple | None = None) -> ParsedModel:
        """Parse the folder and return one process; a skipped one raises ModelInvalid with its reason,
        an unknown one UnknownProcess."""
        models = self.parse_all(snapshot)
        if process_id in models:
            return models[process_id]
        for item in self._remembered("parse_all", self._parse_all, snapshot)[1]:
            if item.process_id == process_id:
                raise ModelInvalid(item.reason)
        path = self.process_ids(snapshot).get(process_id)
        for item in self._remembered("parse_all", self._parse_all, snapshot)[1]:
            if path is not None and item.process_id is None and item.source == path.name:
                raise ModelInvalid(item.reason)
        self._raise_unknown(process_id, snapshot)


class _FileRefused(Exception):
    """The parser refused a whole file: the folder is parsed again without it."""

    def __init__(self, path: Path, reason: str):
        super().__init__(reason)
        self.path, self.reason = path, reason


def _check_flow_references(tree, path: Path) -> None:
    """Name a sequence flow whose source or target does not exist (SpiffWorkflow fails obscurely on it)."""
    ids = {node.get("id") for node in tree.getroot().iter() if isinstance(node.tag, str) and node.get("id")}
    for flow in tree.getroot().iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for attribute in ("sourceRef", "targetRef"):
            ref = flow.get(attribute)
            if ref not in ids:
                raise ModelInvalid("{path}:{sourceline}: sequence flow '{value}' has {attribute} '{value2}', which does not exist", path=path, sourceline=flow.sourceline, value=flow.get('id'), attribute=attribute, value2=ref or '')


def _one_line(err) -> str:
    from engine.spiff import ValidationException

    text = " ".join(str(err).split())
    text = re.sub(r"<Element (\S+) at 0x[0-9a-f]+>", r"\1", text)  # lxml's repr: no memory addresses
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

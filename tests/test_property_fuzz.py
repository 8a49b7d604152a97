"""Property tests: take the programme's valid models, drop, duplicate and rewire elements, corrupt
attributes, texts and bytes, and run lint, start and render on the result. Whatever the damage, each
command answers in one line with a known exit code: never a traceback, never an 'unexpected' error,
never a crashed lint rule; rendering gives DOT source or one bad-input line."""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import CUSTOMER, PM, REPO, Terminal
from engine.bpmn.model import read_model
from engine.diagrams.render import diagram
from engine.errors import DrawingFailed, ModelInvalid, PhasegateError
from engine.lint import LintContext, lint_paths
from processes.programme import build

BPMN_DIR = REPO / "bpmn"
SOURCES = {"business_adjustment": PM, "service_loop_before": CUSTOMER, "service_loop_after": CUSTOMER}
PROGRAMME = build()
CONTEXT = LintContext(people_by_lane=PROGRAMME.roster, form_for=PROGRAMME.form_for,
                      handlers=frozenset(PROGRAMME.handlers))
START_EXITS = {0, 2, 3, 4, 5, 6}  # ok, bad model, task failed, unknown process, not your lane, invalid form
NASTY_TEXT = ["", "1/0", "while True: pass", "__import__('os')", "P3D", "x ==", "None", "9**9**9",
              "'{0.__class__}'.format(1)", "R/P1D", "2023-13-45", "&amp;", "not_defined_anywhere", "é" * 3]
REF_ATTRIBUTES = ("sourceRef", "targetRef", "default", "attachedToRef", "calledElement", "processRef", "messageRef")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=24)


def mutate(tree, data) -> None:
    """Apply one to three structural mutations to `tree`, drawing every choice from hypothesis."""
    root = tree.getroot()
    for op in data.draw(st.lists(st.sampled_from(["drop", "duplicate", "rewire", "attribute", "text"]),
                                 min_size=1, max_size=3)):
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
        if not elements:
            return
        element = data.draw(st.sampled_from(elements))
        if op == "drop":
            element.getparent().remove(element)
        elif op == "duplicate":
            element.addnext(copy.deepcopy(element))
        elif op == "rewire":
            referring = [e for e in elements if any(e.get(a) for a in REF_ATTRIBUTES)]
            if referring:
                target = data.draw(st.sampled_from(referring))
                attribute = data.draw(st.sampled_from([a for a in REF_ATTRIBUTES if target.get(a)]))
                ids = [e.get("id") for e in elements if e.get("id")]
                target.set(attribute, data.draw(st.one_of(st.sampled_from(ids), xml_text)))
        elif op == "attribute" and element.attrib:
            name = data.draw(st.sampled_from(sorted(element.attrib)))
            element.set(name, data.draw(st.one_of(st.sampled_from(NASTY_TEXT), xml_text)))
        elif op == "text" and not len(element):
            element.text = data.draw(st.one_of(st.sampled_from(NASTY_TEXT), xml_text))


def corrupt(raw: bytes, data) -> bytes:
    """Flip, delete, insert or cut bytes of a serialized model."""
    for op in data.draw(st.lists(st.sampled_from(["flip", "delete", "insert", "truncate"]), min_size=1, max_size=3)):
        if not raw:
            return raw
        at = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1:]
        elif op == "delete":
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 64)):]
        elif op == "insert":
            raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=16)) + raw[at:]
        else:
            raw = raw[:at]
    return raw


def models_with(name: str, raw: bytes, folder: Path) -> Path:
    """A models folder: the programme's DMN files and the damaged BPMN file under its own name."""
    for dmn in BPMN_DIR.glob("*.dmn"):
        shutil.copy(dmn, folder / dmn.name)
    path = folder / f"{name}.bpmn"
    path.write_bytes(raw)
    return path


def error_classes(base=PhasegateError):
    """Every phasegate error class: the reference a person reads and the exit code it carries."""
    yield base
    for sub in base.__subclasses__():
        yield from error_classes(sub)


EXIT_OF = {cls.reference: cls.exit_code for cls in error_classes()}
ERROR_LINE = re.compile(r"phasegate: ([a-z-]+): \S.*")


def assert_lints_in_one_line_each(path: Path, readable: bool) -> None:
    """Lint answers with findings, never a crashed rule; an unreadable file is one phasegate/xml finding."""
    report = lint_paths([path], preset="all", context=CONTEXT, cwd=path.parent)
    assert [f.text() for f in report.findings if f.rule == "rule-error"] == []
    assert all(len(f.text().splitlines()) == 1 for f in report.findings)
    if readable:
        assert report.unreadable == []
        return
    assert len(report.unreadable) <= 1
    xml = [f for f in report.findings if f.rule == "phasegate/xml"]
    assert len(xml) == len(report.unreadable)
    if report.unreadable:
        with pytest.raises(ModelInvalid) as refused:
            report.raise_for_status()
        assert str(refused.value) == report.unreadable[0] and "\n" not in str(refused.value)


def assert_starts_or_refuses_in_one_line(folder: Path, name: str) -> None:
    """Exit 0 with nothing on stderr, or one `phasegate: <reference>: <what>` line whose exit code matches."""
    terminal = Terminal(folder / "store" / "phasegate.db", folder)
    result = terminal.run("start", name, user=SOURCES[name])
    assert result.exit_code in START_EXITS, (result.exit_code, result.stderr)
    if result.exit_code == 0:
        assert result.stderr == ""
        return
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = ERROR_LINE.fullmatch(lines[0])
    assert match and match.group(1) != "unexpected", lines[0]
    assert EXIT_OF[match.group(1)] == result.exit_code, lines[0]


def assert_renders_or_refuses_in_one_line(path: Path) -> None:
    """DOT source for the model, or a bad-input error (unreadable model, undrawable diagram) in one line."""
    try:
        source = diagram(read_model(path))
    except (ModelInvalid, DrawingFailed) as err:
        assert str(err) and "\n" not in str(err)
        return
    assert source.startswith("digraph phasegate {") and source.endswith("}\n")


@FUZZ
@given(name=st.sampled_from(sorted(SOURCES)), data=st.data())
def test_lint_survives_dropped_duplicated_and_rewired_elements(name, data):
    tree = etree.parse(str(BPMN_DIR / f"{name}.bpmn"))
    mutate(tree, data)
    with tempfile.TemporaryDirectory() as tmp:
        assert_lints_in_one_line_each(models_with(name, etree.tostring(tree, encoding="UTF-8"), Path(tmp)), readable=True)


@settings(FUZZ, max_examples=30)
@given(name=st.sampled_from(sorted(SOURCES)), data=st.data())
def test_start_and_render_survive_structural_damage(name, data):
    tree = etree.parse(str(BPMN_DIR / f"{name}.bpmn"))
    mutate(tree, data)
    with tempfile.TemporaryDirectory() as tmp:
        path = models_with(name, etree.tostring(tree, encoding="UTF-8"), Path(tmp))
        assert_starts_or_refuses_in_one_line(Path(tmp), name)
        assert_renders_or_refuses_in_one_line(path)


@settings(FUZZ, max_examples=30)
@given(name=st.sampled_from(sorted(SOURCES)), data=st.data())
def test_lint_start_and_render_survive_corrupted_bytes(name, data):
    raw = corrupt((BPMN_DIR / f"{name}.bpmn").read_bytes(), data)
    with tempfile.TemporaryDirectory() as tmp:
        path = models_with(name, raw, Path(tmp))
        assert_lints_in_one_line_each(path, readable=False)
        assert_starts_or_refuses_in_one_line(Path(tmp), name)
        assert_renders_or_refuses_in_one_line(path)

"""A models folder with one bad file: the good processes beside it still run, `processes` names the bad
file and why it does not run, and a command that needs it says what is wrong in one line and exits 2
(lint: its findings code when the file is XML it can read and lint, 2 when it cannot) — never a traceback."""

from __future__ import annotations

import shutil

import pytest

from conftest import CUSTOMER, REPO, Terminal

GOOD = REPO / "bpmn" / "service_loop_before.bpmn"
BASE = REPO / "tests" / "lint" / "fixtures" / "label-required" / "valid-all-named.bpmn"


def text_edit(old: str, new: str):
    return lambda data: data.decode("utf-8").replace(old, new, 1).encode("utf-8")


# name → (how to spoil the file's bytes, what the one line must say, lint exit code)
SPOILERS = {
    "truncated XML": (lambda d: d[: len(d) // 2], "malformed XML", 2),
    "unknown element type": (text_edit("bpmn:task ", "bpmn:fooTask "), "bpmn:fooTask", 9),
    "foreign element in a process": (text_edit('<bpmn:task id="Task" name="Do it" />',
                                               '<x:task xmlns:x="urn:x" id="Task" />'), "{urn:x}task", 9),
    "not a BPMN root": (lambda d: b'<?xml version="1.0"?>\n<html><body/></html>', "html", 9),
    "dangling reference": (text_edit('targetRef="End"', 'targetRef="Nowhere"'), "targetRef 'Nowhere', which does not exist", 9),
    "unsupported encoding": (text_edit('encoding="UTF-8"', 'encoding="klingon"'), "Unsupported encoding", 2),
    "wrong encoding declared": (lambda d: d.replace(b'encoding="UTF-8"', b'encoding="UTF-16"'), "broken.bpmn", 2),
    "invalid UTF-8 bytes": (lambda d: d.replace(b"Do it", b"Do \xff\xfe it"), "malformed XML", 2),
    "empty file": (lambda d: b"", "file is empty", 2),
    "whitespace only": (lambda d: b" \n\t\n", "file is empty", 2),
    "binary junk": (lambda d: bytes(range(256)) * 4, "malformed XML", 2),
    "JSON instead of XML": (lambda d: b'{"process": "Process"}', "malformed XML", 2),
    "external entity": (lambda d: d.replace(b"?>", b'?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1)
                        .replace(b'name="Do it"', b'name="&xxe;"'), "DOCTYPE and entity declarations are not allowed", 2),
    "billion laughs": (lambda d: d.replace(b"?>", b'?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
                                           b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', 1)
                       .replace(b'name="Do it"', b'name="&c;"'), "DOCTYPE and entity declarations are not allowed", 2),
    "nested too deep": (lambda d: d.replace(b'<bpmn:task id="Task" name="Do it" />',
                                            b'<bpmn:task id="Task" name="Do it"><bpmn:documentation>' + b"<b>" * 300
                                            + b"</b>" * 300 + b"</bpmn:documentation></bpmn:task>"), "broken.bpmn", 2),
}


def spoiled_folder(tmp_path, spoil) -> tuple:
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(GOOD, models / GOOD.name)
    for form in GOOD.parent.glob("*.form"):  # the forms its tasks link
        shutil.copy(form, models / form.name)
    (models / "broken.bpmn").write_bytes(spoil(BASE.read_bytes()))
    return Terminal(tmp_path / "store" / "phasegate.db", models), models


def assert_one_line(result, code: int, fragment: str):
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("name", list(SPOILERS))
def test_a_person_starts_a_good_process_next_to_a_bad_file(tmp_path, name):
    spoil, _fragment, _ = SPOILERS[name]
    terminal, _ = spoiled_folder(tmp_path, spoil)
    started = terminal.ok("start", "service_loop_before", user=CUSTOMER)
    assert started["process_id"] == "service_loop_before" and started["status"] == "running"


@pytest.mark.parametrize("name", list(SPOILERS))
def test_starting_the_bad_files_process_is_one_line_and_nothing_starts(tmp_path, name):
    spoil, fragment, _ = SPOILERS[name]
    terminal, _ = spoiled_folder(tmp_path, spoil)
    result = terminal.run("start", "Process", user=CUSTOMER)
    assert result.exit_code in (2, 4), (result.exit_code, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    if result.exit_code == 2:      # the file says it holds the process: its reason is the answer
        assert result.stderr.startswith("phasegate: model-invalid: ") and fragment in result.stderr
    else:                          # the file cannot be read at all: the process is unknown, the file named
        assert "unknown process 'Process'" in result.stderr and "not read: broken.bpmn" in result.stderr
    assert terminal.json("instances") == []


@pytest.mark.parametrize("name", list(SPOILERS))
def test_listing_processes_next_to_a_bad_file_names_the_file_and_why(tmp_path, name):
    spoil, fragment, _ = SPOILERS[name]
    terminal, _ = spoiled_folder(tmp_path, spoil)
    listed = terminal.json("processes")
    ready = [p["process_id"] for p in listed if p["status"] == "ready"]
    skipped = [p for p in listed if p["status"] == "skipped"]
    assert ready == ["service_loop_before"]
    assert len(skipped) == 1 and "broken.bpmn" in skipped[0]["source"] + skipped[0]["reason"]
    assert fragment in skipped[0]["reason"] and "\n" not in skipped[0]["reason"]


@pytest.mark.parametrize("name", list(SPOILERS))
def test_linting_a_bad_file_reports_it_without_a_traceback(tmp_path, name):
    spoil, fragment, lint_code = SPOILERS[name]
    terminal, models = spoiled_folder(tmp_path, spoil)
    result = terminal.run("lint", models / "broken.bpmn")
    assert result.exit_code == lint_code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr and "rule-error" not in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    if lint_code == 2:
        assert result.stderr.startswith("phasegate: model-invalid: ") and fragment in result.stderr
        assert result.stdout.startswith(f"{models / 'broken.bpmn'}:")
        assert " phasegate/xml error " in result.stdout


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    terminal, models = spoiled_folder(tmp_path, lambda d: d)
    with open(models / "broken.bpmn", "r+b") as handle:
        handle.truncate(21 * 1024 * 1024)
    assert_one_line(terminal.run("lint", models), 2, "more than the 20971520 allowed")
    skipped = [p for p in terminal.json("processes") if p["status"] == "skipped"]
    assert [p["source"] for p in skipped] == ["broken.bpmn"] and "more than the 20971520 allowed" in skipped[0]["reason"]


def test_a_bad_decision_table_is_one_line_too(tmp_path):
    terminal, models = spoiled_folder(tmp_path, lambda d: d)
    (models / "broken.bpmn").unlink()
    (models / "table.dmn").write_text("<definitions/>", encoding="utf-8")
    skipped = [p for p in terminal.json("processes") if p["status"] == "skipped"]
    assert len(skipped) == 1 and "table.dmn: cannot be read as a process model" in skipped[0]["reason"]

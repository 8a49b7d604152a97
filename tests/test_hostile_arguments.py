"""Arguments and files a person (or an attacker) gives on the command line: each refused in one line
with its exit code, quickly, without a traceback, and the store byte-for-byte as it was — each case a
real `phasegate` process with a time limit, as at a terminal."""

from __future__ import annotations

import os
import time

import pytest

from conftest import CUSTOMER, REPO, phasegate_process, store_bytes

MODEL = REPO / "bpmn" / "service_loop_before.bpmn"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A store with one running instance, a FIFO, a symlink to /dev/zero, a directory named like a model."""
    root = tmp_path_factory.mktemp("hostile")
    db = root / "store" / "phasegate.db"
    started = phasegate_process("start", "service_loop_before", "--json", db=db, user=CUSTOMER)
    assert started.returncode == 0, started.stderr
    os.mkfifo(root / "pipe.bpmn")
    os.symlink("/dev/zero", root / "zero.bpmn")
    (root / "folder.bpmn").mkdir()
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    return root, db


CASES = {
    # name: (arguments, exit code, what the one line says)
    "20-digit instance id": (["show", "99999999999999999999"], 2, "is not in the range 1<=x<=9223372036854775807"),
    "20-digit id in history": (["history", "99999999999999999999"], 2, "is not in the range"),
    "20-digit id in form": (["form", "99999999999999999999", "x"], 2, "is not in the range"),
    "20-digit id in complete": (["complete", "99999999999999999999", "x"], 2, "is not in the range"),
    "20-digit id in tasks": (["tasks", "--instance", "99999999999999999999"], 2, "is not in the range"),
    "negative instance id": (["show", "-5"], 2, "No such option"),
    "--now in year 1": (["--now", "0001-01-01T00:00", "tick"], 2, "outside the years 1970–2999"),
    "--now in year 9999": (["--now", "9999-12-31T23:59", "tick"], 2, "outside the years 1970–2999"),
    "--now not a date": (["--now", "yesterday", "tick"], 2, "is not an ISO 8601 instant"),
    "unknown --tz": (["--tz", "Mars/Base", "--now", "2023-10-01T00:00", "tick"], 2, "'Mars/Base' is not a time zone"),
    "--tz walking out": (["--tz", "../../../etc/passwd", "tasks"], 2, "is not a time zone"),
    "huge --within": (["deadlines", "--within", "P99999999999Y"], 2, "is not a span like"),
    "long --within": (["deadlines", "--within", "999999w"], 2, "longer than a hundred years"),
    "--data from /dev/zero": (["start", "service_loop_before", "--data", "@/dev/zero"], 2, "is a device, not a regular file"),
    "--data from a FIFO": (["start", "service_loop_before", "--data", "@{root}/pipe.bpmn"], 2, "is a FIFO"),
    "--data 100k deep": (["start", "service_loop_before", "--data", "@{root}/deep.json"], 2, "JSON nested too deeply"),
    "lint --config /dev/zero": (["lint", "--config", "/dev/zero", str(MODEL)], 2, "is a device, not a regular config file"),
    "lint a FIFO": (["lint", "{root}/pipe.bpmn"], 2, "is a FIFO (named pipe), not a regular file"),
    "render a FIFO": (["render", "{root}/pipe.bpmn", "-o", "{root}/x.svg"], 2, "is a FIFO"),
    "diff a FIFO": (["diff", "{root}/pipe.bpmn", str(MODEL)], 2, "is a FIFO"),
    "layout a FIFO": (["layout", "{root}/pipe.bpmn", "-o", "{root}/y.bpmn"], 2, "is a FIFO"),
    "lint a symlink to /dev/zero": (["lint", "{root}/zero.bpmn"], 2, "is a device"),
    "render a directory": (["render", "{root}/folder.bpmn", "-o", "{root}/x.svg"], 2, "is a directory"),
    "layout onto a directory": (["layout", str(MODEL), "-o", "{root}"], 2, "is a directory"),
    "unknown command": (["frobnicate"], 2, "No such command 'frobnicate'"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_argument_is_one_line_its_exit_code_and_no_change(world, name):
    root, db = world
    args, code, words = CASES[name]
    args = [a.replace("{root}", str(root)) for a in args]
    before = store_bytes(db)
    began = time.monotonic()
    result = phasegate_process(*args, db=db, user=CUSTOMER)
    assert time.monotonic() - began < 60          # generous: a hang would hit the 120 s limit instead
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, (result.returncode, result.stderr)
    assert len(lines) == 1 and words in lines[0], lines
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert store_bytes(db) == before


def test_undecodable_bytes_in_a_name_are_a_usage_error(world):
    root, db = world
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_") or k == "PHASEGATE_LANG"}
    env["PHASEGATE_DB"] = str(db)
    result = subprocess.run([sys.executable.encode(), b"-m", b"cli", b"--as", b"\xff\xfe", b"tasks"], cwd=REPO,
                            env=env, capture_output=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "phasegate: usage: Invalid value for --as: is not valid UTF-8 text (see phasegate --help)"


def test_drawings_go_into_a_folder_that_does_not_exist_yet(world):
    root, db = world
    out = root / "new" / "deeper" / "loop.svg"
    result = phasegate_process("render", MODEL, "-o", out, db=db)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"<?xml") and not list(out.parent.glob(".*partial"))


@pytest.mark.parametrize("args, code", [(["show", "1"], 4), (["history", "1"], 4), (["form", "1", "x"], 4),
                                        (["tasks"], 0), (["deadlines"], 0), (["instances"], 0), (["people"], 0)])
def test_a_read_on_a_store_that_is_not_there_creates_nothing(tmp_path, args, code):
    db = tmp_path / "nowhere" / "phasegate.db"
    result = phasegate_process(*args, db=db, user=CUSTOMER)
    assert result.returncode == code, result.stderr
    assert not (tmp_path / "nowhere").exists()

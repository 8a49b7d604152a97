"""Option values no command can use are refused at the edge in one line, before any work.

Found by trying (issue 13's sweep): `worker --interval 1e308` ended in `unexpected` (OverflowError),
`--interval nan` ticked in a busy loop, `--models` naming a file, a FIFO or a device listed no models
and exited 0, `people add '' 管理层` put a person without a name into the store, and `proposal -o
/dev/null` drew every picture (8 s here) before it found it could not write them.
"""

from __future__ import annotations

import os

import pytest

from bounded import refused, run
from conftest import CUSTOMER, MANAGER, store_bytes


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("options")
    db = root / "store" / "phasegate.db"
    started = run("start", "service_loop_before", db=db, user=CUSTOMER)
    assert started.returncode == 0, started.stderr
    os.mkfifo(root / "pipe")
    (root / "file.txt").write_text("not a folder")
    return root, db


CASES = {
    # name: (arguments, who, exit code, what the one line says)
    "an interval too long": (["worker", "--interval", "1e308", "--ticks", "1"], None, 2,
                             "1e+308 is not in the range 0<=x<=86400"),
    "a negative interval": (["worker", "--interval", "-1", "--ticks", "1"], None, 2, "is not in the range 0<=x<=86400"),
    "an interval that is no number": (["worker", "--interval", "nan", "--ticks", "1"], None, 2,
                                      "Invalid value for --interval: is not a number"),
    "models in a file": (["--models", "{root}/file.txt", "processes"], None, 2, "is not a folder of models"),
    "models in a FIFO": (["--models", "{root}/pipe", "processes"], None, 2, "is not a folder of models"),
    "models in a device": (["--models", "/dev/null", "processes"], None, 2, "is not a folder of models"),
    "models that are not there": (["--models", "{root}/nowhere", "start", "x"], CUSTOMER, 2, "is not a folder of models"),
    "a person without a name": (["people", "add", " ", "管理层"], MANAGER, 2,
                                "a person's name is 1 to 200 printable characters"),
    "a person's name of 100k characters": (["people", "add", "x" * 100_000, "管理层"], MANAGER, 2,
                                           "a person's name is 1 to 200 printable characters"),
    "a lane with a control character": (["people", "add", "赵磊", "管理\x1b[2J层"], MANAGER, 2,
                                        "a lane's name is 1 to 200 printable characters"),
    "a bundle into a device": (["proposal", "-o", "/dev/null"], None, 2, "/dev/null: is not a folder"),
    "a bundle under a device": (["proposal", "-o", "/dev/null/bundle"], None, 2, "/dev/null is not a folder"),
    "a bundle under a file": (["proposal", "-o", "{root}/file.txt/bundle"], None, 2, "file.txt is not a folder"),
    "data in a FIFO": (["--data-dir", "{root}/pipe", "tasks"], None, 2, "Invalid value for --data-dir: "),
    "data in a file": (["--data-dir", "{root}/file.txt", "tasks"], None, 2, "is a file"),
    "data that is not there": (["--data-dir", "{root}/nowhere", "tasks"], None, 2, "is not a folder"),
    "a drawing time that is no number": (["--draw-seconds", "nan", "tasks"], None, 2,
                                         "Invalid value for --draw-seconds: is not a number"),
    "a month with a line break": (["report", "monthly", "--month", "2024-02\n"], None, 2,
                                  "--month takes YYYY-MM (e.g. 2024-02), not '2024-02\\n'"),
    "a token for bytes that are no text": (["people", "token", "\udcff"], MANAGER, 2,
                                           "a person's name is 1 to 200 printable characters"),
    "a revoke of bytes that are no text": (["people", "revoke", "\udcff"], MANAGER, 2,
                                           "a person's name is 1 to 200 printable characters"),
    "a signal whose name holds a line break and an escape": (["signal", "a\x1b[31mb\nc"], MANAGER, 2,
                                                             "unknown signal 'a\\x1b[31mb\\nc'"),
    "a signal name of 10k characters": (["signal", "s" * 10_000], MANAGER, 2, "unknown signal '" + "s" * 300 + "…'"),
    "a remove of a name with a line break": (["people", "remove", "周\n涛", "管理层"], MANAGER, 2,
                                             "a person's name is 1 to 200 printable characters"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_an_option_value_no_command_can_use_is_refused_before_any_work(world, name):
    root, db = world
    args, user, code, words = CASES[name]
    before = store_bytes(db)
    refused(run(*[a.replace("{root}", str(root)) for a in args], db=db, user=user), code, words)
    assert store_bytes(db) == before

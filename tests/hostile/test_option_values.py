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
}


@pytest.mark.parametrize("name", list(CASES))
def test_an_option_value_no_command_can_use_is_refused_before_any_work(world, name):
    root, db = world
    args, user, code, words = CASES[name]
    before = store_bytes(db)
    refused(run(*[a.replace("{root}", str(root)) for a in args], db=db, user=user), code, words)
    assert store_bytes(db) == before

"""A long-running engine (a worker, a server, a script) and the designers' files: every save a designer
makes is seen at the next start, and files nobody touched are not read again.

The engine tells an unchanged file by its status (device, inode, size, modification and change
times); a status taken within a few seconds of the file's last change is not trusted (a second save
within the file system's timestamp resolution could leave the times as they were), so such a file is
read, and compared byte for byte, at every start until it has settled.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from engine import files
from engine.api import Engine
from engine.bpmn import catalog
from processes.programme import build

pytestmark = pytest.mark.store

REPO = Path(__file__).resolve().parent.parent
CUSTOMER = "何佳怡"
PROCESS = "service_loop_after"


@pytest.fixture
def engine(tmp_path, new_store):
    """An engine over a copy of the designers' folder."""
    models = tmp_path / "bpmn"
    shutil.copytree(REPO / "bpmn", models)
    engine = Engine.open(new_store(), build(models))
    yield engine
    engine.store.close()


@pytest.fixture
def reads(monkeypatch):
    """The model files the engine reads to learn whether they changed, in order (a parse after a
    change reads them again; that is not counted)."""
    seen: list[str] = []
    real = files.read_regular

    def counting(path, *args, **kwargs):
        if sys._getframe(1).f_globals["__name__"] == catalog.__name__:
            seen.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "read_regular", counting)
    return seen


@pytest.fixture
def settled(monkeypatch):
    """The engine's idea of now, ten seconds ahead: every file of the copy counts as settled."""
    monkeypatch.setattr(catalog, "_clock_ns", lambda: time.time_ns() + 10_000_000_000)


def model_files(engine) -> int:
    """How many files the engine reads to know the models: BPMN, DMN and form files."""
    folder = engine.programme.bpmn_dir
    return sum(len(list(folder.glob(pattern))) for pattern in ("*.bpmn", "*.dmn", "*.form"))


def versions(engine) -> int:
    (view,) = [p for p in engine.processes() if p.process_id == PROCESS]
    return view.versions


def rename_task(path: Path, old: str, new: str) -> None:
    """A designer renames a task in the modeler: the name attribute changes, nothing else."""
    text = path.read_text(encoding="utf-8")
    assert f'name="{old}"' in text
    path.write_text(text.replace(f'name="{old}"', f'name="{new}"', 1), encoding="utf-8")


def test_a_designers_save_is_seen_at_the_next_start(engine):
    engine.start(PROCESS, CUSTOMER)
    model = engine.programme.bpmn_dir / f"{PROCESS}.bpmn"
    rename_task(model, "人工解答咨询", "人工解答客户咨询")

    second = engine.start(PROCESS, CUSTOMER)

    assert second.model_version == 2
    assert versions(engine) == 2


def test_files_nobody_touched_are_not_read_again(engine, reads, settled):
    engine.start(PROCESS, CUSTOMER)
    assert len(reads) == model_files(engine) > 30  # the models, decision tables and forms

    reads.clear()
    engine.start(PROCESS, CUSTOMER)
    engine.start(PROCESS, CUSTOMER)
    assert reads == []

    # The modification time moved (a save, a checkout): that file alone is read again.
    form = engine.programme.bpmn_dir / "answer-inquiry.form"
    info = form.stat()
    os.utime(form, ns=(info.st_atime_ns, info.st_mtime_ns - 5_000_000_000))
    view = engine.start(PROCESS, CUSTOMER)
    assert reads == ["answer-inquiry.form"]
    assert view.model_version == 1  # same bytes, same version


def test_a_save_that_keeps_the_size_and_the_time_is_still_seen(engine, reads, settled):
    engine.start(PROCESS, CUSTOMER)
    model = engine.programme.bpmn_dir / f"{PROCESS}.bpmn"
    before = model.stat()
    rename_task(model, "人工解答咨询", "人工咨询解答")  # same length, other words
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old modification time
    assert model.stat().st_size == before.st_size

    reads.clear()
    view = engine.start(PROCESS, CUSTOMER)

    assert reads == [model.name]  # its change time moved: no program can set that one back
    assert view.model_version == 2


def test_a_file_saved_moments_ago_is_read_at_every_start(engine, reads):
    form = engine.programme.bpmn_dir / "answer-inquiry.form"
    form.write_bytes(form.read_bytes())  # saved just now, same bytes
    engine.start(PROCESS, CUSTOMER)

    reads.clear()
    engine.start(PROCESS, CUSTOMER)

    # Everything was copied moments ago too: nothing has settled, every file is read and compared.
    assert len(reads) == model_files(engine)
    assert "answer-inquiry.form" in reads


def test_a_new_form_file_is_seen_and_a_removed_one_is_missed(engine, reads, settled):
    engine.start(PROCESS, CUSTOMER)
    folder = engine.programme.bpmn_dir
    text = (folder / "answer-inquiry.form").read_text(encoding="utf-8")
    (folder / "extra.form").write_text(text.replace('"id": "answer-inquiry"', '"id": "extra"'), encoding="utf-8")

    reads.clear()
    engine.start(PROCESS, CUSTOMER)
    assert reads == ["extra.form"]

    (folder / "extra.form").unlink()
    reads.clear()
    engine.start(PROCESS, CUSTOMER)
    assert reads == []
    assert [path.name for path, _ in engine.catalog.snapshot()].count("extra.form") == 0

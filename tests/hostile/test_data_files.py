"""A service handler reads only files inside the data folders it is allowed, and never quotes them.

The CRM export of 数据收集与分析 is a form value. Before issue 13, `top3_complaints` opened whatever
it named and printed the first line in its error (`/etc/shadow (现有列 / found: root:$6$...`): a
leak of any file to whoever completes the task. Now a name resolves, symlinks followed, inside
processes/data/ or a folder the administrator names (`--data-dir`, PHASEGATE_DATA_DIRS), must be a
regular file under the size limit, and an error names the file as it was given and nothing it holds.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bounded import refused, run
from conftest import PM, SERVICE, store_bytes
from engine.files import MEGABYTE, DataFileRefused, DataFolders
from processes.samples import SAMPLES

SECRET = "TOPSECRET-ROW-7f3a"    # what the files outside (and the bad ones inside) hold
HEADER = "投诉编号,日期,渠道,产品线,问题类别,关键词,客户评分,处理时长小时,描述"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A store with an instance waiting at collect_feedback, a data folder holding hostile files, and
    secrets outside it."""
    root = tmp_path_factory.mktemp("datafiles")
    data, outside = root / "data", root / "outside"
    data.mkdir()
    outside.mkdir()
    (outside / "secret.csv").write_text(f"{SECRET},a,b\n1,2,3\n", encoding="utf-8")
    os.symlink(outside / "secret.csv", data / "link_out.csv")
    os.symlink("/etc/shadow", data / "shadow.csv")
    os.symlink("/proc/self/environ", data / "environ.csv")
    os.symlink("/dev/zero", data / "zero.csv")
    os.mkfifo(data / "pipe.csv")
    (data / "folder.csv").mkdir()
    with open(data / "huge.csv", "wb") as handle:      # sparse: large on paper, nothing to write
        handle.truncate(65 * MEGABYTE)
    (data / "binary.csv").write_bytes(b"\x80\x81\xfe" * 200 + SECRET.encode())
    (data / "nocolumns.csv").write_text(f"{SECRET},x,y\n1,2,3\n", encoding="utf-8")
    twelve_months = "".join(f"\nC{m},2023-{m:02d}-05,电话,App,物流延迟,慢,2,1,x" for m in range(1, 13))
    (data / "good.csv").write_text(HEADER + twelve_months + "\n", encoding="utf-8")
    db = root / "store" / "phasegate.db"
    started = run("start", "business_adjustment", "--json", db=db, user=PM)
    assert started.returncode == 0, started.stderr
    instance = json.loads(started.stdout)["id"]
    values = json.dumps(SAMPLES["form_task_force"], ensure_ascii=False)
    formed = run("complete", instance, "form_task_force", "--data", values, db=db, user=PM)
    assert formed.returncode == 0, formed.stderr
    return root, data, db, instance


# the name given as crm_export: (exit code, what the line says)
CASES = {
    "/etc/shadow": ("/etc/shadow", 6, "crm_export: 导出文件须为 .csv"),           # the form's own check first
    "/proc/self/environ": ("/proc/self/environ", 6, "crm_export: 导出文件须为 .csv"),
    "a file outside, by absolute path": ("{root}/outside/secret.csv", 3, "not a CRM export in the folders a task may read"),
    "../ out of the data folder": ("{data}/../outside/secret.csv", 3, "not a CRM export in the folders a task may read"),
    "a symlink pointing out": ("{data}/link_out.csv", 3, "not a CRM export in the folders a task may read"),
    "a symlink to /etc/shadow": ("{data}/shadow.csv", 3, "not a CRM export in the folders a task may read"),
    "a symlink to /proc/self/environ": ("{data}/environ.csv", 3, "not a CRM export in the folders a task may read"),
    "a symlink to a device": ("{data}/zero.csv", 3, "not a CRM export in the folders a task may read"),
    "a FIFO": ("{data}/pipe.csv", 3, "is a FIFO (named pipe), not a regular CRM export"),
    "a directory": ("{data}/folder.csv", 3, "is a directory"),
    "an oversize file": ("{data}/huge.csv", 3, f"CRM export is {65 * MEGABYTE} bytes, more than the {64 * MEGABYTE} allowed"),
    "bytes that are no text": ("{data}/binary.csv", 3, "cannot decode file"),
    "a file without the columns": ("{data}/nocolumns.csv", 3, "missing required column '日期'"),
    "a name that is not there": ("{data}/missing.csv", 3, "not a CRM export in the folders a task may read"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_crm_export_fails_the_task_in_one_line_and_quotes_nothing(world, name):
    root, data, db, instance = world
    export, code, words = CASES[name]
    export = export.replace("{root}", str(root)).replace("{data}", str(data))
    before = store_bytes(db)
    outcome = run("--data-dir", data, "complete", instance, "collect_feedback", "--set", f"crm_export={export}",
                  "--set", "months_covered=12", db=db, user=SERVICE)
    line = refused(outcome, code, words)
    assert SECRET not in outcome.stderr + outcome.stdout and "root:" not in line and "PATH=" not in line
    assert store_bytes(db) == before


def test_the_administrator_names_a_data_folder_and_the_analysis_reads_it(world):
    root, data, db, instance = world
    without = run("complete", instance, "collect_feedback", "--set", f"crm_export={data}/good.csv",
                  "--set", "months_covered=12", db=db, user=SERVICE)
    refused(without, 3, "not a CRM export in the folders a task may read")
    shown = run("--data-dir", data, "show", instance, "--json", db=db)
    assert "top3" not in json.loads(shown.stdout)["data"]
    (root / "elsewhere").mkdir(exist_ok=True)   # a second folder the administrator names (it must exist)
    env = {"PHASEGATE_DATA_DIRS": f"{root / 'elsewhere'}{os.pathsep}{data}"}
    done = run("complete", instance, "collect_feedback", "--set", f"crm_export={data}/good.csv",
               "--set", "months_covered=12", "--json", db=db, user=SERVICE, env_extra=env)
    assert done.returncode == 0, done.stderr
    shown = run("show", instance, "--json", db=db)
    assert json.loads(shown.stdout)["data"]["top3"]["top3"][0]["category"] == "物流延迟"


# -- the helper itself, for what a form's own checks stop before it ---------------------------------

def test_names_outside_the_folders_are_refused_with_the_same_words_whether_or_not_they_exist(tmp_path):
    folders = DataFolders([tmp_path])
    for name in ("/etc/shadow", "/proc/self/environ", "/etc/passwd", "/no/such/file", "../../../etc/shadow",
                 f"{tmp_path}/../../etc/passwd", "~/.ssh/id_rsa"):
        with pytest.raises(DataFileRefused) as refusal:
            folders.read(name)
        assert str(refusal.value).startswith(f"{name}: not a data file in the folders a task may read ({tmp_path})")


def test_a_device_inside_an_allowed_folder_is_still_refused():
    with pytest.raises(DataFileRefused, match="/dev/zero: is a device, not a regular data file"):
        DataFolders(["/dev"]).read("/dev/zero")
    with pytest.raises(DataFileRefused, match="is a directory"):
        DataFolders(["/"]).read("/tmp")


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "big.csv").write_bytes(b"x" * 2000)
    with pytest.raises(DataFileRefused, match="big.csv: data file is 2000 bytes, more than the 1000 allowed"):
        DataFolders([tmp_path], limit=1000).read(tmp_path / "big.csv")
    assert DataFolders([tmp_path], limit=2000).read(tmp_path / "big.csv") == b"x" * 2000


def test_relative_names_resolve_against_the_bases_and_stay_inside(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("inside")
    (tmp_path / "b.csv").write_text("outside")
    folders = DataFolders([tmp_path / "data"], bases=[tmp_path])
    assert folders.read("data/a.csv") == b"inside"
    with pytest.raises(DataFileRefused):
        folders.read("b.csv")
    with pytest.raises(DataFileRefused):
        folders.read("data/../b.csv")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(["..", ".", "data", "a.csv", "", "etc", "shadow", "~", "/", "\x00", "link"]),
             max_size=8).map("/".join)))
def test_any_name_reads_a_file_inside_or_is_refused_in_one_line(tmp_path, name):
    data = tmp_path / "data"
    if not data.exists():
        data.mkdir()
        (data / "a.csv").write_text("inside")
        (tmp_path / "shadow").write_text(SECRET)
        os.symlink(tmp_path / "shadow", data / "link")
    folders = DataFolders([data], bases=[tmp_path, data])
    try:
        content = folders.read(name)
    except DataFileRefused as err:
        assert "\n" not in str(err) and SECRET not in str(err)
    else:
        assert content == b"inside"


def test_an_empty_entry_among_the_data_folders_opens_no_folder(tmp_path, monkeypatch):
    """`PHASEGATE_DATA_DIRS=/a::/b` has an empty entry; it names no folder, never the current one."""
    from engine.files import DataFileRefused, DataFolders

    (tmp_path / "secret.txt").write_text("not for you", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    folders = DataFolders((tmp_path / "data",)).with_folders(("", "  "))
    assert folders.folders == (tmp_path / "data",)
    with pytest.raises(DataFileRefused) as refused:
        folders.read("secret.txt")
    assert "not for you" not in str(refused.value)

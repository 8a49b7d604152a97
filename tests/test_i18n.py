"""Chinese first, English available: the same story told in both languages, from one catalog.

The programme's people read Chinese (the programme's default, and a zh_* locale); `--lang` and
PHASEGATE_LANG choose; scripts see the same exit codes and the same `--json` in every language.
"""

from __future__ import annotations

import ast
import json
import re
import sys

import pytest
from click.testing import CliRunner

from conftest import CUSTOMER, REPO, SERVICE_LEAD

pytestmark = pytest.mark.store

sys.path.insert(0, str(REPO / "tools"))
import i18n_catalog  # noqa: E402

HAN = re.compile(r"[\u4e00-\u9fff]")
# The story's own words (people, lanes, the inquiry, the designers' task names) are Chinese in both
# languages; what phasegate says around them is what changes.
PEOPLE = ("何佳怡", "林晓燕", "徐敏", "黄丽", "陈静", "王建国")


def story(terminal, lang: str) -> dict:
    """A customer asks, the service centre's lead looks at her tasks, answers with an invalid value,
    and looks at the instance: every step's output, exit code and JSON in `lang`."""
    out = {}
    started = terminal.run("--lang", lang, "start", "service_loop_before", user=CUSTOMER)
    out["start"] = started
    instance = re.search(r"\d+", started.stdout).group()
    terminal.run("--lang", lang, "complete", instance, "submit_inquiry", "--set", "customer_name=何佳怡",
                 "--set", "inquiry_text=退款多久到账？", user=CUSTOMER)
    out["tasks"] = terminal.run("--lang", lang, "tasks", user=SERVICE_LEAD)
    out["invalid"] = terminal.run("--lang", lang, "complete", instance, "answer_inquiry", "--set", "answer_text=好的",
                                  "--set", "response_minutes=-5", user=SERVICE_LEAD)
    out["show"] = terminal.run("--lang", lang, "show", instance)
    out["show_json"] = terminal.run("--lang", lang, "show", instance, "--json")
    out["tasks_json"] = terminal.run("--lang", lang, "tasks", "--json", user=SERVICE_LEAD)
    out["unknown"] = terminal.run("--lang", lang, "show", "999")
    return out


def texts(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from texts(v)
    elif isinstance(value, str):
        yield value


def own_words(text: str, data=()) -> str:
    """What phasegate itself wrote: the story's data (every text in its `--json`) and people taken out."""
    text = re.sub(r"data: .*|数据：.*", "", text)
    for word in sorted({*PEOPLE, *(t for d in data for t in texts(d))}, key=len, reverse=True):
        if HAN.search(word):
            text = text.replace(word, "")
    return text


def story_data(result: dict):
    return [json.loads(result["show_json"].stdout), json.loads(result["tasks_json"].stdout)]


@pytest.fixture
def both(new_store):
    from conftest import Terminal

    return story(Terminal(new_store("zh")), "zh"), story(Terminal(new_store("en")), "en")


def test_the_story_in_chinese_is_told_in_chinese(both):
    zh, _en = both
    assert zh["start"].stdout.startswith("已启动 service_loop_before v1 的实例 1（进行中）")
    header = zh["tasks"].stdout.splitlines()[0].split()
    assert header == ["实例", "任务", "名称", "泳道", "待办起始", "截止时间", "guid"]
    assert zh["invalid"].stderr.strip() == (
        "phasegate: invalid-form: 任务“answer_inquiry”的表单值无效："
        "response_minutes：输入值应大于或等于 0")
    show = zh["show"].stdout
    assert show.startswith("实例 1  service_loop_before v1  进行中  修订 ")
    assert "\n待办：\n" in show and "\n等待中：\n" in show and "\n已完成：" in show
    assert zh["unknown"].stderr.strip() == "phasegate: unknown-instance: 数据库中没有实例 999"
    for step in ("start", "tasks", "invalid", "show", "unknown"):
        said = own_words(zh[step].stdout + zh[step].stderr, story_data(zh))
        assert HAN.search(said), f"{step}: phasegate said nothing in Chinese: {said!r}"


def test_the_story_in_english_is_told_in_english(both):
    _zh, en = both
    assert en["start"].stdout.startswith("started instance 1 of service_loop_before v1 (running)")
    assert en["tasks"].stdout.splitlines()[0].split()[:4] == ["instance", "task", "name", "lane"]
    assert en["invalid"].stderr.strip() == (
        "phasegate: invalid-form: invalid values for task 'answer_inquiry': "
        "response_minutes: Input should be greater than or equal to 0")
    assert en["show"].stdout.startswith("instance 1  service_loop_before v1  running  revision ")
    assert en["unknown"].stderr.strip() == "phasegate: unknown-instance: no instance 999 in the store"
    for step in ("start", "tasks", "invalid", "show", "unknown"):
        said = own_words(en[step].stdout + en[step].stderr, story_data(en))
        assert not HAN.search(said), f"{step}: Chinese in the English output: {said!r}"


def test_exit_codes_and_json_are_the_same_in_both_languages(both):
    zh, en = both
    assert {k: r.exit_code for k, r in zh.items()} == {k: r.exit_code for k, r in en.items()}
    assert zh["invalid"].exit_code == 6 and zh["unknown"].exit_code == 4

    def keys(value):
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return type(value).__name__

    for step in ("show_json", "tasks_json"):
        zh_data, en_data = json.loads(zh[step].stdout), json.loads(en[step].stdout)
        assert keys(zh_data) == keys(en_data)
        # the values are data, not messages: none of them changes with the language either
        def strip(v):  # instants and guids differ between the two runs, not between the languages
            if isinstance(v, dict):
                return {k: strip(x) for k, x in v.items() if not (k.endswith("_at") or "guid" in k or k == "at")}
            return [strip(x) for x in v] if isinstance(v, list) else v
        assert strip(zh_data) == strip(en_data)


ENV_CLEAN = {"PHASEGATE_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, "LANGUAGE": None}


@pytest.mark.parametrize("env, says", [
    ({}, "zh"),                                             # nothing set: the programme's language
    ({"LANG": "C.UTF-8"}, "zh"),                            # a neutral locale says nothing
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),                        # a language without a catalog: English
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),  # LC_ALL before LANG, as gettext reads them
    ({"PHASEGATE_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"PHASEGATE_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
], ids=lambda v: str(v))
def test_the_language_comes_from_the_flag_the_variable_the_locale_then_the_programme(env, says):
    from cli import cli

    result = CliRunner().invoke(cli, ["tasks", "--help"], env={**ENV_CLEAN, **env})
    assert result.exit_code == 0
    first = result.output.splitlines()[0]
    assert first.startswith("用法：" if says == "zh" else "Usage: ")
    assert ("列出你所在泳道的待办任务" in result.output) == (says == "zh")
    flagged = CliRunner().invoke(cli, ["--lang", "en" if says == "zh" else "zh", "tasks", "--help"],
                                 env={**ENV_CLEAN, **env})
    assert flagged.output.splitlines()[0].startswith("Usage: " if says == "zh" else "用法：")


def test_a_language_phasegate_does_not_speak_is_a_usage_error():
    from cli import cli

    for args, env in ((["--lang", "fr", "tasks"], {}), (["tasks"], {"PHASEGATE_LANG": "klingon"})):
        result = CliRunner().invoke(cli, args, env={**ENV_CLEAN, **env})
        assert result.exit_code == 2
        assert result.stderr.startswith("phasegate: usage: ") and len(result.stderr.splitlines()) == 1


def test_chinese_help_lists_the_commands_and_the_exit_codes_in_chinese():
    from cli import cli

    result = CliRunner().invoke(cli, ["--lang", "zh", "--help"], env=ENV_CLEAN, terminal_width=100)
    assert result.exit_code == 0
    text = result.output
    assert "命令：" in text or "命令:" in text
    assert "选项" in text
    assert "在终端中运行组织变革项目的 BPMN 流程" in text
    assert "退出码：" in text and "6 表单值无效" in text
    english = CliRunner().invoke(cli, ["--lang", "en", "--help"], env=ENV_CLEAN, terminal_width=100).output
    assert "Exit codes: 0 ok" in english and not HAN.search(re.sub(r"《[^》]*》", "", own_words(english)))


def test_every_message_has_its_chinese_and_its_english_text():
    """Every msgid in the source (Babel's extractor with pyproject's keywords, the click help, the
    exit codes) has a non-empty, non-fuzzy text in both catalogs, with the same {names}."""
    found = i18n_catalog.extract()
    assert len(found.messages) > 250
    assert i18n_catalog.problems(found) == []


def test_no_error_is_raised_with_a_message_the_catalog_cannot_hold():
    """An error built from an f-string has no msgid: write a template with named params instead
    (`python tools/i18n_templates.py FILE` rewrites one)."""
    patterns, keywords = i18n_catalog.babel_config()
    names = {k for k in keywords if k[:1].isupper()}
    offenders = []
    for path in i18n_catalog.source_files(patterns):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and i18n_catalog._name(node.func) in names:
                texts = node.args[:1] + [kw.value for kw in node.keywords if kw.arg == "hint"]
                if any(isinstance(t, ast.JoinedStr) for t in texts):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_every_error_class_is_a_keyword_of_the_extractor():
    """A new error class must be listed in pyproject's [tool.babel] keywords, or its messages would
    silently miss the catalog."""
    import importlib
    import pkgutil

    import engine
    from engine.errors import PhasegateError

    for module in pkgutil.walk_packages(engine.__path__, "engine."):
        if ".spiff" not in module.name and ".store.postgres" not in module.name:
            try:
                importlib.import_module(module.name)
            except ImportError:
                pass

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    _patterns, keywords = i18n_catalog.babel_config()
    missing = sorted({c.__name__ for c in [PhasegateError, *every(PhasegateError)]} - set(keywords))
    assert missing == []


@pytest.mark.parametrize("args, zh, en", [
    (["show"], "缺少参数 'INSTANCE_ID'。（参见 phasegate show --help）",
     "Missing argument 'INSTANCE_ID'. (see phasegate show --help)"),
    (["instances", "--status", "paused"], "'--status' 的值无效：'paused' 不在可选值 'running', 'completed' 之中。"
     "（参见 phasegate instances --help）",
     "Invalid value for '--status': 'paused' is not one of 'running', 'completed'. (see phasegate instances --help)"),
    (["deadlines", "--within", "soon"], "--within 的值无效：“soon”不是时长，应写成 2d、36h、90m、1w 或 P2D 这样的形式"
     "（参见 phasegate deadlines --help）",
     "Invalid value for --within: 'soon' is not a span like 2d, 36h, 90m, 1w or P2D (see phasegate deadlines --help)"),
], ids=["missing argument", "not a choice", "not a span"])
def test_a_usage_error_is_said_in_the_command_s_language_click_s_words_too(tmp_path, args, zh, en):
    from cli import cli

    db = ["--db", str(tmp_path / "none.db")]
    for lang, line in (("zh", zh), ("en", en)):
        result = CliRunner().invoke(cli, ["--lang", lang, *db, *args], env=ENV_CLEAN)
        assert result.exit_code == 2
        assert result.stderr == f"phasegate: usage: {line}\n"


def test_lint_speaks_the_language_and_its_json_does_not_change():
    from cli import cli

    runs = {lang: CliRunner().invoke(cli, ["--lang", lang, "lint", str(REPO / "bpmn")], env=ENV_CLEAN)
            for lang in ("zh", "en")}
    assert runs["zh"].exit_code == runs["en"].exit_code == 0
    zh_lines, en_lines = runs["zh"].stdout.splitlines(), runs["en"].stdout.splitlines()
    assert len(zh_lines) == len(en_lines) > 0
    assert all(" is read by nothing after it " in line for line in en_lines)
    assert all("之后没有任何地方读取" in line for line in zh_lines)
    as_json = {lang: CliRunner().invoke(cli, ["--lang", lang, "lint", str(REPO / "bpmn"), "--json"],
                                        env=ENV_CLEAN).stdout for lang in ("zh", "en")}
    assert as_json["zh"] == as_json["en"]

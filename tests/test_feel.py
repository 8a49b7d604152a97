"""A designer's Camunda 8 model keeps its FEEL: `=days > 3` on a gateway, `=duration("P3D")` on a
timer, `= applicant.name` in a mapping translate to Python the sandbox accepts and evaluate to
FEEL's value; what the subset lacks, and anything hostile, is refused in one line, never run."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from engine.clock import FakeClock
from engine.errors import ExpressionRefused, ExpressionStopped
from engine.sandbox.dialects.values import YearMonthDuration
from engine.sandbox.environment import check, evaluate
from engine.sandbox.translate import FEEL_FUNCTIONS, feel_functions, timer_text, translate


def feel_value(text: str, functions: dict = FEEL_FUNCTIONS, **names):
    """Translate `text`, make sure the sandbox accepts the Python, and evaluate it with plain eval."""
    translation = translate(text)
    assert translation.dialect == "feel"
    check(translation.python)
    return eval(translation.python, {**functions, **names})  # noqa: S307 - the test's own text


def refusal(text: str) -> str:
    with pytest.raises(ExpressionRefused) as caught:
        translate(text)
    return str(caught.value)


# DMN 1.3 chapter 10 (the FEEL semantics tables and the built-in function examples) and the
# Camunda 8 expression docs, as (expression, variables, value).
SPEC_EXAMPLES = [
    ('=date("2012-12-25") - date("2012-12-24") = duration("P1D")', {}, True),
    ('=date and time("2012-12-24T23:59:00") + duration("PT1M") = date and time("2012-12-25T00:00:00")', {}, True),
    ('=time("23:59:00Z") + duration("PT2M") = time("00:01:00Z")', {}, True),
    ('=duration("P1Y") = duration("P12M")', {}, True),
    ('=date("2023-01-31") + duration("P1M")', {}, date(2023, 2, 28)),
    ('=@"2023-10-09" + @"P3D"', {}, date(2023, 10, 12)),
    ('=date(2012, 12, 25)', {}, date(2012, 12, 25)),
    ('=date and time(date("2017-01-01"), time("23:59:01"))', {}, datetime(2017, 1, 1, 23, 59, 1)),
    ('=time(23, 59, 0)', {}, time(23, 59)),
    ('=duration("P1DT23H12M30S")', {}, timedelta(days=1, hours=23, minutes=12, seconds=30)),
    ('=duration("P2Y2M")', {}, YearMonthDuration(26)),
    ('=duration("-PT1H")', {}, timedelta(hours=-1)),
    ('=date("2023-10-09").year', {}, 2023),
    ('=5 in (<= 5)', {}, True),
    ('=5 in ((5..10])', {}, False),
    ('=5 in ([5..10])', {}, True),
    ('=5 in (4, 5, 6)', {}, True),
    ('=5 in (< 5, > 5)', {}, False),
    ('=x in [1..10]', {"x": 5}, True),
    ('=x in (1..10)', {"x": 1}, False),
    ('=x in [1..10)', {"x": 10}, False),
    ('=x in ]1..10]', {"x": 10}, True),
    ('=x in [1, 2, 3]', {"x": 4}, False),
    ('=status in ["open", "waiting"]', {"status": "open"}, True),
    ('=[1, 2] in [[1, 2], [3]]', {}, True),
    ('=2 in [[1, 2], [3]]', {}, False),
    ('=5 between 3 and 7', {}, True),
    ('=x between 1 and 10', {"x": 10}, True),
    ('=string length("foo")', {}, 3),
    ('=upper case("aBc4")', {}, "ABC4"),
    ('=lower case("aBc4")', {}, "abc4"),
    ('=contains("foobar", "of")', {}, False),
    ('=starts with("foobar", "fo")', {}, True),
    ('=ends with("foobar", "r")', {}, True),
    ('=count([1, 2, 3])', {}, 3),
    ('=min([1, 2, 3])', {}, 1),
    ('=min(1)', {}, 1),
    ('=max(1, 2, 3)', {}, 3),
    ('=sum([1, 2, 3])', {}, 6),
    ('=sum(1, 2, 3)', {}, 6),
    ('=sum([])', {}, None),
    ('=floor(1.5)', {}, 1),
    ('=floor(-1.5)', {}, -2),
    ('=ceiling(1.5)', {}, 2),
    ('=ceiling(-1.5)', {}, -1),
    ('=abs(-10)', {}, 10),
    ('=not(true)', {}, False),
    ('=not(null)', {}, None),
    ('=true and null', {}, None),
    ('=false and null', {}, False),
    ('=true or null', {}, True),
    ('=false or null', {}, None),
    ('=null = null', {}, True),
    ('=1.1 + 2.2 = 3.3', {}, True),
    ('=10 / 4', {}, 2.5),
    ('=10 / 2', {}, 5),
    ('=1 / 0', {}, None),
    ('=2 ** 10', {}, 1024),
    ('=-2 ** 2', {}, -4),
    ('=1 + 2 * 3 - 4 / 2', {}, 5),
    ('="foo" + "bar"', {}, "foobar"),
    ('=[1, 2] = [1, 2]', {}, True),
    ('=1 = "1"', {}, False),
    ('=if 1 > 2 then "a" else "b"', {}, "b"),
    ('=[1, 2, 3][1]', {}, 1),
    ('=[1, 2, 3][-1]', {}, 3),
    ('=[{a: 1}, {a: 2}].a', {}, [1, 2]),
    ('= order.amount > 100', {"order": {"amount": 150}}, True),
    ('= "foo"', {}, "foo"),
    ('= 21', {}, 21),
    ('= true', {}, True),
    ('= [1,2,3]', {}, [1, 2, 3]),
    ('= {x: 22}', {}, {"x": 22}),
    ('=days > 3', {"days": 5}, True),
    ('=x > 3', {"x": None}, None),
    ('=x /* a comment */ > // another\n 1', {"x": 2}, True),
    ('=string(3) + number("0.5") * 2', {}, None),
    ('=string(3) + string(true)', {}, "3true"),
]


@pytest.mark.parametrize("expression,names,expected", SPEC_EXAMPLES, ids=[e[0] for e in SPEC_EXAMPLES])
def test_spec_and_camunda_examples_evaluate_to_feels_value(expression, names, expected):
    assert feel_value(expression, **names) == expected


# What Camunda Modeler files in shared/corpus/miwg hold (C.8.0, C.9.x), with data they would meet.
MODELER_MAPPINGS = [
    ('= if result != null then result.riskLevel else ["green"]', {"result": None}, ["green"]),
    ('= if result != null then result.riskLevel else ["green"]', {"result": {"riskLevel": ["red"]}}, ["red"]),
    ('= {\n    "name": applicant.name,\n    "product": product\n}', {"applicant": {"name": "Ann"}, "product": "loan"},
     {"name": "Ann", "product": "loan"}),
    ("= body.value[1]", {"body": {"value": ["first", "second"]}}, "first"),
    ("= Vacation Approval Status.Approval", {"Vacation Approval Status": {"Approval": "yes"}}, "yes"),
    ('= "Hi " + Current Vacation Status.name + ","', {"Current Vacation Status": {"name": "Bo"}}, "Hi Bo,"),
]


@pytest.mark.parametrize("expression,names,expected", MODELER_MAPPINGS)
def test_camunda_modeler_mappings_evaluate(expression, names, expected):
    assert feel_value(expression, **names) == expected


def test_a_gateway_condition_runs_in_the_real_sandbox_with_the_helpers_as_globals():
    for text, data, expected in [("=x in [1..10]", {"x": 5}, True), ("=amount >= 1000 and not(urgent)",
                                 {"amount": 1200, "urgent": False}, True),
                                 ("=Current Vacation Status.email", {"Current Vacation Status": {"email": "a@b"}}, "a@b"),
                                 ("=is defined(reviewer) or 1 > 2", {}, False)]:
        assert evaluate(translate(text).python, data, FEEL_FUNCTIONS) == expected


def test_is_defined_and_stays_lazy_so_a_missing_variable_is_never_read():
    assert feel_value("=is defined(y) and y > 3") is False
    assert feel_value("=is defined(y) and y > 3", y=4) is True
    assert feel_value("=is defined(a.b)", a={"b": None}) is True
    assert feel_value("=is defined(a.c)", a={"b": 1}) is False


def test_a_missing_top_level_variable_is_a_name_error_but_a_missing_key_is_null():
    with pytest.raises(NameError):
        feel_value("=missing > 3")
    assert feel_value("=order.customer.name", order={"customer": None}) is None
    assert feel_value("=order.customer.name", order={}) is None


def test_today_and_now_read_the_engines_clock_not_the_machines():
    clock = FakeClock(datetime(2030, 5, 6, 9, 0, tzinfo=timezone.utc))
    functions = feel_functions(clock)
    assert feel_value("=today()", functions) == date(2030, 5, 6)
    assert feel_value('=now() + duration("P1D")', functions) == datetime(2030, 5, 7, 9, 0, tzinfo=timezone.utc)
    clock.advance(timedelta(days=2))
    assert feel_value('=today() > date("2030-05-07")', functions) is True


def test_python_text_passes_through_unchanged():
    for text in ['draft_decision == "approve"', "'P3D'", "len(items) > 1"]:
        translation = translate(text)
        assert (translation.python, translation.dialect) == (text, "python")


TIMERS = [
    ('=duration("P3D")', "P3D"),
    ('="P3D"', "P3D"),
    ('= "PT2H"', "PT2H"),
    ('=@"PT1H30M"', "PT1H30M"),
    ('=date and time("2023-10-09T09:00:00")', "2023-10-09T09:00:00"),
    ('=cycle(duration("PT1H"))', "R/PT1H"),
    ('=cycle(3, duration("P1D"))', "R3/P1D"),
    ("P3D", "P3D"),
    ("review_due", "review_due"),
]


@pytest.mark.parametrize("text,expected", TIMERS)
def test_a_constant_timer_becomes_plain_iso_text(text, expected):
    assert timer_text(text) == expected


def test_a_computed_timer_evaluates_to_iso_text_spiffs_timer_parses():
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    python = timer_text("= remainingTime")
    assert python == "feel_timer(remainingTime)"
    check(python)
    value = evaluate(python, {"remainingTime": timedelta(hours=2, minutes=30)}, FEEL_FUNCTIONS)
    assert value == "PT2H30M"
    assert TimerEventDefinition.parse_iso_duration(value) == {"hours": 2, "minutes": 30}
    assert evaluate(python, {"remainingTime": "P1D"}, FEEL_FUNCTIONS) == "P1D"
    due = evaluate(timer_text('=date and time(start) + duration("P1D")'), {"start": "2023-10-09T09:00:00"},
                   FEEL_FUNCTIONS)
    assert due == "2023-10-10T09:00:00"


REFUSED = [
    ("=every x in xs satisfies x > 1", "FEEL: 'every x in xs satisfies' is not supported in \"=every x in xs satisfies x > 1\""),
    ("=for x in xs return x * 2", "FEEL: 'for x in xs return' is not supported in \"=for x in xs return x * 2\""),
    ("=x instance of number", "FEEL: 'instance of' is not supported in \"=x instance of number\""),
    ("=xs[item > 1]", "FEEL: 'filter [item > 1]' is not supported in \"=xs[item > 1]\""),
    ('=substring("abc", 2)', "FEEL: the function 'substring()' is not supported in \"=substring(\"abc\", 2)\""),
    ('= string join(risks, ", ")', "FEEL: the function 'string join()' is not supported in \"= string join(risks, \", \")\""),
    ("=x. > 1", "FEEL: expected a name after '.', found '>' (column 5) in \"=x. > 1\""),
    ("=1 < 2 < 3", "FEEL: comparisons cannot be chained ('<' (column 8)) in \"=1 < 2 < 3\""),
    ('=date("garbage")', "FEEL: 'date(\"garbage\")' is not a valid date in \"=date(\"garbage\")\""),
    ("=not x", "FEEL: 'not' is a function in FEEL: write not(x) in \"=not x\""),
    ("=", "FEEL: the expression is empty in \"=\""),
    ("=x =", "FEEL: the expression ends too early in \"=x =\""),
    ('="open', "FEEL: the string starting at column 2 is never closed in \"=\"open\""),
    ("=count(1, 2)", "FEEL: 'count()' takes 1 argument, not 2 in \"=count(1, 2)\""),
    ('=date(from: "2023-10-09")', "FEEL: 'named arguments in date()' is not supported in \"=date(from: \"2023-10-09\")\""),
]


@pytest.mark.parametrize("text,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_what_the_subset_lacks_is_refused_in_one_line_naming_the_part(text, message):
    assert refusal(text) == message


HOSTILE = [
    ('=__import__("os")', "FEEL: the function '__import__()' is not supported"),
    ("=__builtins__", "FEEL: the name '__builtins__' is reserved"),
    ("=x.__class__.__bases__", "FEEL: the path '.__class__' is not allowed"),
    ("={a: 1}._secret", "FEEL: the path '._secret' is not allowed"),
    ("=is defined(__builtins__)", "FEEL: the name '__builtins__' is reserved"),
    ("=feel_var", "FEEL: the name 'feel_var' is reserved"),
    ("=_pg_getattr", "FEEL: the name '_pg_getattr' is reserved"),
    ("=ｃｌａｓｓ", "FEEL: the name 'ｃｌａｓｓ' is a Python keyword"),  # fullwidth letters, NFKC-normalised as Python would
    ("=x.y(1)", "FEEL: only the listed built-in functions can be called"),
    ("=1" + "0" * 200, "FEEL: a number of 201 characters is longer than the 100 allowed"),
    ("=" + "(" * 200 + "1" + ")" * 200, "FEEL: the expression nests deeper than 50 levels"),
    ("=" + "not(" * 60 + "true" + ")" * 60, "FEEL: the expression nests deeper than 50 levels"),
    ("=" + "-" * 5000 + "1", "FEEL: the expression nests deeper than 50 levels"),
    ("=" + "x" * 1_000_000, "FEEL: the expression is 1000001 characters long, more than the 10000 allowed"),
]


@pytest.mark.parametrize("text,start", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_a_hostile_expression_is_refused_cleanly(text, start):
    assert refusal(text).startswith(start)


def test_code_inside_a_string_stays_a_string():
    text = r'="\" + __import__(\"os\").system(\"id\") + \""'
    assert feel_value(text) == '" + __import__("os").system("id") + "'


def test_nesting_up_to_the_limit_translates_checks_and_evaluates():
    """Every depth below the limit yields Python the sandbox parses and checks: no RecursionError
    in the translator, in Python's parser or in the sandbox's checker."""
    wraps = [lambda e: f"({e})", lambda e: f"not({e})", lambda e: f"[{e}]", lambda e: f"abs({e})",
             lambda e: f"-{e}", lambda e: f"(x or {e})", lambda e: f"{{a: {e}}}", lambda e: f"({e}).a",
             lambda e: f"({e} in [1..2])", lambda e: f"(1 + {e} * 2 ** 2)"]
    for wrap in wraps:
        text, levels = "1", 0
        while True:
            text = wrap(text)
            try:
                translation = translate("=" + text)
            except ExpressionRefused as err:
                assert "FEEL: the expression nests deeper than 50 levels in" in str(err)
                break
            levels += 1
            check(translation.python)
            eval(translation.python, {**FEEL_FUNCTIONS, "x": True})  # noqa: S307 - the test's own text
        assert 16 <= levels <= 50


def test_long_flat_chains_stay_flat_python():
    text = "=" + " and ".join(["x > 1"] * 900)
    translation = translate(text)
    check(translation.python)
    assert feel_value(text, x=2) is True
    assert feel_value("=" + " + ".join(["1"] * 2000)) == 2000


def test_growth_beyond_the_sandbox_limits_is_stopped():
    with pytest.raises(MemoryError):
        feel_value("=2 ** 1000000")
    with pytest.raises(ExpressionStopped, match="more than 100000 bits"):
        evaluate(translate("=2 ** 1000000").python, {}, FEEL_FUNCTIONS)
    with pytest.raises(MemoryError):
        feel_value("=s + s", s="x" * 600_000)
    assert feel_value("=string length(s)", s="x" * 1_000_000) == 1_000_000

"""A designer's Camunda 7 model keeps its JUEL: `${approved}` and `${days > 3}` on gateways,
`${execution.getVariable('amount')}` in a condition and `Dear ${name}` in a mapping translate to
Python the sandbox accepts, with EL's coercions; beans, methods and anything hostile are refused."""

from __future__ import annotations

import pytest

from engine.errors import ExpressionRefused
from engine.sandbox.environment import check, evaluate
from engine.sandbox.translate import FEEL_FUNCTIONS, timer_text, translate


def juel_value(text: str, *, as_condition: bool = False, **names):
    """Translate `text`, make sure the sandbox accepts the Python, and evaluate it with plain eval."""
    translation = translate(text, as_condition=as_condition)
    assert translation.dialect == "juel"
    check(translation.python)
    return eval(translation.python, {**FEEL_FUNCTIONS, **names})  # noqa: S307 - the test's own text


def refusal(text: str) -> str:
    with pytest.raises(ExpressionRefused) as caught:
        translate(text)
    return str(caught.value)


# The EL specification's operator examples and Camunda 7's expression-language docs; the last
# rows are the conditions of the Camunda Modeler files in shared/corpus/miwg (C.3.0, A.2.1).
EXAMPLES = [
    ("${1 > (4/2)}", {}, False),
    ("${4.0 >= 3}", {}, True),
    ("${100.0 == 100}", {}, True),
    ("${(10*10) ne 100}", {}, False),
    ("${'a' < 'b'}", {}, True),
    ("${'hip' gt 'hit'}", {}, False),
    ("${4 > 3}", {}, True),
    ("${1.2E4 + 1.4}", {}, 12001.4),
    ("${3 div 4}", {}, 0.75),
    ("${10 mod 4}", {}, 2),
    ("${10 % 4}", {}, 2),
    ("${-7 % 3}", {}, -1),
    ("${(1==2) ? 3 : 4}", {}, 4),
    ("${empty param.Add}", {"param": {}}, True),
    ("${!empty param.Add}", {"param": {"Add": "x"}}, True),
    ('${header["host"]}', {"header": {"host": "example.org"}}, "example.org"),
    ("${items[0]}", {"items": ["first"]}, "first"),
    ("${items[5]}", {"items": ["first"]}, None),
    ("${order.customer.name}", {"order": {"customer": None}}, None),
    ("${test == false}", {"test": False}, True),
    ("${days > 3}", {"days": 5}, True),
    ("${days gt 3 && approved}", {"days": 5, "approved": True}, True),
    ("${not approved or days le 3}", {"days": 5, "approved": True}, False),
    ("${a && b || c}", {"a": True, "b": False, "c": True}, True),
    ('${"5" > 3}', {}, True),
    ('${"1" + 1}', {}, 2),
    ("${null + 1}", {}, 1),
    ("${x == null}", {"x": None}, True),
    ("${x > 1 ? 'big' : 'small'}", {"x": 2}, "big"),
    ("#{amount >= 1000}", {"amount": 1000}, True),
    ("${execution.getVariable('amount') > 100}", {"amount": 200}, True),
    ('${execution.getVariable("amount")}', {"amount": 200}, 200),
    ("${clarified == 'yes'}", {"clarified": "yes"}, True),
    ("${!approved}", {"approved": False}, True),
    ("Dear ${name}, order ${id} is ready", {"name": "Ann", "id": 7}, "Dear Ann, order 7 is ready"),
    ("${first}${missing}", {"first": 1, "missing": None}, "1"),
]


@pytest.mark.parametrize("expression,names,expected", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_el_and_camunda_examples_evaluate_to_els_value(expression, names, expected):
    assert juel_value(expression, **names) == expected


def test_a_condition_coerces_like_el_so_the_string_false_is_false():
    assert juel_value("${approved}", approved="false") == "false"
    assert juel_value("${approved}", as_condition=True, approved="false") is False
    assert juel_value("${approved}", as_condition=True, approved=None) is False
    assert juel_value("${approved}", as_condition=True, approved=True) is True


def test_a_gateway_condition_runs_in_the_real_sandbox_with_the_helpers_as_globals():
    python = translate("${execution.getVariable('days') > 3 && !rejected}").python
    assert python == "(juel_bool(juel_gt(days, 3)) and juel_bool((not juel_bool(rejected))))"
    assert evaluate(python, {"days": 5, "rejected": False}, FEEL_FUNCTIONS) is True


def test_el_errors_stay_errors():
    with pytest.raises(NameError):
        juel_value("${missing > 3}")
    with pytest.raises(TypeError, match="JUEL cannot use a str"):
        juel_value("${'abc' + 1}")
    with pytest.raises(TypeError, match="JUEL cannot read the property 'y' of a str"):
        juel_value("${x.y}", x="text")


def test_a_constant_timer_becomes_plain_iso_text_and_a_computed_one_python():
    assert timer_text('${"P3D"}') == "P3D"
    assert timer_text("${'R3/PT10H'}") == "R3/PT10H"
    assert timer_text("${reminder}") == "feel_timer(reminder)"
    assert evaluate(timer_text("${reminder}"), {"reminder": "PT5M"}, FEEL_FUNCTIONS) == "PT5M"


REFUSED = [
    ("${genderBean.getGenderString(gender)}",
     "JUEL: method calls are not supported ('getGenderString()'); only execution.getVariable('name') is understood "
     "in \"${genderBean.getGenderString(gender)}\""),
    ('${execution.setVariable("a", 1)}',
     "JUEL: the 'execution' object is not available; only execution.getVariable('name') is understood "
     "in \"${execution.setVariable(\"a\", 1)}\""),
    ("${execution.processInstanceId}",
     "JUEL: the 'execution' object is not available; only execution.getVariable('name') is understood "
     "in \"${execution.processInstanceId}\""),
    ("${fn:length(x)}", "JUEL: EL functions ('fn:...') are not supported in \"${fn:length(x)}\""),
    ("${x = 1}", "JUEL: assignment ('=') is not supported in \"${x = 1}\""),
    ("${a; b}", "JUEL: the ';' operator is not supported in \"${a; b}\""),
    ("${x += 'a'}", "JUEL: string concatenation ('+=') is not supported in \"${x += 'a'}\""),
    ("${[1,2,3]}", "JUEL: collection literals ('[...]') are not supported in \"${[1,2,3]}\""),
    ("${x instanceof y}", "JUEL: 'instanceof' is not supported in \"${x instanceof y}\""),
    ("${}", "JUEL: the expression '${}' is empty in \"${}\""),
    ("${x.}", "JUEL: expected a property name after '.', found '}' (column 5) in \"${x.}\""),
    ("${x > 1", "JUEL: expected '}' at the end in \"${x > 1\""),
    ("${1e999}", "JUEL: the number 1e999 is out of range in \"${1e999}\""),
]


@pytest.mark.parametrize("text,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_beans_methods_and_what_el_adds_are_refused_in_one_line(text, message):
    assert refusal(text) == message


HOSTILE = [
    ('${__import__("os")}', "JUEL: the name '__import__' is reserved"),
    ("${a.__class__}", "JUEL: the property '.__class__' is not allowed"),
    ("${''.getClass().forName('java.lang.Runtime')}", "JUEL: method calls are not supported ('getClass()')"),
    ("${Runtime.getRuntime().exec('id')}", "JUEL: method calls are not supported ('getRuntime()')"),
    ("${juel_get}", "JUEL: the name 'juel_get' is reserved"),
    ("${class}", "JUEL: the name 'class' is a Python keyword"),
    ("${" + "(" * 200 + "1" + ")" * 200 + "}", "JUEL: the expression nests deeper than 50 levels"),
    ("${" + "!" * 5000 + "x}", "JUEL: the expression nests deeper than 50 levels"),
    ("${" + "x" * 1_000_000 + "}", "JUEL: the expression is 1000003 characters long, more than the 10000 allowed"),
]


@pytest.mark.parametrize("text,start", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_a_hostile_expression_is_refused_cleanly(text, start):
    assert refusal(text).startswith(start)


def test_a_dunder_key_is_only_a_key():
    assert juel_value('${a["__class__"]}', a={}) is None
    assert juel_value('${a["__class__"]}', a={"__class__": "plain data"}) == "plain data"


def test_long_flat_chains_stay_flat_python():
    assert juel_value("${" + " && ".join(["x > 1"] * 900) + "}", x=2) is True
    assert juel_value("${" + " + ".join(["1"] * 2000) + "}") == 2000


def test_large_products_are_stopped():
    with pytest.raises(MemoryError):
        juel_value("${x * x}", x=2 ** 60_000)

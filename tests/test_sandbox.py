"""Expressions in BPMN and DMN run in a sandbox: what designers write keeps working, escapes are
refused or stopped within a second, and a model that tries one fails its step and saves nothing."""

from __future__ import annotations

import textwrap

import pytest

from conftest import PM, Terminal
from engine.sandbox import budget
from engine.sandbox import environment as sandbox
from engine.errors import ExpressionRefused, ExpressionStopped

DESIGNER_EXPRESSIONS = [
    ('draft_decision == "approve"', {"draft_decision": "approve"}, True),
    ("pilot_passed is True", {"pilot_passed": False}, False),
    ("training_pass_rate >= 90", {"training_pass_rate": 92.5}, True),
    ('smart_reply.get("resolved") is True', {"smart_reply": {"resolved": True}}, True),
    ("report_month >= 12", {"report_month": 3}, False),
    ("'P3D'", {}, "P3D"),
    ("(satisfaction) == (85)", {"satisfaction": 85}, True),
    ("fault_rate > 2", {"fault_rate": 1.5}, False),
    ('"满意度低于85%"', {}, "满意度低于85%"),
    ("len([i for i in items if i > 1])", {"items": [1, 2, 3]}, 2),
    ("any(x > 2 for x in items)", {"items": [1, 2, 3]}, True),
    ("max(items) * 2 ** 3", {"items": [1, 2, 3]}, 24),
    ("f'{amount:,.2f} 万元'", {"amount": 1234.5}, "1,234.50 万元"),
    ("'%s-%03d' % (kind, n)", {"kind": "A", "n": 7}, "A-007"),
    ("name.strip().upper().startswith('X')", {"name": " xy "}, True),
    ("datetime.fromisoformat(due).date().isoformat()", {"due": "2023-10-09T09:00:00"}, "2023-10-09"),
    ("sorted(d.items())[0][1]", {"d": {"b": 2, "a": 1}}, 1),
    # the builtins and methods the bounds wrap behave as Python's own
    ("sorted(rows, key=len, reverse=True)", {"rows": [[1], [1, 2], []]}, [[1, 2], [1], []]),
    ("max(rows, key=sum)", {"rows": [[1, 5], [9], [2, 2]]}, [9]),
    ("min([], default='none')", {}, "none"),
    ("max(3, 9, 4)", {}, 9),
    ("sum(x * 2 for x in items)", {"items": [1, 2, 3]}, 12),
    ("sum([0.5, 0.25], 1)", {}, 1.75),
    ("isinstance(n, int) and isinstance(s, (str, Decimal))", {"n": 3, "s": "x"}, True),
    ("int('42') + int(3.9) + round(Decimal('2.5'))", {}, 47),
    ("str(12) + str([1, 'a'])", {}, "12[1, 'a']"),
    ("Decimal('1.10') + Decimal(2)", {}, __import__("decimal").Decimal("3.10")),
    ("list(zip(a, b))", {"a": [1, 2], "b": "xy"}, [(1, "x"), (2, "y")]),
    ("list(enumerate(a, 1))", {"a": ["p", "q"]}, [(1, "p"), (2, "q")]),
    ("list(reversed(a)) + list(map(str, a)) + list(filter(None, [0, 1]))", {"a": [1, 2]}, [2, 1, "1", "2", 1]),
    ("dict(zip(a, b)) == {'k': 1} and set(a) == {'k'}", {"a": ["k"], "b": [1]}, True),
    ("{'k': 1} in rows and [1, 2] not in rows", {"rows": [{"k": 1}, [1]]}, True),
    ("0 < n <= 10 < m", {"n": 3, "m": 11}, True),
    ("rows == [[1, 2]] and rows[0] < [1, 3] and (1, 2) in {(1, 2): 'x'}", {"rows": [[1, 2]]}, True),
    ("f'{n:,} {rows}'", {"n": 1234567, "rows": [1]}, "1,234,567 [1]"),
    ("'%d of %s' % (n, rows)", {"n": 3, "rows": [1]}, "3 of [1]"),
    ("pow(3, 4, 5) + pow(2, 10)", {}, 1025),
    ("rows.count([1]) + rows.index([1]) + len({(1, 2), (1, 2)})", {"rows": [[0], [1]]}, 3),
    ("d.get((1, 2), 'none')", {"d": {}}, "none"),
    ("s.union([3]) == {1, 3} and s.issubset({1, 2})", {"s": {1}}, True),
]


@pytest.mark.parametrize("expression,data,expected", DESIGNER_EXPRESSIONS)
def test_expressions_designers_write_still_evaluate(expression, data, expected):
    assert sandbox.evaluate(expression, data) == expected


BUDGETS = [  # (expression, data, runs without the time and memory budget)
    ('draft_decision == "approve"', {"draft_decision": "approve"}, True),
    ("pilot_passed is True", {"pilot_passed": False}, True),
    ("not (fault_rate > 2 or kind in ['A', 'B']) and -1 < n", {"fault_rate": 1, "kind": "C", "n": 0}, True),
    ('smart_reply.get("resolved") is True', {"smart_reply": {}}, False),
    ("kind * n == 'AA'", {"kind": "A", "n": 2}, False),
    ("len(items) > 1", {"items": [1, 2]}, False),
    ("items[0] == 1", {"items": [1, 2]}, False),
    ("any(x > 2 for x in items)", {"items": [1, 2]}, False),
    ("n if kind else 0", {"n": 1, "kind": "A"}, False),
    ('"x" in m', {"m": map(str, [1, 2])}, False),  # a lazy iterator a script left in task data runs on `in`
    ("5 in r", {"r": range(10)}, False),
    ('"x" in items', {"items": ["a", map(str, [1])]}, True),  # items are compared, never iterated
]


@pytest.mark.parametrize("expression,data,unbudgeted", BUDGETS)
def test_only_plain_comparisons_skip_the_budget(expression, data, unbudgeted, monkeypatch):
    """A condition that only compares data cannot loop or allocate, so it skips the trace function and
    memory limit (issue 6: most gateway conditions); anything that calls, indexes, builds or loops keeps them."""
    budgets = []
    enter = budget.Budget.__enter__
    monkeypatch.setattr(budget.Budget, "__enter__", lambda self: budgets.append(self) or enter(self))
    expected = eval(expression, {}, dict(data))  # noqa: S307 - test oracle
    data = {k: map(str, [1, 2]) if type(v) is map else v for k, v in data.items()}  # the oracle ran the map
    assert sandbox.evaluate(expression, data) == expected
    assert (not budgets) is unbudgeted


def test_a_script_sorts_and_updates_in_place():
    data = {"rows": [{"n": 2}, {"n": 1}], "d": {"a": 1}}
    sandbox.execute("rows.sort(key=len)\nnames = sorted(r['n'] for r in rows)\nd.update([('b', 2)])\n"
                    "rows.remove({'n': 1})\nd.setdefault('c', 3)", data)
    assert data == {"rows": [{"n": 2}], "d": {"a": 1, "b": 2, "c": 3}, "names": [1, 2]}


def test_a_script_sets_and_deletes_task_data_like_spiff_does():
    data = {"price": 12.5, "quantity": 4, "draft": "x"}
    sandbox.execute("""
        total = price * quantity
        label = f"{total:.1f}"
        del draft
        rows = [n for n in range(3)]
    """, data)
    assert data == {"price": 12.5, "quantity": 4, "total": 50.0, "label": "50.0", "rows": [0, 1, 2]}


ESCAPES = {
    # dunder walks
    "subclasses walk": "().__class__.__bases__[0].__subclasses__()",
    "class of data": "x.__class__",
    "mro": "[].__class__.__mro__",
    "builtins name": "__builtins__",
    "import builtin": "__import__('os').system('id')",
    "getattr": "getattr(x, '__class__')",
    "type": "type(x).__subclasses__",
    "globals": "globals()",
    "eval": "eval('1')",
    "open": "open('/etc/passwd').read()",
    "import statement": "import os",
    "from import": "from os import system",
    "method self": "d.get.__self__",
    "class attribute": "str.maketrans",
    # format-string tricks
    "str.format walk": "'{0.__class__.__init__.__globals__}'.format(x)",
    "format_map walk": "'{a.__class__}'.format_map({'a': 1})",
    "unbound format": "str.format('{0.__class__}', 1)",
    "f-string walk": "f'{x.__class__}'",
    "percent width": "'%0999999999d' % 1",
    "percent star width": "'%*d' % (999999999, 1)",
    "f-string width": "f'{1:0999999999}'",
    "f-string computed width": "f'{1:{y}}'",
    # generator frame access
    "generator frame": "(i for i in []).gi_frame.f_back.f_globals",
    "frame of data": "g.gi_frame",
    "generator code": "[v for v in [(i for i in [])]][0].gi_code",
    # huge exponents and sizes
    "tower": "10**10**10",
    "big power": "9**999999",
    "big power at run time": "x ** y",
    "pow builtin": "pow(10, y)",
    "shift": "1 << 10**9",
    "string repeat": "'a' * 10**10",
    "list repeat": "[0] * y * y",
    "range list": "list(range(10**9))",
    "sum of lists": "sum([[0] * 10**6] * 10**6, [])",
    # endless loops
    "while true": "while True: pass",
    "while one": "while 1:\n    x = 1",
    "nested for": "for i in range(10**6):\n    for j in range(10**6):\n        pass",
    "growing list": "items = [1]\nfor i in items:\n    items.append(i)",
    "comprehension": "[0 for a in range(10**6) for b in range(10**6)]",
    "c level nesting": "sum(map(sum, map(range, range(10**6))))",
    "catch and loop": "while True:\n    try:\n        pass\n    except Exception:\n        pass",
    "finally continue": "while True:\n    try:\n        pass\n    finally:\n        continue",
    "bare except": "try:\n    pass\nexcept:\n    pass",
    # memory
    "list growth": "rows = []\nwhile True:\n    rows.append([0] * 10**6)",
    "string doubling": "s = 'a' * 10**6\nwhile True:\n    s = s + s",
    "replace blow-up": "s = 'a' * 10**6\nt = s.replace('', s)",
    # definitions
    "lambda": "(lambda: 1)()",
    "def": "def f():\n    return 1",
    "class": "class A:\n    pass",
    "with": "with x:\n    pass",
    "global": "global x",
}
REFUSALS = (ExpressionRefused, ExpressionStopped, NameError, AttributeError, TypeError)


@pytest.mark.parametrize("source", list(ESCAPES.values()), ids=list(ESCAPES))
def test_an_escape_attempt_is_refused_or_stopped(source):
    """How long each takes is measured on a subprocess in tests/hostile/test_expressions.py."""
    data = {"x": 7, "y": 10**7, "d": {"k": 1}, "g": (i for i in [])}
    before = dict(data)
    with pytest.raises(REFUSALS):
        if "\n" in source or source.split()[0] in ("import", "from", "while", "global", "def", "class", "with"):
            sandbox.execute(source, data)
        else:
            sandbox.evaluate(source, data)
    assert data == before


# Work done inside one C call, which the time budget cannot interrupt (issue 13): each is refused or
# stopped before the call starts, with its own one-line reason. (mode, source, data as Python text,
# error, message after "stopped '<source>': " or "refused '<source>': ")
ALIASED = "L = list(range(10**4))\nM = list(L)\nA = [L for _ in range(1000)]\nB = [M for _ in range(1000)]\n"
TOWER = "t = (1,)\nfor i in range(100):\n    t = (t, t)\n"
TOO_LONG = f"it ran longer than {sandbox.TIME_LIMIT:g} s"
WORK = f"would work through more than {sandbox.MAX_WORK} items"
DIGITS = "of a number with more than 4300 digits is not allowed"
POW_MOD = "pow() with a modulus takes an exponent and modulus of at most 2048 bits"
C_STEPS = {
    "pow with a big modulus": ("eval", "pow(x, x, m)", "{'x': 2**40000 + 1, 'm': 2**40000 + 3}", ExpressionStopped, POW_MOD),
    "pow with a literal modulus": ("eval", "pow(3, 2**3000, 2**3000 + 1)", "{}", ExpressionStopped, POW_MOD),
    "zip of a million ranges": ("eval", "max(zip(*[range(10**6)] * 10**6))", "{}", ExpressionStopped, None),  # time or memory runs out first, by machine
    "zip of a million lists": ("eval", "max(zip(*[list(range(10**6))] * 10**6))", "{}", ExpressionStopped,
                               f"the result of * would hold more than {sandbox.MAX_WORK} items in all"),
    "int of a huge Decimal": ("eval", "int(Decimal('1e999999'))", "{}", ExpressionStopped, f"int() {DIGITS}"),
    "round of a huge Decimal": ("eval", "round(Decimal('1e999999'))", "{}", ExpressionStopped, f"round() {DIGITS}"),
    "percent-d of a huge Decimal": ("eval", "'%d' % Decimal('1e999999')", "{}", ExpressionStopped, f"formatting {DIGITS}"),
    "f-string of a huge Decimal": ("eval", "f'{d:f}'", "{'d': Decimal('1e999999')}", ExpressionStopped, f"formatting {DIGITS}"),
    "round of an int to a huge place": ("eval", "round(n, -10**8)", "{'n': 5}", ExpressionStopped,
                                        "round() of an int to more than 4300 digits is not allowed"),
    "Decimal of a long text": ("eval", "Decimal(s)", "{'s': '9' * 100000}", ExpressionStopped,
                               "Decimal() of a text of more than 4300 digits is not allowed"),
    "power tower": ("eval", "10**10**8", "{}", ExpressionRefused, "nested constant ** is not allowed"),
    "power tower at run time": ("eval", "x ** y ** z", "{'x': 10, 'y': 10, 'z': 8}", ExpressionStopped,
                                "the result of ** would have more than 100000 bits"),
    "huge repeat": ("eval", "'a' * 10**10", "{}", ExpressionStopped, "the result of * would have more than 1000000 items"),
    "huge shift": ("eval", "x << 10**9", "{'x': 3}", ExpressionStopped, "the result of << would have more than 100000 bits"),
    "str of a huge literal": ("eval", "str(10**100000)", "{}", ExpressionRefused, "the result of ** would have more than 100000 bits"),
    "str of a huge int": ("eval", "str(n)", "{'n': 7 ** 40000}", ExpressionStopped, f"str() {DIGITS}"),
    "f-string of a huge int": ("eval", "f'{n}'", "{'n': 7 ** 40000}", ExpressionStopped, f"formatting {DIGITS}"),
    "int of a long text": ("eval", "int(s)", "{'s': '9' * 100000}", ExpressionStopped,
                           "int() of a text of more than 4300 digits is not allowed"),
    "sorted over a huge range": ("eval", "sorted(x for x in range(10**6) for _ in range(10**6))", "{}", ExpressionStopped, TOO_LONG),
    "sum over a huge range": ("eval", "sum(x for x in range(10**6) for _ in range(10**6))", "{}", ExpressionStopped, TOO_LONG),
    "any over a huge range": ("eval", "any(x < 0 for x in range(10**6) for _ in range(10**6))", "{}", ExpressionStopped, TOO_LONG),
    "sum of a million-fold int": ("eval", "sum([n] * 10**6)", "{'n': 7 ** 30000}", ExpressionStopped, f"sum() {WORK}"),
    "aliased lists compared": ("exec", ALIASED + "r = A == B", "{}", ExpressionStopped, f"a comparison {WORK}"),
    "aliased lists sorted": ("exec", ALIASED + "r = sorted(A + B)", "{}", ExpressionStopped, f"sorted() {WORK}"),
    "aliased lists maxed by a generator": ("exec", ALIASED + "r = max(a for a in A + B)", "{}", ExpressionStopped, f"max() {WORK}"),
    "aliased list in": ("exec", ALIASED + "r = list(L) in A", "{}", ExpressionStopped, f"a comparison {WORK}"),
    "aliased list counted": ("exec", ALIASED + "r = A.count(list(L))", "{}", ExpressionStopped, f"list.count() {WORK}"),
    "aliased list sorted in place": ("exec", ALIASED + "A.sort()", "{}", ExpressionStopped, f"sorted() {WORK}"),
    "aliased list formatted": ("exec", ALIASED + "r = f'{A}'", "{}", ExpressionStopped, f"formatting {WORK}"),
    "aliased list str": ("exec", ALIASED + "r = str(A)", "{}", ExpressionStopped, f"str() {WORK}"),
    "aliased list percent-s": ("exec", ALIASED + "r = '%s' % (A,)", "{}", ExpressionStopped, f"formatting {WORK}"),
    "a refusal caught": ("exec", ALIASED + "try:\n    r = str(A)\nexcept Exception:\n    r = 'caught'", "{}",
                         ExpressionStopped, f"str() {WORK}"),
    "aliased list raised": ("exec", ALIASED + "raise ValueError(A)", "{}", ExpressionStopped,
                            "it raised ValueError with a message too large to show"),
    "tuple tower hashed": ("exec", TOWER + "d = {t: 1}", "{}", ExpressionStopped, f"hashing a key {WORK}"),
    "tuple tower in a set": ("exec", TOWER + "s = set([t])", "{}", ExpressionStopped, f"set() {WORK}"),
    "tuple tower compared": ("exec", TOWER + "r = t == (t[0], t[1])", "{}", ExpressionStopped, f"a comparison {WORK}"),
    "tuple tower looked up": ("exec", TOWER + "d = {}\nr = d.get(t)", "{}", ExpressionStopped, f"dict.get() {WORK}"),
    "tuple tower subscript": ("exec", TOWER + "d = {}\nr = d[t]", "{}", ExpressionStopped, f"hashing a key {WORK}"),
    "string doubling": ("exec", "s = 'a' * 10**6\nwhile True:\n    s = s + s", "{}", ExpressionStopped, None),
    "join blow-up": ("exec", "s = 'a' * 10**6\nt = ''.join([s] * 10**6)", "{}", ExpressionStopped,
                     "it needed more memory than allowed"),
}
ESCAPES.update({f"C step: {name}": case[1] for name, case in C_STEPS.items() if case[2] == "{}"})


def c_step_data(text: str) -> dict:
    from decimal import Decimal

    return eval(text, {"Decimal": Decimal})  # noqa: S307 - the test's own literals


def expected_line(source: str, error, why: str | None) -> str:
    verb = "stopped" if error is ExpressionStopped else "refused"
    return f"{verb} {sandbox._short(source)}: {why}"


@pytest.mark.parametrize("name", list(C_STEPS))
def test_work_inside_one_c_call_is_refused_before_it_starts(name):
    mode, source, data, error, why = C_STEPS[name]
    with pytest.raises(error) as caught:
        (sandbox.evaluate if mode == "eval" else sandbox.execute)(source, c_step_data(data))
    if why is None:  # stopped by whichever comes first: the deadline or the memory cap
        assert str(caught.value).startswith(f"stopped {sandbox._short(source)}: ")
    else:
        assert str(caught.value) == expected_line(source, error, why)
    assert "\n" not in str(caught.value)


def test_a_stopped_script_says_why_in_one_line():
    with pytest.raises(ExpressionStopped) as caught:
        sandbox.execute("while True: pass", {})
    assert str(caught.value) == f"stopped 'while True: pass': it ran longer than {sandbox.TIME_LIMIT:g} s"


# -- in a running model: every kind of expression goes through the sandbox ------------------------------

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions" targetNamespace="x">\n'
        '<bpmn:process id="evil" name="Evil" isExecutable="true">\n<bpmn:startEvent id="start" />\n')
TAIL = '<bpmn:endEvent id="end" />\n</bpmn:process>\n</bpmn:definitions>\n'


def one_step(step: str, step_id: str = "step") -> str:
    return (HEAD + step + f'\n<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{step_id}" />\n'
            f'<bpmn:sequenceFlow id="f2" sourceRef="{step_id}" targetRef="end" />\n' + TAIL)


GATEWAY = (HEAD + '<bpmn:exclusiveGateway id="gate" default="f3" />\n<bpmn:endEvent id="end2" />\n'
           '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gate" />\n'
           '<bpmn:sequenceFlow id="f2" sourceRef="gate" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
           "().__class__.__bases__[0].__subclasses__()</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
           '<bpmn:sequenceFlow id="f3" sourceRef="gate" targetRef="end2" />\n' + TAIL)
DMN = textwrap.dedent('''\
    <?xml version="1.0" encoding="UTF-8"?>
    <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" namespace="x">
      <decision id="evil_decision" name="Evil">
        <decisionTable id="table" hitPolicy="FIRST">
          <input id="in1" label="x"><inputExpression id="ie1" typeRef="number"><text>1</text></inputExpression></input>
          <output id="out1" label="r" name="r" typeRef="string" />
          <rule id="r1"><inputEntry id="e1"><text>-</text></inputEntry><outputEntry id="o1"><text>__import__('os').getcwd()</text></outputEntry></rule>
        </decisionTable>
      </decision>
    </definitions>
    ''')
MODELS = {
    "script task": (one_step('<bpmn:scriptTask id="step"><bpmn:script>while True: pass</bpmn:script></bpmn:scriptTask>'),
                    "phasegate: expression-stopped: stopped 'while True: pass': it ran longer than 0.5 s"),
    "gateway condition": (GATEWAY, "phasegate: expression-refused: refused '().__class__.__bases__[0].__subclasses__()': "
                                   "the attribute '.__subclasses__' is not allowed"),
    "timer text": (one_step('<bpmn:intermediateCatchEvent id="step"><bpmn:timerEventDefinition><bpmn:timeDuration>'
                            "9**9999999</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"),
                   "phasegate: expression-refused: refused '9**9999999': the result of ** would have more than 100000 bits"),
    "DMN cell": (one_step('<bpmn:businessRuleTask id="step"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
                          "evil_decision</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>"),
                 "phasegate: expression-refused: refused \"__import__('os').getcwd()\": "
                 "the name '__import__' is not allowed (no dunder names)"),
    "service parameter": (one_step('<bpmn:serviceTask id="step"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator '
                                   'id="smart_answer" resultVariable="r"><spiffworkflow:parameters><spiffworkflow:parameter '
                                   'id="question" type="str" value="question.__class__" /></spiffworkflow:parameters>'
                                   "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"),
                          "phasegate: expression-refused: refused 'question.__class__': the attribute '.__class__' is not allowed"),
}


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_model_whose_expression_tries_an_escape_fails_to_start_and_nothing_is_saved(tmp_path, kind):
    bpmn, line = MODELS[kind]
    models = tmp_path / "models"
    models.mkdir()
    (models / "evil.bpmn").write_text(bpmn, encoding="utf-8")
    (models / "evil.dmn").write_text(DMN, encoding="utf-8")
    terminal = Terminal(tmp_path / "store" / "phasegate.db", models)
    result = terminal.run("start", "evil", user=PM)
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == line
    assert terminal.json("instances") == []

"""A hostile designer's expressions stop within their budget whatever they do, in a process of their own.

Each case of tests/test_sandbox.py's C_STEPS (work inside one C call: `pow(x, x, m)` of 40,000-bit
ints, `max(zip(*...))`, `int(Decimal('1e999999'))`, comparing, hashing or formatting a structure
that shares one big list a thousand times...) runs in a fresh Python with a 10 s timeout: it must
end with a clean one-line refusal, well inside the timeout and without growing past 1 GB. Before
issue 13 each ran past 20 s and had to be killed from outside. The same holds for a script task, a
gateway condition, a timer and a DMN cell of a model run by the `phasegate` command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import PM, REPO, Terminal
from test_sandbox import C_STEPS, GATEWAY, expected_line, one_step

TIMEOUT = 10                  # seconds: the budget is 0.5 s, a clean stop takes about one more
CLI_TIMEOUT = 30              # the command imports SpiffWorkflow and opens a store first
MEMORY_KB = 1_000_000         # peak resident memory, kB: the sandbox caps growth at 256 MB

# A child's own peak resident memory, in kB. Not getrusage(RUSAGE_SELF).ru_maxrss: Linux carries the
# forking parent's peak (pytest's, a few hundred MB by then) across exec into the child's maxrss.
PEAK_KB = """
def peak_kb():
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
"""
CHILD = PEAK_KB + """
import json, sys
from decimal import Decimal
from engine.sandbox import environment as sandbox
from engine.errors import PhasegateError
mode, source, setup = json.loads(sys.argv[1])
data = eval(setup, {"Decimal": Decimal})
try:
    (sandbox.evaluate if mode == "eval" else sandbox.execute)(source, data)
    outcome = ["finished", ""]
except PhasegateError as err:
    outcome = [type(err).__name__, str(err)]
print(json.dumps(outcome + [peak_kb()]))
"""


def child_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_") or k == "PHASEGATE_LANG"}


@pytest.mark.parametrize("name", list(C_STEPS))
def test_one_c_call_ends_cleanly_in_a_process_of_its_own(name):
    mode, source, data, error, why = C_STEPS[name]
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps([mode, source, data])], cwd=REPO,
                          env=child_env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    outcome, message, max_rss = json.loads(proc.stdout)
    assert outcome == error.__name__
    if why is None:
        assert message.startswith("stopped ") and "\n" not in message
    else:
        assert message == expected_line(source, error, why)
    assert max_rss < MEMORY_KB


# -- in a model run by the command ------------------------------------------------------------------

BIG_POW = "pow(3, 2**40000 + 1, 2**40000 + 3)"
POW_STOP = "pow() with a modulus takes an exponent and modulus of at most 2048 bits"


def dmn(cell: str) -> str:
    return textwrap.dedent(f'''\
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" namespace="x">
          <decision id="evil_decision" name="Evil">
            <decisionTable id="table" hitPolicy="FIRST">
              <input id="in1" label="x"><inputExpression id="ie1" typeRef="number"><text>1</text></inputExpression></input>
              <output id="out1" label="r" name="r" typeRef="number" />
              <rule id="r1"><inputEntry id="e1"><text>-</text></inputEntry><outputEntry id="o1"><text>{cell}</text></outputEntry></rule>
            </decisionTable>
          </decision>
        </definitions>
        ''')


RULE_TASK = ('<bpmn:businessRuleTask id="step"><bpmn:extensionElements><spiffworkflow:calledDecisionId>evil_decision'
             "</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>")
MODELS = {  # kind: (BPMN, DMN cell, the stderr line)
    "script task": (one_step(f'<bpmn:scriptTask id="step"><bpmn:script>n = {BIG_POW}</bpmn:script></bpmn:scriptTask>'),
                    "1", f"phasegate: expression-stopped: stopped 'n = {BIG_POW}': {POW_STOP}"),
    "gateway condition": (GATEWAY.replace("().__class__.__bases__[0].__subclasses__()", "max(zip(*[range(10**6)] * 10**6))"),
                          "1", "phasegate: expression-stopped: stopped 'max(zip(*[range(10**6)] * 10**6))': "
                               "it ran longer than 0.5 s"),
    "timer text": (one_step('<bpmn:intermediateCatchEvent id="step"><bpmn:timerEventDefinition><bpmn:timeDuration>'
                            f"{BIG_POW}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"),
                   "1", f"phasegate: expression-stopped: stopped '{BIG_POW}': {POW_STOP}"),
    "DMN cell": (one_step(RULE_TASK), "int(Decimal('1e999999'))",
                 "phasegate: expression-stopped: stopped \"int(Decimal('1e999999'))\": "
                 "int() of a number with more than 4300 digits is not allowed"),
}
MEASURED_CLI = PEAK_KB + """
import runpy, sys
sys.argv = ["phasegate", *sys.argv[1:]]
try:
    runpy.run_module("cli", run_name="__main__")
finally:
    print(peak_kb(), file=sys.stderr)
"""


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_model_doing_c_level_work_fails_its_step_within_its_budget(tmp_path, kind):
    bpmn, cell, line = MODELS[kind]
    models = tmp_path / "models"
    models.mkdir()
    (models / "evil.bpmn").write_text(bpmn, encoding="utf-8")
    (models / "evil.dmn").write_text(dmn(cell), encoding="utf-8")
    db = tmp_path / "store" / "phasegate.db"
    proc = subprocess.run([sys.executable, "-c", MEASURED_CLI, "--db", str(db), "--models", str(models), "--as", PM,
                           "start", "evil"], cwd=REPO, env=child_env(), capture_output=True, text=True,
                          timeout=CLI_TIMEOUT)
    *lines, max_rss = proc.stderr.strip().splitlines()
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == ""
    if line.endswith("it ran longer than 0.5 s"):  # the deadline or the memory cap, whichever this machine meets first
        stop = "phasegate: expression-stopped: stopped 'max(zip(*[range(10**6)] * 10**6))': "
        assert lines in ([line], [stop + "it needed more memory than allowed"]), lines
    else:
        assert lines == [line]
    assert int(max_rss) < MEMORY_KB
    assert Terminal(db, models).json("instances") == []

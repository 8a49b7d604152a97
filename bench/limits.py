"""What issue 13's limits cost: a plain condition through the sandbox against plain `eval`, and the
task-data check's share of a completion.

(i) A gateway condition such as `amount > 3 and kind == 'complex'` is evaluated by the sandbox
(`engine.sandbox.environment.evaluate`: checked, compiled once, then run without a budget because it
only compares plain data) and by plain `eval` of the same compiled code over the same data. A
condition that calls a function (`len(items) > 3`) runs under the budget and the guards: measured
the same way, to show what the bound on every C step costs where it applies.
(ii) `check_task_data`, run after every script, handler and form, is timed inside real completions
(`Engine.complete` of the after service loop's eight user tasks) and reported as a share of them.
"""

from __future__ import annotations

import time

PLAIN = "amount > 3 and kind == 'complex'"
GUARDED = "len(items) > 3 and kind == 'complex'"
DATA = {"amount": 5, "kind": "complex", "items": [1, 2, 3, 4, 5], "customer": "何佳怡", "channel": "在线客服"}


def _per_call_ns(call, repetitions: int) -> float:
    for _ in range(min(1000, repetitions)):   # warm: compile caches, branch predictors
        call()
    best = float("inf")
    for _ in range(5):                         # the best of five runs: the least disturbed by the machine
        started = time.perf_counter_ns()
        for _ in range(repetitions):
            call()
        best = min(best, (time.perf_counter_ns() - started) / repetitions)
    return best


def conditions(repetitions: int = 20_000) -> dict:
    """ns per evaluation through the sandbox and through plain eval, for a plain and a guarded condition."""
    from engine.sandbox import environment as sandbox

    figures = {}
    for name, source in (("plain", PLAIN), ("guarded", GUARDED)):
        code = compile(source, "<condition>", "eval")
        data = dict(DATA)
        through = _per_call_ns(lambda: sandbox.evaluate(source, data), repetitions)
        bare = _per_call_ns(lambda: eval(code, {"__builtins__": __builtins__}, data), repetitions)  # noqa: S307
        assert sandbox.evaluate(source, data) == eval(code, {"__builtins__": __builtins__}, data)  # noqa: S307
        figures[name] = {"source": source, "sandbox_ns": through, "eval_ns": bare, "ratio": through / bare}
    return figures


def data_check_share(engine, values: dict, lanes: dict[str, str], instances: int = 100) -> dict:
    """The time `check_task_data` takes inside `instances` runs of the after service loop, against
    the time of the completions themselves."""
    from engine.runtime import datacheck

    from . import workloads

    # The runner checks through its DataChecker (the walk, or the remembered flat data it accepted)
    original = datacheck.DataChecker.__call__
    spent = {"ns": 0, "calls": 0}

    def timed(checker, data, *args, **kwargs):
        started = time.perf_counter_ns()
        try:
            return original(checker, data, *args, **kwargs)
        finally:
            spent["ns"] += time.perf_counter_ns() - started
            spent["calls"] += 1

    workloads.phasegate(engine, values, lanes, 5)   # warm
    datacheck.DataChecker.__call__ = timed
    try:
        run = workloads.phasegate(engine, values, lanes, instances)
    finally:
        datacheck.DataChecker.__call__ = original
    commands = run.instances * (1 + len(workloads.STEPS))      # a start and eight completions each
    return {"instances": run.instances, "commands": commands, "seconds": run.seconds,
            "check_seconds": spent["ns"] / 1e9, "checks": spent["calls"],
            "share": spent["ns"] / 1e9 / run.seconds,
            "ms_per_command": run.seconds * 1000 / commands,
            "check_us_per_command": spent["ns"] / 1e3 / commands}


def lines(figures: dict) -> list[str]:
    """The figures as RESULTS.md lines (also printed by `make bench`)."""
    out = []
    for name, f in figures["conditions"].items():
        out.append(f"- {name} condition `{f['source']}`: {f['sandbox_ns']:.0f} ns through the sandbox, "
                   f"{f['eval_ns']:.0f} ns by plain eval of the same code: **{f['ratio']:.2f}×**")
    d = figures["data_check"]
    out.append(f"- task-data check: {d['check_us_per_command']:.0f} µs per command ({d['checks']} checks in "
               f"{d['commands']} commands, {d['ms_per_command']:.2f} ms each): **{d['share'] * 100:.1f}%** of "
               "the time of starts and completions")
    return out

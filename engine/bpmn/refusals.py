"""What the engine refuses to run that SpiffWorkflow's parser lets through, found in the XML.

The parser accepts a script task without a script (it fails at run time on `None`), a call
activity that calls its own process, directly or round a cycle (`do_engine_steps` then never
returns), and an element whose id is `Start`, the name of SpiffWorkflow's own first step (the workflow then
fails with "No output task connected"). Both are refused before anything runs, with the same words in `start` and in `lint`.
"""

from __future__ import annotations

from pathlib import Path

from engine.bpmn.namespaces import BPMN


def process_problems(trees: dict[Path, object]) -> dict[str, str]:
    """Process id → the first reason it must not run, over the BPMN trees of one folder."""
    problems: dict[str, str] = {}
    calls: dict[str, list[tuple[str, str, str]]] = {}   # process → [(call activity id, called id, where)]
    for path, tree in trees.items():
        if Path(path).suffix != ".bpmn":
            continue
        for process in tree.getroot().iter(f"{{{BPMN}}}process"):
            pid = process.get("id")
            for node in process.iter():
                if isinstance(node.tag, str) and node.get("id") == "Start":
                    problems.setdefault(pid, (
                        f"{Path(path).name}:{node.sourceline}: the id 'Start' is the name of the engine's own first "
                        "step (SpiffWorkflow's Start task); give the element another id"))
            for task in process.iter(f"{{{BPMN}}}scriptTask"):
                script = task.find(f"{{{BPMN}}}script")
                if script is None or not (script.text or "").strip():
                    problems.setdefault(pid, script_missing(Path(path).name, task))
            calls[pid] = [(c.get("id"), c.get("calledElement"), f"{Path(path).name}:{c.sourceline}")
                          for c in process.iter(f"{{{BPMN}}}callActivity") if c.get("calledElement")]
    for pid in calls:
        cycle = _cycle_from(pid, calls)
        if cycle is not None and pid not in problems:
            problems[pid] = cycle
    return problems


def script_missing(filename: str, task) -> str:
    return (f"{filename}:{task.sourceline}: script task '{task.get('id')}' has no script; "
            "write one in the Modeler's Script section (or make it a plain task)")


def _cycle_from(start: str, calls: dict) -> str | None:
    """The message for a call cycle reachable from `start`, or None."""
    path: list[tuple[str, str, str]] = []
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(process: str) -> str | None:
        on_path.add(process)
        for activity, called, where in calls.get(process, []):
            path.append((activity, called, where))
            if called in on_path:
                chain = " → ".join([start] + [c for _, c, _ in path])
                return (f"{where}: call activity '{activity}' calls '{called}', which is already running above it "
                        f"({chain}): a recursive call never ends, so the process is not run")
            if called not in done:
                found = visit(called)
                if found:
                    return found
            path.pop()
        on_path.discard(process)
        done.add(process)
        return None

    return visit(start)

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
            loop = endless_loop(process, Path(path).name)
            if loop:
                problems.setdefault(pid, loop)
            calls[pid] = [(c.get("id"), c.get("calledElement"), f"{Path(path).name}:{c.sourceline}")
                          for c in process.iter(f"{{{BPMN}}}callActivity") if c.get("calledElement")]
    for pid in calls:
        cycle = _cycle_from(pid, calls)
        if cycle is not None and pid not in problems:
            problems[pid] = cycle
    return problems


# Elements that stop the engine until a person or an event moves them on (or may, for sub-processes).
WAITING = {"userTask", "manualTask", "receiveTask", "intermediateCatchEvent", "eventBasedGateway", "callActivity",
           "subProcess", "transaction", "adHocSubProcess"}


def endless_loop(process, filename: str) -> str | None:
    """The message for a cycle of sequence flows that nothing leaves and nothing in it waits for:
    the engine would run it for ever (SpiffWorkflow's path prediction recurses without end on it)."""
    kinds = {el.get("id"): el.tag.rsplit("}", 1)[-1] for el in process if isinstance(el.tag, str) and el.get("id")}
    hosts = {el.get("attachedToRef") for el in process.iter(f"{{{BPMN}}}boundaryEvent")}
    edges: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        if flow.getparent() is process and flow.get("sourceRef") in kinds and flow.get("targetRef") in kinds:
            edges.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for component in _strongly_connected(list(kinds), edges):
        if len(component) == 1 and component[0] not in edges.get(component[0], []):
            continue
        members = set(component)
        leaves = any(t not in members for n in component for t in edges.get(n, []))
        waits = any(kinds[n] in WAITING or n in hosts for n in component)
        if not leaves and not waits:
            first = next(el for el in process if el.get("id") in members)
            kind = kinds[first.get("id")]
            word = "gateway" if kind.endswith("Gateway") else "event" if kind.endswith("Event") else "task"
            names = ", ".join(sorted(members)[:4]) + (" …" if len(members) > 4 else "")
            return (f"{filename}:{first.sourceline}: {word} '{first.get('id')}' is in a loop that runs for ever "
                    f"({names}): no flow leaves it and nothing in it waits; add an exit (a gateway with a "
                    "condition) or a task that waits")
    return None


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (a model may have thousands of nodes)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, [])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, []))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


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

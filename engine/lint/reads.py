"""What a text of a model reads and assigns: conditions, scripts, parameters and DMN inputs, in any dialect.

FEEL (`=...`) and JUEL (`${...}`) texts are translated to the sandbox's Python first
(`engine.sandbox.translate`); a text the translators refuse is skipped. Builtins, the sandbox's and
the FEEL/JUEL helpers, comprehension and loop targets, and names a script assigns before it reads
them are not reads. `def`, `class` and `import` are refused by the sandbox (`phasegate/script-compiles`
reports them); their bodies are not read here.
"""

from __future__ import annotations

import ast
import textwrap

from engine.errors import ExpressionRefused
from engine.sandbox.environment import SAFE_BUILTINS
from engine.sandbox.translate import FEEL_FUNCTIONS, translate

NOT_READS = frozenset(SAFE_BUILTINS) | frozenset(FEEL_FUNCTIONS)


def python_of(text: str, as_condition: bool = False) -> tuple[str, str] | None:
    """(Python text, dialect) of a Python, FEEL or JUEL text, or None when it cannot be translated."""
    try:
        translation = translate(text, as_condition=as_condition)
    except ExpressionRefused:
        return None
    return translation.python, translation.dialect


def expression_reads(text: str) -> tuple[list[str], ast.AST | None]:
    """Names an expression reads (in order, once each) and its tree; ([], None) when it does not parse."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], None
    names: list[str] = []
    _free(tree.body, set(), names)
    return names, tree


def script_reads(text: str) -> tuple[list[str], set[str]]:
    """Names a script reads before assigning them, and the names it assigns at its top level.

    A read inside a `try` that catches errors is a deliberate probe: it is left out here and
    listed by `guarded_reads`."""
    try:
        tree = ast.parse(textwrap.dedent(text.strip("\r\n")), mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], set()
    names: list[str] = []
    _statements(tree.body, set(), names)
    return names, _definite(tree.body)


def guarded_reads(text: str) -> list[str]:
    """Names a script reads inside a `try` that catches errors (uses, not checked reads)."""
    try:
        tree = ast.parse(textwrap.dedent(text.strip("\r\n")), mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return sorted({n.id for t in ast.walk(tree) if isinstance(t, ast.Try) and t.handlers
                   for s in t.body for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)})


def _free(node, bound: set[str], out: list[str]) -> None:
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load) and node.id not in bound and node.id not in out and node.id not in NOT_READS:
            out.append(node.id)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "feel_var" \
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        if node.args[0].value not in out and node.args[0].value not in bound:
            out.append(node.args[0].value)
        return
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        inner = set(bound)
        for generator in node.generators:
            _free(generator.iter, inner, out)
            inner |= _targets(generator.target)
            for condition in generator.ifs:
                _free(condition, inner, out)
        for part in ((node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)):
            _free(part, inner, out)
        return
    if isinstance(node, ast.Lambda):
        _free(node.body, bound | {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}, out)
        return
    if isinstance(node, ast.NamedExpr):
        _free(node.value, bound, out)
        bound.add(node.target.id)
        return
    for child in ast.iter_child_nodes(node):
        _free(child, bound, out)


def _targets(target) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _stores(statements) -> set[str]:
    return {n.id for s in statements for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} \
        | {h.name for s in statements for h in ast.walk(s) if isinstance(h, ast.ExceptHandler) and h.name}


def _statements(body, local: set[str], out: list[str]) -> None:
    """Reads of a statement list in order; a name assigned earlier (on any branch) is no read."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            local |= _stores([statement]) | {statement.name} if hasattr(statement, "name") else _import_names(statement)
            continue  # refused by the sandbox (script-compiles says so); their bodies are not read here
        if isinstance(statement, (ast.For, ast.While)):
            local |= _stores([statement])  # loop bodies may assign before a later turn reads
            _free(statement.iter if isinstance(statement, ast.For) else statement.test, local, out)
            _statements(statement.body + statement.orelse, local, out)
        elif isinstance(statement, ast.If):
            _free(statement.test, local, out)
            _statements(statement.body, local, out)
            _statements(statement.orelse, local, out)
        elif isinstance(statement, ast.Try):
            _statements(statement.body, local, [] if statement.handlers else out)  # probes: see guarded_reads
            for handler in statement.handlers:
                if handler.name:
                    local.add(handler.name)
                _statements(handler.body, local, out)
            _statements(statement.orelse, local, out)
        elif isinstance(statement, ast.Assign):
            _free(statement.value, local, out)
            for target in statement.targets:
                if not isinstance(target, (ast.Name, ast.Tuple, ast.List, ast.Starred)):
                    _free(target, local, out)  # x[k] = v reads x
                local |= _targets(target) if isinstance(target, (ast.Name, ast.Tuple, ast.List, ast.Starred)) else set()
        elif isinstance(statement, ast.AugAssign):
            _free(statement.value, local, out)
            _free(ast.Name(id=statement.target.id, ctx=ast.Load()) if isinstance(statement.target, ast.Name)
                  else statement.target, local, out)
            local |= _targets(statement.target) if isinstance(statement.target, ast.Name) else set()
        else:
            _free(statement, local, out)
            local |= _stores([statement])


def _import_names(statement) -> set[str]:
    return {(a.asname or a.name).split(".")[0] for a in statement.names}


def _definite(body) -> set[str]:
    """Names every run of the statement list assigns (branches: the names both sides assign)."""
    names: set[str] = set()
    for statement in body:
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for target in statement.targets if isinstance(statement, ast.Assign) else [statement.target]:
                if isinstance(target, (ast.Name, ast.Tuple, ast.List, ast.Starred)):
                    names |= _targets(target)
        elif isinstance(statement, ast.If) and statement.orelse:
            names |= _definite(statement.body) & _definite(statement.orelse)
        elif isinstance(statement, ast.Delete):
            names -= {t.id for t in statement.targets if isinstance(t, ast.Name)}
        elif isinstance(statement, ast.Expr):
            names |= {n.target.id for n in ast.walk(statement) if isinstance(n, ast.NamedExpr)}
    return names

"""The two faces stand side by side over one engine: cli.py never imports web/ (import-linter, whose
roots must be packages, checks that web/ never imports cli.py and that the engine imports no face)."""

from __future__ import annotations

import ast

from conftest import REPO


def test_cli_starts_the_web_face_by_name_and_never_imports_it():
    tree = ast.parse((REPO / "cli.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {name for name in imported if name == "web" or name.startswith("web.")}
    named = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value == "web.app:from_environment"]
    assert named, "phasegate serve names the app factory for uvicorn"

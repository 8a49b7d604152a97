"""Guards: every command explains itself and is in the README; the engine's public names are its __all__."""

from __future__ import annotations

import click
import pytest

import engine
from cli import cli
from conftest import REPO


def all_commands(group=cli, path=()):
    for name, command in sorted(group.commands.items()):
        yield " ".join(path + (name,)), command
        if isinstance(command, click.Group):
            yield from all_commands(command, path + (name,))


@pytest.mark.parametrize("name,command", list(all_commands()))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name, command):
    assert command.help and len(command.help.strip()) > 20, f"{name} has no help text"
    assert "Example:" in command.help, f"{name}'s help gives no example"
    assert f"### phasegate {name}\n" in (REPO / "README.md").read_text(encoding="utf-8")


def test_engine_exports_exactly_its_public_names():
    public = {n for n in dir(engine) if not n.startswith("_") and n[0].isupper()}
    assert public == set(engine.__all__)


def test_engine_imports_neither_click_nor_processes():
    for path in (REPO / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import click" not in text and "from processes" not in text and "import processes" not in text, path

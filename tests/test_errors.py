"""The error tree drawn at the top of engine/errors.py is the tree of classes, exit codes included,
and every exit code the command line uses has one meaning in `EXIT_CODES`."""

from __future__ import annotations

import inspect
import re

import engine.errors as errors
from engine.errors import DIFFERENT, EXIT_CODES, PhasegateError

LINE = re.compile(r"^(?P<indent>[ │├└─]*?)(?P<name>[A-Z]\w+)(?:\s+exit (?P<code>\d+))?(?:\s|$)")


def drawn_tree() -> dict[str, tuple[str | None, int | None]]:
    """class name → (parent name, exit code drawn beside it) from the module docstring's drawing."""
    found: dict[str, tuple[str | None, int | None]] = {}
    stack: list[tuple[int, str]] = []
    for line in errors.__doc__.splitlines():
        match = LINE.match(line[4:]) if line.startswith("    ") else None
        if not match:
            continue
        depth = len(match["indent"]) // 4
        while stack and stack[-1][0] >= depth:
            stack.pop()
        found[match["name"]] = (stack[-1][1] if stack else None, int(match["code"]) if match["code"] else None)
        stack.append((depth, match["name"]))
    return found


def test_the_drawn_error_tree_names_every_error_class_under_its_parent_with_its_exit_code():
    classes = {name: cls for name, cls in inspect.getmembers(errors, inspect.isclass)
               if issubclass(cls, PhasegateError) and cls.__module__ == errors.__name__}
    drawn = drawn_tree()
    assert set(drawn) == set(classes), "the drawing and the classes differ"
    for name, cls in classes.items():
        parent, code = drawn[name]
        actual_parent = None if cls is PhasegateError else cls.__bases__[0].__name__
        assert parent == actual_parent, f"{name} is drawn under {parent}, but derives from {actual_parent}"
        inherited = cls is not PhasegateError and cls.exit_code == cls.__bases__[0].exit_code
        assert code == (None if inherited else cls.exit_code), f"{name}: drawn exit {code}, class says {cls.exit_code}"


def test_every_exit_code_has_one_meaning_and_a_bug_has_a_code_of_its_own():
    codes = {cls.exit_code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, PhasegateError)}
    assert codes | {0, DIFFERENT} == set(EXIT_CODES)
    bug_only = [cls.__name__ for cls in vars(errors).values()
                if isinstance(cls, type) and issubclass(cls, PhasegateError) and cls.exit_code == 1]
    assert bug_only == ["PhasegateError"]
    assert len({errors.LintFindings.exit_code, errors.RuleCrashed.exit_code, DIFFERENT, 1}) == 4

"""What a person types as text, checked the same for the command line and a Python caller of `engine`."""

from __future__ import annotations

LONGEST_NAME = 200


def is_text(value: str) -> bool:
    """False for text holding bytes that are not UTF-8 (Python keeps them from a command line as lone
    surrogates, which no store, log or terminal can take)."""
    try:
        value.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def is_person_name(name: str) -> bool:
    """A person's name as phasegate keeps it: not blank, at most 200 printable characters, valid text."""
    return bool(name.strip()) and len(name) <= LONGEST_NAME and is_text(name) and name.isprintable()

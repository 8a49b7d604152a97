"""Camunda's expression languages (FEEL, JUEL) as translators to the sandbox's Python; the entry
point is engine/sandbox/translate.py."""

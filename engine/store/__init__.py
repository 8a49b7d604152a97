"""All SQL: the store (SQLite or PostgreSQL), its schema and migrations, and the fast listings."""

from engine.store.store import Store

__all__ = ["Store"]

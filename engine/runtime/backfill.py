"""Work a store upgrade leaves for the engine: rows an earlier schema did not keep, computed from state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.runtime.schedule import save_schedule


def backfill_schedules(store, load: Callable[[int], tuple[dict, Any]]) -> int:
    """After an upgrade from schema 1 (no timer table): record every running instance's timers and
    due times, in one transaction. `load`: instance id → (row, workflow). Returns how many instances."""
    with store.atomic():
        rows = store.instances(status="running")
        for row in rows:
            _, workflow = load(row["id"])
            save_schedule(store, row["id"], workflow, row["process_id"], row["updated_at"])
    return len(rows)

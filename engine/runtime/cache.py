"""Workflows kept in memory between commands, for long-running processes (a worker, a script, a server).

An entry is what one instance looked like after its last save through this engine: the row as of
its revision, the workflow, the scan of its open tasks and the schedule rows the task and timer
tables hold for it. An entry is used only while the store's revision of the instance still equals
the entry's; a command that changes an instance takes the entry out and puts back only what it saved.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

CACHE_SIZE = 256  # workflows kept between commands

Entry = tuple[dict, Any, Any, "dict | None"]  # (row, workflow, scan or None, schedule rows or None)


class WorkflowCache:
    """The most recently used `size` workflows of one store.

    Args:
        revision_of: instance id → the store's current revision of it (one indexed read).
        load: instance id → (row with state, workflow) read from the store.
        size: how many workflows to keep.
    """

    def __init__(self, revision_of: Callable[[int], int | None], load: Callable[[int], tuple[dict, Any]],
                 size: int = CACHE_SIZE):
        self.revision_of = revision_of
        self.load = load
        self.size = size
        self._entries: OrderedDict[int, Entry] = OrderedDict()

    def checkout(self, instance_id: int, revision: int | None = None) -> Entry:
        """(row, workflow, scan or None, schedule rows or None) for a command that changes the instance:
        the cached workflow when the store's revision (or `revision`, read under a claim) still equals
        the cached one, else loaded. The entry leaves the cache either way; `keep` puts back what was saved."""
        instance_id = int(instance_id)
        entry = self._entries.pop(instance_id, None)
        if entry is not None:
            current = self.revision_of(instance_id) if revision is None else revision
            if current == entry[0]["revision"]:
                return entry
        row, workflow = self.load(instance_id)
        return row, workflow, None, None

    def peek(self, instance_id: int) -> Entry:
        """The same tuple for reading only: the cached workflow when still current (it stays cached)."""
        instance_id = int(instance_id)
        entry = self._entries.get(instance_id)
        if entry is not None:
            if self.revision_of(instance_id) == entry[0]["revision"]:
                self._entries.move_to_end(instance_id)
                return entry
            del self._entries[instance_id]
        row, workflow = self.load(instance_id)
        return row, workflow, None, None

    def keep(self, instance_id: int, revision: int, row: dict | None, workflow, found, schedule: dict | None) -> None:
        """Cache a workflow just saved (committed) as `revision`; `row` is the instance read after the save."""
        if row is None or row["revision"] != revision:  # another process saved meanwhile: keep nothing
            return
        self._entries[int(instance_id)] = (row, workflow, found, schedule)
        self._entries.move_to_end(int(instance_id))
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

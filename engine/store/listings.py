"""Listings read straight from the store's indexed tables: open user tasks and deadlines.

`phasegate tasks` and `phasegate deadlines` run in a fresh process on every call, so this module
imports neither SpiffWorkflow nor pydantic nor the programme's forms, and loads no instance: the
task and deadline tables are kept up to date on every write. A row is a `Row`, a plain mapping with
the fields of `TaskView` / `DeadlineView` in the same order. `Engine.tasks` and `Engine.deadlines`
wrap these rows in those models, so both paths apply the same rules.
"""

from __future__ import annotations

from engine.clock import zone_named
from engine.errors import UnknownInstance, UnknownPerson


class Row(dict):
    """One listing row: its keys read as attributes, and it dumps like the view it mirrors."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def model_dump(self, mode: str = "python") -> dict:
        return dict(self)


def needs_first_open(store) -> bool:
    """Whether a store needs the engine's first-open work (`Engine.prepare_store`) before it is
    read: it was just upgraded (rows to backfill), or nobody is in any lane yet (a roster to seed)."""
    return store.upgraded_from is not None or not store.has_memberships()


def iso(instant) -> str:
    """UTC ISO text with microseconds: the store's format for instants, ordered as text."""
    from datetime import timezone

    return instant.astimezone(timezone.utc).isoformat(timespec="microseconds")


class Listings:
    """Reads over one open store, at the time `clock` says, shown in `zone`."""

    def __init__(self, store, clock, zone):
        self.store = store
        self.clock = clock
        self.zone = zone

    @classmethod
    def open(cls, store, clock, zone: str) -> "Listings | None":
        """Listings over an open store in the zone named `zone`, or None when the store first needs
        the engine's first-open work (`needs_first_open`): then open it with `Engine.open`."""
        if needs_first_open(store):
            return None
        return cls(store, clock, zone_named(zone))

    def lanes_of(self, person: str | None) -> list[str]:
        """The lanes a person is in; raises UnknownPerson when none was named or they are in none."""
        if not person:
            raise UnknownPerson("no person given: use --as NAME or set PHASEGATE_USER")
        lanes = self.store.lanes_of(person)
        if not lanes:
            raise UnknownPerson("'{person}' is not in any lane", hint="an administrator adds people with `phasegate people add`", person=person)
        return lanes

    def tasks(self, actor: str | None = None, instance_id: int | None = None, every_lane: bool = False) -> list[Row]:
        """Open user tasks from the task table; only the actor's lanes unless `every_lane`."""
        lanes = None if every_lane or not actor else self.lanes_of(actor)
        if instance_id is not None and self.store.instance(int(instance_id)) is None:
            raise UnknownInstance("no instance {instance_id} in the store", instance_id=instance_id)
        return [Row(row) for row in self.store.open_tasks(lanes=lanes, instance_id=instance_id)]

    def tasks_page(self, actor: str | None, every_lane: bool, page: int, size: int) -> tuple[int, list[Row]]:
        """How many open tasks `tasks` would list, and page `page` (from 1) of `size` of them, overdue
        first, then by due time, then oldest first; each row says whether it is `overdue`."""
        lanes = None if every_lane or not actor else self.lanes_of(actor)
        now = iso(self.clock.now())
        total, rows = self.store.open_tasks_page(lanes=lanes, now=now, limit=size, offset=(page - 1) * size)
        return total, [Row(row, overdue=row["due_at"] is not None and row["due_at"] <= now) for row in rows]

    def deadlines(self, overdue: bool = False, within=None) -> list[Row]:
        """Waiting timers and due user tasks from the deadline tables, soonest first.

        `overdue` keeps what is due by now; `within` (a timedelta) keeps what is due by now + within.
        """
        now = self.clock.now()
        until = iso(now) if overdue else (iso(now + within) if within is not None else None)
        now_text = iso(now)
        return [Row(row, overdue=row["due_at"] <= now_text) for row in self.store.deadlines(until)]

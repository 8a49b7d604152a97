"""A person (or worker) hammering one store from its own OS process, for the team tests.

Usage: python tests/team_worker.py STORE SEED COMPLETIONS [--tick-every N] [--markers]
Completes COMPLETIONS open tasks chosen at random (retrying on conflicts), ticking every N
completions at a clock 3 hours later. Prints one JSON summary line at the end; with --markers it
prints a line before and after each completion so a test can kill it at random points.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.api import Engine  # noqa: E402
from engine.clock import FakeClock  # noqa: E402
from engine.errors import ChangedMeanwhile, TaskNotReady  # noqa: E402
from processes.programme import build  # noqa: E402
from processes.samples import SAMPLES  # noqa: E402

BASE = datetime(2024, 1, 15, 1, 0, tzinfo=timezone.utc)
LOOP_DATA = {**SAMPLES, "confirm_receipt": {"has_issue": False, "issue_text": "", "satisfaction_score": 5},
             "submit_inquiry": {**SAMPLES["submit_inquiry"], "inquiry_kind": "complex"}}


def main() -> None:
    store_location, seed, wanted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    tick_every = int(sys.argv[sys.argv.index("--tick-every") + 1]) if "--tick-every" in sys.argv else 0
    markers = "--markers" in sys.argv
    rng = random.Random(seed)
    clock = FakeClock(BASE)
    engine = Engine.open(store_location, build(), clock)
    members = {}
    done = conflicts = ticks = fired = 0
    while done < wanted:
        clock.set(BASE)
        open_tasks = engine.tasks(every_lane=True)
        if not open_tasks:
            break
        task = rng.choice(open_tasks)
        person = members.setdefault(task.lane, engine.store.members_of(task.lane)[0])
        if markers:
            print(f"begin {task.instance_id} {task.task_id}", flush=True)
        try:
            engine.complete(task.instance_id, task.task_guid, LOOP_DATA[task.task_id], person)
        except (ChangedMeanwhile, TaskNotReady):
            conflicts += 1
            continue
        done += 1
        if markers:
            print(f"done {task.instance_id} {task.task_id}", flush=True)
        if tick_every and done % tick_every == 0:
            clock.set(BASE + timedelta(hours=3))
            fired += len(engine.tick().fired)
            ticks += 1
    print(json.dumps({"completed": done, "conflicts": conflicts, "ticks": ticks, "fired": fired}), flush=True)


if __name__ == "__main__":
    main()

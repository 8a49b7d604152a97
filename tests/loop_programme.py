"""The small send-back loop programme (tests/fixtures/loop) that engine-level tests run on."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from engine.api import Engine
from engine.clock import FakeClock
from engine.programme import Programme

FIXTURES = Path(__file__).parent / "fixtures" / "loop"


class Write(BaseModel):
    text: str


class Review(BaseModel):
    decision: Literal["approve", "revise"]


class Start(BaseModel):
    rounds: int = 0
    history: list[int] = []


def loop_engine(location) -> Engine:
    """An engine over a new store with the loop model: `writer` writes, `reviewer` reviews."""
    programme = Programme(name="loop", bpmn_dir=FIXTURES, forms={"write": Write, "review": Review},
                          start_forms={"loop": Start}, roster={"Writer": ["writer"], "Reviewer": ["reviewer"]})
    return Engine.open(location, programme, FakeClock(datetime(2023, 7, 3, 1, tzinfo=timezone.utc)))

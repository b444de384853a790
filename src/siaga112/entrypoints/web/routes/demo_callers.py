"""What a simulated caller says (demo mode only): the text a trainee at the call-taker
console reads instead of hearing a voice (siaga112/demo/callers.py)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from siaga112.demo.callers import running_simulator
from siaga112.domain.errors import NotFound
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, SiagaDep

router = APIRouter(prefix=f"{API}/demo", tags=["demo"], dependencies=[Authorized])


class CallerLine(BaseModel):
    text: str  # Indonesian, as the caller says it
    translation: str  # English


class CallerWordsPublic(BaseModel):
    said: list[CallerLine]  # so far, in order
    more: bool  # the caller has more to say
    next_in_seconds: float | None  # when to ask again
    hung_up: bool  # the call has ended


@router.get("/calls/{call_id}/caller")
def simulated_caller(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> CallerWordsPublic:
    """The caller's words so far; 404 unless the demo's simulated callers run and this is
    one of their calls."""
    simulator = running_simulator(siaga)
    if simulator is None:
        raise NotFound("no simulated callers: this is not the demo")
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
    words = simulator.words(call) if call is not None else None
    if words is None:
        raise NotFound(f"call {call_id} is not a simulated caller's")
    return CallerWordsPublic(
        said=[CallerLine(text=line.text, translation=line.translation) for line in words.said],
        more=words.more,
        next_in_seconds=None if words.next_in_seconds is None else round(
            max(0.0, words.next_in_seconds), 2),
        hung_up=words.hung_up)

"""API schemas of nuisance callers and queue priority (docs/nuisance-callers.md).

Numbers are always masked here: reviewing a block needs the calls, not the number (a
supervisor who must see it opens a call: GET /api/v1/calls/{id}, and that look is logged).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from siaga112.adapters.db.repositories_nuisance import NumberSummary, PastCall
from siaga112.domain.nuisance import BlockStatus, NuisanceBlock
from siaga112.domain.phone import mask_number


class BlockPublic(BaseModel):
    id: uuid.UUID
    caller_number: str  # masked
    status: BlockStatus
    created_at: datetime
    expires_at: datetime
    counted_calls: int
    window_days: int
    created_by: str
    lifted_at: datetime | None
    lifted_by: str | None
    lift_note: str | None
    refused_calls: int  # calls answered 603 under this block
    broke_through: int  # calls queued anyway (called again and again)

    @classmethod
    def of(cls, block: NuisanceBlock, *, now: datetime, outcomes: dict[str, int]) -> BlockPublic:
        return cls(id=block.id, caller_number=mask_number(block.caller_number),
                   status=block.status(now), created_at=block.created_at,
                   expires_at=block.expires_at, counted_calls=block.counted_calls,
                   window_days=block.window_days, created_by=block.created_by,
                   lifted_at=block.lifted_at, lifted_by=block.lifted_by,
                   lift_note=block.lift_note, refused_calls=outcomes.get("blocked", 0),
                   broke_through=outcomes.get("broke_through", 0))


class NuisanceCallPublic(BaseModel):
    id: uuid.UUID
    received_at: datetime
    state: str
    disposition: str | None
    call_taker: str | None
    incident_id: uuid.UUID | None

    @classmethod
    def of(cls, call: PastCall) -> NuisanceCallPublic:
        return cls(**call.__dict__)


class BlockDetail(BlockPublic):
    """A block for review: the number's nuisance calls in the window before it began."""

    calls: list[NuisanceCallPublic]


class NumberPublic(BaseModel):
    caller_number: str  # masked
    prank: int
    silent: int
    hang_up: int
    total: int
    counted: int  # of the dispositions the center counts
    first_at: datetime
    last_at: datetime
    last_call_id: uuid.UUID | None
    warned: bool  # past the warning threshold now
    active_block: uuid.UUID | None

    @classmethod
    def of(cls, s: NumberSummary, *, counted: set[str], warn_after: int,
           active_block: uuid.UUID | None) -> NumberPublic:
        n = sum(v for k, v in s.counts.items() if k in counted)
        return cls(caller_number=mask_number(s.caller_number), **s.counts,
                   total=sum(s.counts.values()), counted=n, first_at=s.first_at,
                   last_at=s.last_at, last_call_id=s.last_call_id,
                   warned=bool(warn_after) and n >= warn_after, active_block=active_block)


class CallScreeningPublic(BaseModel):
    """What screening decided for a call before the queue, and its number's standing now."""

    call_id: uuid.UUID
    withheld: bool
    screened: bool  # false: nothing was decided (queued at its arrival) or nothing screened
    outcome: str | None
    facts: list[str]
    level: int
    place_in_line: datetime | None
    announcement: str | None
    block_id: uuid.UUID | None
    counted_calls: int | None  # in the window, before this call (None: withheld)
    window_days: int
    warn_after: int
    block_after: int


class LiftBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=400)]

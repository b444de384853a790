"""Nuisance callers through the API (docs/nuisance-callers.md): the numbers with nuisance
calls, the temporary blocks (review, lift), a call's screening, and the education report
of a period. The supervisor's page is nuisance_page.py.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from siaga112.adapters.db.repositories_nuisance import SqlNuisanceRepository
from siaga112.domain.errors import NotFound
from siaga112.domain.nuisance import BlockStatus, screenable
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Person, Principal, SiagaDep
from siaga112.entrypoints.web.routes.reports import period_of
from siaga112.entrypoints.web.schemas_nuisance import (
    BlockDetail, BlockPublic, CallScreeningPublic, LiftBlock, NuisanceCallPublic, NumberPublic,
)
from siaga112.reports.nuisance import nuisance_report
from siaga112.services import commands as c

router = APIRouter(prefix=f"{API}/nuisance", tags=["nuisance callers"],
                   dependencies=[Authorized])
calls = APIRouter(prefix=f"{API}/calls", tags=["nuisance callers"], dependencies=[Authorized])
reports = APIRouter(prefix=f"{API}/reports", tags=["reports"], dependencies=[Authorized])

From = Annotated[date | None, Query(alias="from", description="first day (center's zone)")]
To = Annotated[date | None, Query(alias="to", description="last day, inclusive")]


@router.get("/numbers")
def nuisance_numbers(_: Person, siaga: SiagaDep,
                     days: Annotated[int | None, Query(ge=1, le=365)] = None,
                     min_calls: Annotated[int, Query(ge=1, le=100)] = 2,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[NumberPublic]:
    """Numbers with nuisance calls (prank, silent, hang-up) in the last days (the center's
    `history_days` by default), most first; masked."""
    cfg, now = siaga.center.nuisance, siaga.clock.now()
    with siaga.uow() as uow:
        repo = SqlNuisanceRepository(uow.session)
        found = repo.numbers(since=now - timedelta(days=days or cfg.history_days),
                             min_calls=min_calls, limit=limit)
        blocks = repo.active_blocks([s.caller_number for s in found], now=now)
    counted = set(cfg.count)
    return [NumberPublic.of(s, counted=counted, warn_after=cfg.warn_after,
                            active_block=blocks.get(s.caller_number)) for s in found]


@router.get("/blocks")
def list_blocks(_: Person, siaga: SiagaDep,
                status: Literal["active", "expired", "lifted", "all"] = "all",
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[BlockPublic]:
    """Blocks newest first (all, or those in one status now)."""
    now = siaga.clock.now()
    with siaga.uow() as uow:
        repo = SqlNuisanceRepository(uow.session)
        blocks = repo.blocks(status=None if status == "all" else BlockStatus(status), now=now,
                             limit=limit)
        return [BlockPublic.of(b, now=now, outcomes=repo.blocked_calls(b.id)) for b in blocks]


@router.get("/blocks/{block_id}")
def get_block(block_id: uuid.UUID, _: Person, siaga: SiagaDep) -> BlockDetail:
    """A block for review, with the number's nuisance calls in the window before it."""
    now = siaga.clock.now()
    with siaga.uow() as uow:
        repo = SqlNuisanceRepository(uow.session)
        block = repo.get_block(block_id)
        if block is None:
            raise NotFound(f"no block {block_id}")
        history = repo.history(block.caller_number,
                               since=block.created_at - timedelta(days=block.window_days),
                               until=block.created_at)
        outcomes = repo.blocked_calls(block.id)
    return BlockDetail(**BlockPublic.of(block, now=now, outcomes=outcomes).model_dump(),
                       calls=[NuisanceCallPublic.of(h) for h in history])


@router.post("/blocks/{block_id}/lift")
def lift_block(block_id: uuid.UUID, body: LiftBlock, user: Person,
               siaga: SiagaDep) -> BlockPublic:
    """End a block now; the note says why (it goes to the audit log with the name)."""
    siaga.bus.handle(c.LiftNuisanceBlock(block_id=block_id, by=user.username, note=body.note))
    with siaga.uow() as uow:
        repo = SqlNuisanceRepository(uow.session)
        block = repo.get_block(block_id)
        assert block is not None
        return BlockPublic.of(block, now=siaga.clock.now(), outcomes=repo.blocked_calls(block_id))


@calls.get("/{call_id}/screening")
def call_screening(call_id: uuid.UUID, _: Person, siaga: SiagaDep) -> CallScreeningPublic:
    """What screening decided for the call, and its number's counted calls before it."""
    cfg = siaga.center.nuisance
    policy = cfg.policy()
    with siaga.uow() as uow:
        call = uow.calls.get(call_id)
        if call is None:
            raise NotFound(f"no call {call_id}")
        repo = SqlNuisanceRepository(uow.session)
        row = repo.screening_of(call_id)
        counted = None
        if screenable(call.caller_number):
            assert call.caller_number is not None
            counted = repo.counted_calls(
                call.caller_number, since=policy.window_start(call.received_at),
                until=call.received_at - timedelta(microseconds=1), counted=policy.counted)
    row = row or {}
    return CallScreeningPublic(
        call_id=call_id, withheld=call.caller_number is None, screened=bool(row),
        outcome=row.get("outcome"), facts=[f for f in (row.get("facts") or "").split(",") if f],
        level=row.get("level") or 0, place_in_line=row.get("place_in_line"),
        announcement=row.get("announcement"), block_id=row.get("block_id"),
        counted_calls=counted, window_days=cfg.window_days, warn_after=cfg.warn_after,
        block_after=cfg.block_after)


@reports.get("/nuisance")
def nuisance_education(_: Principal, siaga: SiagaDep, first: From = None,
                       last: To = None) -> dict[str, Any]:
    """Pranks, silent calls and hang-ups of a period (the last 30 whole days by default) by
    hour of day, day of week and kelurahan (of the call's chosen location, else of its
    incident), and what screening decided; no numbers."""
    return nuisance_report(engine=siaga.engine, center=siaga.center,
                           period=period_of(siaga, first, last))

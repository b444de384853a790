"""Reads and writes of nuisance callers and queue priority (docs/nuisance-callers.md).

A number's history is read from `calls` over its indexes; the facts screening needs when a
call arrives come in one round trip whose cost does not
grow with the number's calls: the index (caller_number, disposition, received_at) finds its
counted and emergency calls directly, and the count stops at the warning threshold (a
number that called 3,000 times costs what one that called 3 times does). Blocks are plain
rows mapped by hand to domain.nuisance.NuisanceBlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_nuisance import call_screenings, nuisance_blocks
from siaga112.adapters.db.tables_telephony import callback_tasks
from siaga112.domain.calls import NUISANCE_DISPOSITIONS, Disposition
from siaga112.domain.errors import Conflict
from siaga112.domain.phone import mask_number
from siaga112.domain.nuisance import (
    BlockStatus, FactsAsked, NuisanceBlock, NuisancePolicy, NumberFacts, Screening,
    ScreeningOutcome,
)

_c, _i, _b, _s = tables.calls.c, tables.incidents.c, nuisance_blocks.c, call_screenings.c
_f = tables.location_fixes.c
BLOCK_COLUMNS = ("id", "caller_number", "created_at", "expires_at", "counted_calls",
                 "window_days", "created_by", "lifted_at", "lifted_by", "lift_note")


@dataclass(frozen=True, kw_only=True)
class PastCall:
    id: uuid.UUID
    received_at: datetime
    state: str
    disposition: str | None
    call_taker: str | None
    incident_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class NumberSummary:
    caller_number: str
    counts: dict[str, int]  # prank, silent, hang_up
    first_at: datetime
    last_at: datetime
    last_call_id: uuid.UUID | None = None


def _block(row: Any) -> NuisanceBlock:
    return NuisanceBlock(**{name: getattr(row, name) for name in BLOCK_COLUMNS})


def _count(condition: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


@lru_cache(maxsize=64)
def _facts_statement(counted: tuple[str, ...], callback: bool, verified: bool, fresh: bool,
                     blocks: bool) -> Any:
    """One SELECT of the facts a center's rules ask for (one round trip in the SIP writer's
    transaction), built once per set of rules: a new call costs a cached statement and its
    parameters, not a new query to compile."""
    number, at = sa.bindparam("b_number"), sa.bindparam("b_at")
    columns: dict[str, Any] = {"counted": sa.literal(0), "callback": sa.false(),
                               "verified": sa.false(), "fresh": sa.false(),
                               "block": sa.null(), "attempts": sa.literal(0)}
    if counted:  # only "enough to warn?" matters here: counted up to warn_after
        enough = (sa.select(sa.literal(1)).where(
            _c.caller_number == number, _c.disposition.in_(counted),
            _c.received_at >= sa.bindparam("b_window"), _c.received_at < at)
            .limit(sa.bindparam("b_limit", type_=sa.Integer)).subquery())
        columns["counted"] = sa.select(sa.func.count()).select_from(enough).scalar_subquery()
    if callback:
        columns["callback"] = sa.exists().where(callback_tasks.c.open_number == number)
    if verified:
        columns["verified"] = sa.exists().where(
            _c.caller_number == number, _c.disposition == Disposition.EMERGENCY.value,
            _c.received_at < at, _c.incident_id == _i.id, _i.verified_at.is_not(None),
            _i.verified_at >= sa.bindparam("b_verified_since"))
    if fresh:
        columns["fresh"] = sa.exists().where(
            _f.caller_number == number, _f.received_at >= sa.bindparam("b_fresh_since"),
            _f.received_at <= at)
    if blocks:  # the block in force, and the calls it refused lately (break-through)
        active = (sa.select(_b.id).where(_b.caller_number == number, _b.lifted_at.is_(None),
                                         _b.expires_at > at)
                  .order_by(_b.created_at.desc()).limit(1).scalar_subquery())
        columns["block"] = active
        columns["attempts"] = (sa.select(sa.func.count()).select_from(call_screenings).where(
            _s.block_id == active, _s.outcome == ScreeningOutcome.BLOCKED.value,
            _s.screened_at >= sa.bindparam("b_attempts_since")).scalar_subquery())
    return sa.select(*(value.label(name) for name, value in columns.items()))


class SqlNuisanceRepository:
    @classmethod
    def purge_numbers_in(cls, uow: Any, before: datetime | None) -> int:
        """For the retention purge (services/personal_data.purge), inside its unit of work."""
        return cls(uow.session).purge_numbers(before=before)

    def purge_numbers(self, *, before: datetime | None) -> int:
        """Mask the numbers of blocks that ended before the numbers' retention cutoff."""
        if before is None:
            return 0
        b = nuisance_blocks.c
        ended = sa.func.coalesce(b.lifted_at, b.expires_at)
        rows = self.session.execute(sa.select(b.id, b.caller_number).where(
            ended < before, b.created_at < before, ~b.caller_number.contains("*"))).all()
        if rows:  # ended long ago: no longer open either
            self.session.execute(
                sa.update(nuisance_blocks).where(b.id == sa.bindparam("row_id"))
                .values(caller_number=sa.bindparam("masked"), open_number=None),
                [{"row_id": r.id, "masked": mask_number(r.caller_number)} for r in rows])
        return len(rows)

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- screening an arriving call ------------------------------------------------------
    def arrival_facts(self, number: str, *, at: datetime, policy: NuisancePolicy,
                      asked: FactsAsked) -> NumberFacts:
        statement = _facts_statement(
            tuple(sorted(d.value for d in policy.counted)) if policy.warning_on else (),
            asked.callback, asked.verified_emergency_days is not None,
            asked.fresh_location_minutes is not None, policy.blocking_on)
        row = self.session.execute(statement, {
            "b_number": number, "b_at": at, "b_window": policy.window_start(at),
            "b_limit": policy.warn_after,
            "b_verified_since": at - timedelta(days=asked.verified_emergency_days or 0),
            "b_fresh_since": at - timedelta(minutes=asked.fresh_location_minutes or 0),
            "b_attempts_since": at - timedelta(minutes=policy.break_through_minutes)}).one()
        block = row.block
        return NumberFacts(counted_calls=int(row.counted or 0), open_callback=bool(row.callback),
                           verified_emergency=bool(row.verified), fresh_location=bool(row.fresh),
                           active_block=uuid.UUID(str(block)) if block is not None else None,
                           blocked_attempts=int(row.attempts or 0))

    def add_screening(self, call_id: uuid.UUID, screening: Screening, *,
                      at: datetime) -> None:
        self.session.execute(sa.insert(call_screenings).values(
            call_id=call_id, screened_at=at, outcome=screening.outcome.value,
            facts=",".join(sorted(f.value for f in screening.facts)), level=screening.level,
            place_in_line=screening.place_in_line,
            announcement=screening.announcement.value if screening.announcement else None,
            block_id=screening.block_id))

    def screening_of(self, call_id: uuid.UUID) -> dict[str, Any] | None:
        row = self.session.execute(sa.select(call_screenings).where(
            _s.call_id == call_id)).mappings().first()
        return dict(row) if row else None

    # -- a number's history ----------------------------------------------------------------
    def counted_calls(self, number: str, *, since: datetime, until: datetime,
                      counted: Collection[Disposition]) -> int:
        return int(self.session.scalar(sa.select(sa.func.count()).select_from(tables.calls)
                                        .where(_c.caller_number == number,
                                               _c.received_at >= since, _c.received_at <= until,
                                               _c.disposition.in_([d.value for d in counted])))
                   or 0)

    def verified_emergency(self, number: str, *, since: datetime) -> bool:
        return bool(self.session.scalar(sa.select(sa.exists().where(
            _c.caller_number == number, _c.disposition == Disposition.EMERGENCY.value,
            _c.incident_id == _i.id,
            _i.verified_at.is_not(None), _i.verified_at >= since))))

    def history(self, number: str, *, since: datetime, until: datetime | None = None,
                limit: int = 50) -> list[PastCall]:
        """The number's nuisance calls (prank, silent, hang-up) in the time, newest first."""
        query = (sa.select(_c.id, _c.received_at, _c.state, _c.disposition, _c.call_taker,
                           _c.incident_id)
                 .where(_c.caller_number == number, _c.received_at >= since,
                        _c.disposition.in_([d.value for d in NUISANCE_DISPOSITIONS]))
                 .order_by(_c.received_at.desc()).limit(limit))
        if until is not None:
            query = query.where(_c.received_at <= until)
        rows = self.session.execute(query)
        return [PastCall(id=r.id, received_at=r.received_at, state=str(r.state),
                         disposition=str(r.disposition) if r.disposition else None,
                         call_taker=r.call_taker, incident_id=r.incident_id) for r in rows]

    def numbers(self, *, since: datetime, min_calls: int = 2,
                limit: int = 50) -> list[NumberSummary]:
        """Numbers with at least `min_calls` nuisance calls since then, most first."""
        total = sa.func.count()
        rows = self.session.execute(
            sa.select(_c.caller_number,
                      _count(_c.disposition == Disposition.PRANK.value).label("prank"),
                      _count(_c.disposition == Disposition.SILENT.value).label("silent"),
                      _count(_c.disposition == Disposition.HANG_UP.value).label("hang_up"),
                      sa.func.min(_c.received_at).label("first_at"),
                      sa.func.max(_c.received_at).label("last_at"))
            .where(_c.received_at >= since, _c.caller_number.is_not(None),
                   ~_c.caller_number.contains("*"),  # masked by retention: not a number now
                   sa.func.length(_c.caller_number) >= 8,
                   _c.disposition.in_([d.value for d in NUISANCE_DISPOSITIONS]))
            .group_by(_c.caller_number).having(total >= min_calls)
            .order_by(total.desc(), sa.func.max(_c.received_at).desc()).limit(limit)).all()
        summaries = {r.caller_number: NumberSummary(
            caller_number=r.caller_number, counts={"prank": int(r.prank), "silent": int(r.silent),
                                                   "hang_up": int(r.hang_up)},
            first_at=r.first_at, last_at=r.last_at) for r in rows}
        if summaries:
            latest = self.session.execute(
                sa.select(_c.caller_number, _c.id).where(
                    _c.caller_number.in_(list(summaries)), _c.received_at >= since,
                    _c.disposition.in_([d.value for d in NUISANCE_DISPOSITIONS]))
                .order_by(_c.received_at.desc()))
            seen: dict[str, uuid.UUID] = {}
            for number, call_id in latest:
                seen.setdefault(number, call_id)
            summaries = {n: NumberSummary(**{**s.__dict__, "last_call_id": seen.get(n)})
                         for n, s in summaries.items()}
        return [summaries[r.caller_number] for r in rows]

    # -- blocks ----------------------------------------------------------------------------
    def latest_block(self, number: str) -> NuisanceBlock | None:
        row = self.session.execute(sa.select(nuisance_blocks).where(
            _b.caller_number == number).order_by(_b.created_at.desc()).limit(1)).first()
        return _block(row) if row else None

    def get_block(self, block_id: uuid.UUID, *, for_update: bool = False) -> NuisanceBlock | None:
        query = sa.select(nuisance_blocks).where(_b.id == block_id)
        row = self.session.execute(query.with_for_update() if for_update else query).first()
        return _block(row) if row else None

    def active_blocks(self, numbers: Collection[str], *, now: datetime) -> dict[str, uuid.UUID]:
        if not numbers:
            return {}
        rows = self.session.execute(sa.select(_b.caller_number, _b.id).where(
            _b.caller_number.in_(list(numbers)), _b.lifted_at.is_(None), _b.expires_at > now))
        return {number: block_id for number, block_id in rows}

    def add_block(self, block: NuisanceBlock, *, now: datetime) -> None:
        """A new block; Conflict if the number already has one that is not over."""
        self.session.execute(sa.update(nuisance_blocks).where(
            _b.open_number == block.caller_number,
            sa.or_(_b.lifted_at.is_not(None), _b.expires_at <= now)).values(open_number=None))
        try:  # the transaction is lost with it: the unit of work rolls back
            self.session.execute(sa.insert(nuisance_blocks).values(
                open_number=block.caller_number,
                **{name: getattr(block, name) for name in BLOCK_COLUMNS}))
        except sa.exc.IntegrityError:
            raise Conflict("the number is already blocked") from None

    def save_lift(self, block: NuisanceBlock) -> None:
        self.session.execute(sa.update(nuisance_blocks).where(_b.id == block.id).values(
            lifted_at=block.lifted_at, lifted_by=block.lifted_by, lift_note=block.lift_note,
            open_number=None))

    def blocks(self, *, status: BlockStatus | None, now: datetime,
               limit: int = 200) -> Sequence[NuisanceBlock]:
        """Blocks newest first; with a status, only those in it now."""
        query = sa.select(nuisance_blocks).order_by(_b.created_at.desc()).limit(limit)
        if status is BlockStatus.ACTIVE:
            query = query.where(_b.lifted_at.is_(None), _b.expires_at > now)
        elif status is BlockStatus.EXPIRED:
            query = query.where(_b.lifted_at.is_(None), _b.expires_at <= now)
        elif status is BlockStatus.LIFTED:
            query = query.where(_b.lifted_at.is_not(None))
        return [_block(row) for row in self.session.execute(query)]

    def blocked_calls(self, block_id: uuid.UUID) -> dict[str, int]:
        """How many calls were refused under the block, and how many broke through."""
        rows = self.session.execute(sa.select(_s.outcome, sa.func.count()).where(
            _s.block_id == block_id).group_by(_s.outcome))
        return {outcome: int(n) for outcome, n in rows}

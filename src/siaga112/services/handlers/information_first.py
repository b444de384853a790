"""Does a new call hear the information message first? (docs/quick-answers.md)

Asked by the switchboard right after a SIP call is stored, through the SIP writer: the
number's calls in the lookback are read (a few columns, not whole calls) and the domain's
rule (`domain/information.on_arrival`) decides. The call is already in line at its arrival
place; the answer only says whether the message plays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.config import CenterConfig
from siaga112.domain.calls import CallState, Disposition
from siaga112.domain.information import Announcement, on_arrival
from siaga112.services import commands as c
from siaga112.services.ports import UnitOfWork

MOST_CALLS_READ = 200  # a number with more calls than this in the lookback is no question-only caller


@dataclass(frozen=True)
class _Earlier:
    """What the rule reads of an earlier call."""

    received_at: datetime
    answered: bool
    disposition: Disposition | None
    incident_id: object
    state: CallState


def information_first(cmd: c.CheckInformationFirst, uow: UnitOfWork, *,
                      center: CenterConfig) -> bool:
    policy = center.information.policy()
    if not policy.question_callers_first:
        return False
    _c = tables.calls.c
    with uow:
        call = uow.calls.get(cmd.call_id)
        if call is None or call.caller_number is None:
            return False
        since = call.received_at - timedelta(days=policy.lookback_days)
        rows = uow.session.execute(
            sa.select(_c.received_at, _c.connected_at, _c.disposition, _c.incident_id, _c.state)
            .where(_c.caller_number == call.caller_number, _c.received_at >= since,
                   _c.received_at < call.received_at, _c.id != call.id)
            .limit(MOST_CALLS_READ)).all()
    earlier = [_Earlier(received_at=r.received_at, answered=r.connected_at is not None,
                        disposition=Disposition(r.disposition) if r.disposition else None,
                        incident_id=r.incident_id, state=CallState(r.state)) for r in rows]
    decision = on_arrival(received_at=call.received_at, caller_number=call.caller_number,
                          earlier=earlier, policy=policy)  # type: ignore[arg-type]
    return decision.announcement is Announcement.INFORMATION_FIRST

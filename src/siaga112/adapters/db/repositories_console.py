"""Reads of the call-taker console: the calls waiting for a person, the calls at a desk, a
number's earlier calls, and the open incidents near a point (for the duplicate warning).

Plain queries on the tables of the calls and incidents (no table of its own); the rules
that decide what they mean are in the domain (duplicates.py, caller_history.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_telephony import sip_calls
from siaga112.adapters.db.tables_nuisance import call_screenings  # place in line
from siaga112.domain.calls import Call, CallState
from siaga112.domain.duplicates import SearchBox
from siaga112.domain.incidents import ACTIVE_STATUSES, Incident

_c, _i = tables.calls.c, tables.incidents.c
AT_DESK = (CallState.OFFERED, CallState.CONNECTED)


class SqlConsoleQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def waiting_calls(self, *, limit: int = 50) -> Sequence[Call]:
        """Queued calls that no desk phone rings (they came by API, not SIP), in the order
        the ACD would offer them: by place in line (domain/queue_priority.py; the arrival
        when unscreened), then arrival."""
        place = call_screenings.c.place_in_line
        query = (sa.select(Call).outerjoin(call_screenings, call_screenings.c.call_id == _c.id)
                 .where(_c.state == CallState.QUEUED.value)
                 .where(~sa.exists().where(sip_calls.c.call_id == _c.id))
                 .order_by(sa.func.coalesce(place, _c.queued_at), _c.queued_at, _c.received_at)
                 .limit(limit))
        return list(self.session.scalars(query))

    def desk_calls(self, position_code: str, *, undisposed_since: datetime,
                   ended_since: datetime) -> Sequence[Call]:
        """The calls ringing or connected at a desk; those that ended there since
        `undisposed_since` without a disposition yet (the call-taker still has to record it);
        and any that ended there since `ended_since` (the console follows its call's end)."""
        ended_here = sa.or_(
            sa.and_(_c.disposition.is_(None), _c.released_at >= undisposed_since),
            _c.released_at >= ended_since, _c.interrupted_at >= ended_since)
        query = (sa.select(Call).where(_c.position_code == position_code)
                 .where(sa.or_(_c.state.in_([s.value for s in AT_DESK]), ended_here))
                 .order_by(_c.offered_at.desc()).limit(20))
        return list(self.session.scalars(query))

    def phone_calls(self, call_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these calls came over SIP (a desk phone carries their voice)."""
        if not call_ids:
            return set()
        rows = self.session.execute(sa.select(sip_calls.c.call_id)
                                    .where(sip_calls.c.call_id.in_(list(call_ids))))
        return {row[0] for row in rows}

    def earlier_calls(self, number: str, *, before: datetime, exclude: uuid.UUID,
                      limit: int = 20) -> Sequence[Call]:
        """The number's calls received before `before`, newest first."""
        query = (sa.select(Call).where(_c.caller_number == number, _c.received_at <= before,
                                       _c.id != exclude)
                 .order_by(_c.received_at.desc()).limit(limit))
        return list(self.session.scalars(query))

    def incidents(self, incident_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Incident]:
        if not incident_ids:
            return {}
        query = sa.select(Incident).where(_i.id.in_(list(incident_ids)))
        return {incident.id: incident for incident in self.session.scalars(query)}

    def open_incidents_near(self, type_code: str, box: SearchBox, *,
                            opened_since: datetime) -> Sequence[Incident]:
        """Open incidents of the type opened since then inside the box (the exact distance
        is the domain's to measure)."""
        query = (sa.select(Incident)
                 .where(_i.type_code == type_code,
                        _i.status.in_([s.value for s in ACTIVE_STATUSES]),
                        _i.created_at >= opened_since,
                        _i.location_lat.between(box.min_lat, box.max_lat),
                        _i.location_lon.between(box.min_lon, box.max_lon))
                 .order_by(_i.created_at.desc()).limit(200))
        return list(self.session.scalars(query))

    def unfinished_calls(self, external_prefix: str) -> Sequence[Call]:
        """Calls whose external id starts so and that have not ended (the demo's callers)."""
        ended = [CallState.RELEASED.value, CallState.ABANDONED.value,
                 CallState.INTERRUPTED.value]
        query = (sa.select(Call).where(_c.external_id.startswith(external_prefix, autoescape=True))
                 .where(_c.state.not_in(ended)).order_by(_c.received_at))
        return list(self.session.scalars(query))

"""SQLAlchemy repositories: load and add aggregates; never commit (the unit of work does)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from siaga112.adapters.db import audit, tables
from siaga112.domain.accounts import ServiceAccount, User
from siaga112.domain.calls import Call
from siaga112.domain.errors import Conflict
from siaga112.domain.events import DomainEvent
from siaga112.domain.incidents import ACTIVE_STATUSES, Incident
from siaga112.domain.organization import Agency, Station
from siaga112.domain.locations import CallSpan, LocationFix
from siaga112.domain.phone import mask_number
from siaga112.domain.positions import Position
from siaga112.domain.units import Unit

T = TypeVar("T")
PURGED = "[purged]"
MATCHING_LOCK = 112_005  # pg advisory lock: matching fixes to calls (docs/location.md)


class _Tracking:
    """Remembers every aggregate it hands out, so the unit of work can collect their events."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[Any] = set()

    def _track(self, item: T | None) -> T | None:
        if item is not None:
            self.seen.add(item)
        return item

    def _get(self, cls: type[T], key: Any, for_update: bool) -> T | None:
        return self._track(self.session.get(cls, key, with_for_update=for_update or None))

    def add(self, item: Any) -> None:
        # Flushed at once: rows that refer to it (a call linked to a new incident) can follow.
        self.session.add(item)
        self.session.flush()
        self.seen.add(item)


def _coarse(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class SqlCallRepository(_Tracking):
    def add(self, item: Any) -> None:
        try:
            super().add(item)
        except sa.exc.IntegrityError:  # the same delivery, racing itself
            raise Conflict(f"a call with external id '{item.external_id}' is being stored") from None

    def get(self, call_id: uuid.UUID, *, for_update: bool = False) -> Call | None:
        return self._get(Call, call_id, for_update)

    def by_external_id(self, external_id: str) -> Call | None:
        return self._track(self.session.scalars(
            sa.select(Call).where(tables.calls.c.external_id == external_id)).first())

    def list(self, *, limit: int = 100, caller_number: str | None = None,
             incident_id: uuid.UUID | None = None) -> Sequence[Call]:
        query = sa.select(Call).order_by(tables.calls.c.received_at.desc()).limit(limit)
        if caller_number is not None:
            query = query.where(tables.calls.c.caller_number == caller_number)
        if incident_id is not None:
            query = query.where(tables.calls.c.incident_id == incident_id)
        return list(self.session.scalars(query))


    def purge_numbers(self, *, before: datetime | None) -> int:
        """Mask the numbers of calls received before the cutoff (kept only as masked)."""
        if before is None:
            return 0
        c = tables.calls.c
        rows = self.session.execute(sa.select(c.id, c.caller_number).where(
            c.received_at < before, c.caller_raw.is_not(None))).all()
        if rows:
            self.session.execute(
                sa.update(tables.calls).where(c.id == sa.bindparam("row_id"))
                .values(caller_raw=None, caller_number=sa.bindparam("masked")),
                [{"row_id": r.id, "masked": mask_number(r.caller_number) if r.caller_number
                  else None} for r in rows])
        return len(rows)


class SqlIncidentRepository(_Tracking):
    def get(self, incident_id: uuid.UUID, *, for_update: bool = False) -> Incident | None:
        return self._get(Incident, incident_id, for_update)

    def by_number(self, number: str) -> Incident | None:
        return self._track(self.session.scalars(
            sa.select(Incident).where(tables.incidents.c.number == number)).first())

    def list(self, *, limit: int = 100, active_only: bool = False) -> Sequence[Incident]:
        query = sa.select(Incident).order_by(tables.incidents.c.created_at.desc()).limit(limit)
        if active_only:
            query = query.where(tables.incidents.c.status.in_([s.value for s in ACTIVE_STATUSES]))
        return list(self.session.scalars(query))

    def next_number(self, prefix: str, year: int) -> int:
        """Gapless per (prefix, year): the counter row is locked until the transaction ends."""
        c = tables.incident_counters.c
        bump = (sa.update(tables.incident_counters)
                .where(c.prefix == prefix, c.year == year)
                .values(last_value=c.last_value + 1).returning(c.last_value))
        value = self.session.execute(bump).scalar()
        if value is not None:
            return int(value)
        try:
            with self.session.begin_nested():
                self.session.execute(sa.insert(tables.incident_counters).values(
                    prefix=prefix, year=year, last_value=1))
            return 1
        except sa.exc.IntegrityError:  # another transaction created the row first
            return int(self.session.execute(bump).scalar_one())


    def purge_locations(self, *, before: datetime | None) -> int:
        """Drop addresses and coarsen points to ~1 km; kelurahan and kecamatan stay."""
        if before is None:
            return 0
        i = tables.incidents.c
        rows = self.session.execute(sa.select(i.id, i.location_lat, i.location_lon, i.address)
                                    .where(i.created_at < before)).all()
        changes = [{"row_id": r.id, "lat": _coarse(r.location_lat), "lon": _coarse(r.location_lon)}
                   for r in rows if r.address is not None
                   or (r.location_lat is not None and _coarse(r.location_lat) != r.location_lat)
                   or (r.location_lon is not None and _coarse(r.location_lon) != r.location_lon)]
        if changes:
            self.session.execute(
                sa.update(tables.incidents).where(i.id == sa.bindparam("row_id"))
                .values(address=None, location_lat=sa.bindparam("lat"),
                        location_lon=sa.bindparam("lon")), changes)
        return len(changes)

    def purge_notes(self, *, before: datetime | None) -> int:
        if before is None:
            return 0
        n = tables.incident_notes.c
        return int(self.session.execute(
            sa.update(tables.incident_notes).where(n.at < before, n.text != PURGED)
            .values(text=PURGED), execution_options={"synchronize_session": False}).rowcount)


class SqlUnitRepository(_Tracking):
    def get(self, code: str, *, for_update: bool = False) -> Unit | None:
        return self._get(Unit, code, for_update)

    def list(self, *, agency_code: str | None = None) -> Sequence[Unit]:
        query = sa.select(Unit).order_by(tables.units.c.agency_code, tables.units.c.code)
        if agency_code is not None:
            query = query.where(tables.units.c.agency_code == agency_code)
        return [u for u in self.session.scalars(query) if self._track(u)]


class SqlPositionRepository(_Tracking):
    def get(self, code: str, *, for_update: bool = False) -> Position | None:
        return self._get(Position, code, for_update)

    def list(self) -> Sequence[Position]:
        return [p for p in self.session.scalars(sa.select(Position).order_by(tables.positions.c.code))
                if self._track(p)]


class SqlOrganizationRepository(_Tracking):
    def agencies(self) -> Sequence[Agency]:
        return list(self.session.scalars(sa.select(Agency).order_by(tables.agencies.c.code)))

    def agency(self, code: str) -> Agency | None:
        return self.session.get(Agency, code)

    def stations(self, *, agency_code: str | None = None) -> Sequence[Station]:
        query = sa.select(Station).order_by(tables.stations.c.agency_code, tables.stations.c.code)
        if agency_code is not None:
            query = query.where(tables.stations.c.agency_code == agency_code)
        return list(self.session.scalars(query))

    def station(self, code: str) -> Station | None:
        return self.session.get(Station, code)


class SqlUserRepository(_Tracking):
    def get(self, username: str) -> User | None:
        return self.session.get(User, username)

    def list(self) -> Sequence[User]:
        return list(self.session.scalars(sa.select(User).order_by(tables.users.c.username)))

    def add_session(self, *, token_hash: str, username: str, created_at: datetime,
                    expires_at: datetime) -> None:
        self.session.execute(sa.insert(tables.sessions).values(
            token_hash=token_hash, username=username, created_at=created_at, expires_at=expires_at))

    def session_user(self, token_hash: str, *, now: datetime) -> User | None:
        s = tables.sessions.c
        username = self.session.execute(
            sa.select(s.username).where(s.token_hash == token_hash, s.expires_at > now)).scalar()
        user = self.get(username) if username else None
        return user if user is not None and user.active else None

    def service_account(self, name: str) -> ServiceAccount | None:
        return self.session.get(ServiceAccount, name)

    def service_account_by_token(self, token_hash: str) -> ServiceAccount | None:
        account = self.session.scalars(sa.select(ServiceAccount).where(
            tables.service_accounts.c.token_hash == token_hash)).first()
        return account if account is not None and account.active else None

    def service_accounts(self) -> Sequence[ServiceAccount]:
        return list(self.session.scalars(
            sa.select(ServiceAccount).order_by(tables.service_accounts.c.name)))

    def delete_session(self, token_hash: str) -> None:
        self.session.execute(sa.delete(tables.sessions).where(
            tables.sessions.c.token_hash == token_hash))


class SqlLocationRepository(_Tracking):
    def add(self, item: Any) -> None:
        self.session.add(item)

    def for_call(self, call_id: uuid.UUID) -> Sequence[LocationFix]:
        return list(self.session.scalars(
            sa.select(LocationFix).where(tables.location_fixes.c.call_id == call_id)
            .order_by(tables.location_fixes.c.fixed_at)))

    def get(self, fix_id: uuid.UUID) -> LocationFix | None:
        return self.session.get(LocationFix, fix_id)

    def unmatched(self, *, limit: int = 100) -> Sequence[LocationFix]:
        f = tables.location_fixes.c
        return list(self.session.scalars(sa.select(LocationFix).where(f.call_id.is_(None))
                                         .order_by(f.received_at.desc()).limit(limit)))

    def purge(self, *, before: datetime | None) -> int:
        """Fixes are precise personal data: past retention they are deleted, not kept."""
        if before is None:
            return 0
        f = tables.location_fixes.c
        old = sa.select(f.id).where(f.received_at < before)
        # A call's chosen location may point at one: forget the choice first.
        self.session.execute(sa.update(tables.calls).where(
            tables.calls.c.chosen_location_id.in_(old)).values(chosen_location_id=None),
            execution_options={"synchronize_session": False})
        return int(self.session.execute(
            sa.delete(tables.location_fixes).where(f.received_at < before),
            execution_options={"synchronize_session": False}).rowcount)

    def add_all(self, fixes: Sequence[LocationFix]) -> None:
        """Many new fixes in one INSERT (the AML group commit): no unit-of-work bookkeeping;
        the objects stay detached, so change them through `get` if ever needed."""
        if fixes:
            names = [col.name for col in tables.location_fixes.columns]
            self.session.execute(sa.insert(tables.location_fixes),
                                 [{n: getattr(fix, n) for n in names} for fix in fixes])

    def lock_matching(self) -> None:
        """Order fix matching against calls adopting waiting fixes (docs/location.md).

        SQLite writers are serialized already (BEGIN IMMEDIATE); PostgreSQL takes a
        transaction-scoped advisory lock."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(sa.select(sa.func.pg_advisory_xact_lock(MATCHING_LOCK)))

    def calls_near(self, numbers: Collection[str], *,
                   since: datetime) -> Mapping[str, Sequence[CallSpan]]:
        """Calls from these numbers that are live or ended at `since` or later."""
        if not numbers:
            return {}
        return self._spans(_CALLS_NEAR, {"numbers": sorted(numbers), "since": since})

    def spans_of(self, call_ids: Collection[uuid.UUID]) -> Mapping[str, Sequence[CallSpan]]:
        """These calls, by number (calls without a number are left out)."""
        if not call_ids:
            return {}
        return self._spans(_CALLS_BY_ID, {"ids": sorted(call_ids)})

    def _spans(self, query: Any, params: dict[str, Any]) -> dict[str, list[CallSpan]]:
        rows = self.session.execute(query, params)
        found: dict[str, list[CallSpan]] = {}
        for r in rows:
            found.setdefault(r.caller_number, []).append(CallSpan(
                call_id=r.id, received_at=r.received_at,
                ended_at=r.released_at or r.abandoned_at or r.interrupted_at))
        return found

    def waiting_from(self, numbers: Collection[str], *,
                     since: datetime) -> Sequence[LocationFix]:
        """Fixes from these numbers that matched no call and arrived at `since` or later."""
        if not numbers:
            return []
        f = tables.location_fixes.c
        return list(self.session.scalars(
            sa.select(LocationFix).where(f.call_id.is_(None), f.caller_number.in_(sorted(numbers)),
                                         f.received_at >= since).order_by(f.received_at)))


# Built once: matching runs these for every batch of fixes (bench/aml.py).
_c = tables.calls.c
_SPAN = sa.select(_c.id, _c.caller_number, _c.received_at, _c.released_at, _c.abandoned_at,
                  _c.interrupted_at)
_CALLS_NEAR = _SPAN.where(
    _c.caller_number.in_(sa.bindparam("numbers", expanding=True)),
    sa.or_(sa.and_(_c.released_at.is_(None), _c.abandoned_at.is_(None),
                   _c.interrupted_at.is_(None)),
           _c.released_at >= sa.bindparam("since"), _c.abandoned_at >= sa.bindparam("since"),
           _c.interrupted_at >= sa.bindparam("since")))
_CALLS_BY_ID = _SPAN.where(_c.id.in_(sa.bindparam("ids", expanding=True)),
                           _c.caller_number.is_not(None))


class SqlEventLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append_all(self, events: Sequence[DomainEvent], *, recorded_at: datetime) -> None:
        audit.append_events(self.session, events, recorded_at=recorded_at)

    def for_aggregate(self, aggregate: str, aggregate_id: str) -> Sequence[dict[str, Any]]:
        e = tables.event_log.c
        rows = self.session.execute(
            sa.select(tables.event_log).where(e.aggregate == aggregate, e.aggregate_id == aggregate_id)
            .order_by(e.id))
        return [dict(r._mapping) for r in rows]

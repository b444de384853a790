"""Repositories of the dispatch issue: assignments and webhook deliveries (never commit)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from siaga112.adapters.db import tables
from siaga112.adapters.db.tables_dispatch import (
    unit_assignments, webhook_attempts, webhook_deliveries,
)
from siaga112.domain.dispatch import Assignment
from siaga112.domain.errors import Conflict
from siaga112.domain.incidents import ACTIVE_STATUSES, Incident
from siaga112.domain.notifications import Delivery, DeliveryAttempt, DeliveryStatus

A = unit_assignments.c
D = webhook_deliveries.c


class SqlAssignmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, assignment: Assignment) -> None:
        self.session.add(assignment)
        try:
            self.session.flush()
        except sa.exc.IntegrityError:  # the database's own guard: one active assignment a unit
            raise Conflict(f"unit {assignment.unit_code} is already assigned to an active "
                           f"incident") from None

    def get(self, assignment_id: uuid.UUID) -> Assignment | None:
        return self.session.get(Assignment, assignment_id)

    def active_for_unit(self, unit_code: str) -> Assignment | None:
        return self.session.scalars(sa.select(Assignment).where(
            A.unit_code == unit_code, A.ended_at.is_(None))).first()

    def active_incident_of(self, unit_code: str) -> uuid.UUID | None:
        """Read without loading anything: which incident the unit serves now."""
        return self.session.execute(sa.select(A.incident_id).where(
            A.unit_code == unit_code, A.ended_at.is_(None))).scalar()

    def latest_for_unit(self, unit_code: str) -> Assignment | None:
        return self.session.scalars(sa.select(Assignment).where(A.unit_code == unit_code)
                                    .order_by(A.dispatched_at.desc(), A.id).limit(1)).first()

    def for_incident(self, incident_id: uuid.UUID) -> Sequence[Assignment]:
        return list(self.session.scalars(sa.select(Assignment).where(
            A.incident_id == incident_id).order_by(A.dispatched_at, A.unit_code)))

    def agencies_served(self, incident_id: uuid.UUID) -> set[str]:
        """The agencies a unit of which was ever dispatched to the incident."""
        return set(self.session.scalars(sa.select(A.agency_code).where(
            A.incident_id == incident_id).distinct()))

    def agency_served(self, incident_id: uuid.UUID, agency_code: str) -> bool:
        """Was a unit of this agency ever dispatched to the incident?"""
        return self.session.execute(sa.select(A.id).where(
            A.incident_id == incident_id, A.agency_code == agency_code).limit(1)).first() \
            is not None

    def agency_incidents(self, agency_code: str, *, limit: int = 100,
                         active_only: bool = False) -> Sequence[Incident]:
        """The incidents a unit of this agency was dispatched to, newest first."""
        i = tables.incidents.c
        served = sa.select(A.incident_id).where(A.agency_code == agency_code)
        query = (sa.select(Incident).where(i.id.in_(served))
                 .order_by(i.created_at.desc()).limit(limit))
        if active_only:
            query = query.where(i.status.in_([s.value for s in ACTIVE_STATUSES]))
        return list(self.session.scalars(query))


class SqlDeliveryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, delivery: Delivery) -> bool:
        """False when this dispatch's delivery to that agency exists already."""
        if self.session.execute(sa.select(D.id).where(
                D.dispatch_id == delivery.dispatch_id,
                D.agency_code == delivery.agency_code)).first() is not None:
            return False
        try:
            with self.session.begin_nested():  # a racing twin: the constraint decides
                self.session.add(delivery)
            return True
        except sa.exc.IntegrityError:
            return False

    def get(self, delivery_id: uuid.UUID, *, for_update: bool = False) -> Delivery | None:
        return self.session.get(Delivery, delivery_id, with_for_update=for_update or None)

    def list(self, *, incident_id: uuid.UUID | None = None,
             status: DeliveryStatus | None = None, agency_code: str | None = None,
             limit: int = 100) -> Sequence[Delivery]:
        query = sa.select(Delivery).order_by(D.created_at.desc(), D.agency_code).limit(limit)
        if incident_id is not None:
            query = query.where(D.incident_id == incident_id)
        if status is not None:
            query = query.where(D.status == status.value)
        if agency_code is not None:
            query = query.where(D.agency_code == agency_code)
        return list(self.session.scalars(query))

    def pending_ids(self) -> Sequence[uuid.UUID]:
        return list(self.session.scalars(sa.select(D.id).where(
            D.status == DeliveryStatus.PENDING.value).order_by(D.created_at)))

    def add_attempt(self, attempt: DeliveryAttempt) -> None:
        self.session.execute(sa.insert(webhook_attempts).values(
            delivery_id=attempt.delivery_id, attempt=attempt.attempt, at=attempt.at,
            status_code=attempt.status_code, error=attempt.error,
            duration_ms=attempt.duration_ms))

    def attempts(self, delivery_id: uuid.UUID) -> Sequence[dict[str, Any]]:
        w = webhook_attempts.c
        rows = self.session.execute(sa.select(w.attempt, w.at, w.status_code, w.error,
                                              w.duration_ms)
                                    .where(w.delivery_id == delivery_id).order_by(w.attempt))
        return [dict(r._mapping) for r in rows]

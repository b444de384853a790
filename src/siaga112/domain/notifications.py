"""Agencies told of their dispatches: one webhook delivery per agency and dispatch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not yet accepted; more attempts will come
    DELIVERED = "delivered"  # the agency's endpoint answered 2xx
    FAILED = "failed"  # every attempt failed: the dispatcher must tell the agency another way


@dataclass(eq=False, kw_only=True)
class Delivery:
    id: uuid.UUID
    dispatch_id: uuid.UUID
    incident_id: uuid.UUID
    agency_code: str
    url: str | None
    status: DeliveryStatus
    created_at: datetime
    attempts: int = 0
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryAttempt:
    delivery_id: uuid.UUID
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float

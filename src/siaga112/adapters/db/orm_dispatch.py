"""Maps the dispatch issue's classes (assignments, webhook deliveries) onto their tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from siaga112.adapters.db.tables_dispatch import unit_assignments, webhook_deliveries
from siaga112.domain.dispatch import Assignment
from siaga112.domain.notifications import Delivery


def map_dispatch(m: Callable[..., Any]) -> None:
    m(Assignment, unit_assignments, properties={"_active_unit": unit_assignments.c.active_unit})
    m(Delivery, webhook_deliveries)
    event.listen(Assignment, "before_insert", _hold_unit)
    event.listen(Assignment, "before_update", _hold_unit)


def _hold_unit(_mapper: Any, _conn: Any, target: Assignment) -> None:
    # The unique `active_unit` holds the unit while the assignment is active.
    target._active_unit = target.unit_code if target.ended_at is None else None  # type: ignore[attr-defined]

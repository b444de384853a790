"""Guarded transitions shared by every lifecycle (call, incident, unit, position)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import TypeVar

from siaga112.domain.errors import IllegalTransition, InvalidValue, TimeWentBackwards

S = TypeVar("S", bound=Enum)


def check_transition(kind: str, table: Mapping[S, frozenset[S]], current: S, target: S) -> None:
    """Raise IllegalTransition (naming both states) unless `current -> target` is allowed."""
    if target not in table.get(current, frozenset()):
        raise IllegalTransition(kind, current, target)


def check_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValue("timestamps must be timezone-aware")


def check_not_before(kind: str, at: datetime, latest: datetime | None) -> None:
    """A lifecycle's clock never runs backwards: each step is at or after the last one."""
    check_aware(at)
    if latest is not None and at < latest:
        raise TimeWentBackwards(
            f"{kind}: step at {at.isoformat()} is before the previous step at {latest.isoformat()}"
        )

"""Response plans: which unit types of which agencies an incident type and priority needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from siaga112.domain.incidents import Priority


@dataclass(frozen=True)
class UnitRequirement:
    agency_code: str
    unit_type: str
    count: int = 1


@dataclass(frozen=True)
class ResponsePlan:
    incident_type: str
    priority: Priority | None  # None: for every priority without a plan of its own
    requirements: tuple[UnitRequirement, ...]
    subtype: str | None = None


class ResponsePlanBook:
    """Finds the most specific plan: type+subtype+priority, then type+subtype,
    then type+priority, then type."""

    def __init__(self, plans: Iterable[ResponsePlan]) -> None:
        self._plans = {(p.incident_type, p.subtype, p.priority): p for p in plans}

    def plan_for(self, incident_type: str, subtype: str | None,
                 priority: Priority) -> ResponsePlan | None:
        for key in ((incident_type, subtype, priority), (incident_type, subtype, None),
                    (incident_type, None, priority), (incident_type, None, None)):
            if key in self._plans:
                return self._plans[key]
        return None

"""What an agency sees: only the incidents a unit of its agency was dispatched to.

An agency user (role `agency`) and an agency's system (scope `agency_system`) are both bound
to one agency. Every incident route asks `agency_of` and, for them, `ensure_served`:
an incident they were not sent to answers 404, as if it did not exist.
"""

from __future__ import annotations

import uuid

from siaga112.domain.accounts import Role, Scope, ServiceAccount, User
from siaga112.domain.errors import NotFound
from siaga112.services.ports import UnitOfWork


def agency_of(principal: User | ServiceAccount) -> str | None:
    """The agency a principal is confined to, or None for the center's own staff."""
    if isinstance(principal, User):
        return principal.agency_code or "" if principal.role is Role.AGENCY else None
    if Scope.AGENCY_SYSTEM in principal.scopes:
        return principal.agency_code or ""
    return None


def ensure_served(uow: UnitOfWork, incident_id: uuid.UUID,
                  principal: User | ServiceAccount) -> None:
    """Inside an open unit of work: refuse (404) an incident this agency was not sent to."""
    agency = agency_of(principal)
    if agency is not None and not uow.assignments.agency_served(incident_id, agency):
        raise NotFound(f"no incident {incident_id}")

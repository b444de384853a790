"""Who may use which route: declared here, in one place, for every route.

A route without a line here is refused to everyone (and a test fails), so a new
endpoint cannot be born open by accident.
"""

from __future__ import annotations

from collections.abc import Set

from siaga112.domain.accounts import Role, Scope

API = "/api/v1"
PUBLIC = frozenset({"public"})
ANY_USER = frozenset(Role)
CT, DS, SV, AG, AD = Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR, Role.AGENCY, Role.ADMIN
CALL_READERS = frozenset({CT, DS, SV, AD})
CALL_HANDLERS = frozenset({CT, SV})
INCIDENT_WRITERS = frozenset({CT, DS, SV})
# Agencies (users and their systems) read only the incidents a unit of theirs was dispatched
# to: the routes filter with entrypoints/web/visibility.py.
INCIDENT_READERS = frozenset({CT, DS, SV, AD, AG, Scope.AGENCY_SYSTEM})
DISPATCHERS = frozenset({DS, SV})
UNIT_REPORTERS = frozenset({DS, SV, AG, Scope.AGENCY_SYSTEM})  # agencies: own units only

ROUTE_POLICY: dict[tuple[str, str], frozenset] = {
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): ANY_USER,
    ("GET", "/api/v1/auth/me"): ANY_USER,
    ("GET", "/api/v1/center"): ANY_USER,
    ("POST", "/api/v1/auth/password"): ANY_USER,
    ("POST", "/api/v1/calls"): frozenset({CT, SV, AD, Scope.SIP_NODE, Scope.SMS_GATEWAY}),
    ("GET", "/api/v1/calls"): CALL_READERS,
    ("GET", "/api/v1/calls/{call_id}"): CALL_READERS,
    ("POST", "/api/v1/calls/{call_id}/answer"): CALL_HANDLERS,
    ("POST", "/api/v1/calls/{call_id}/release"): CALL_HANDLERS,
    ("POST", "/api/v1/calls/{call_id}/abandon"): frozenset({CT, SV, AD, Scope.SIP_NODE}),
    ("POST", "/api/v1/calls/{call_id}/disposition"): CALL_HANDLERS,
    ("GET", "/api/v1/calls/{call_id}/events"): frozenset({SV, AD}),
    ("POST", "/api/v1/incidents"): INCIDENT_WRITERS,
    ("GET", "/api/v1/incidents"): INCIDENT_READERS,
    ("GET", "/api/v1/incidents/{incident_id}"): INCIDENT_READERS,
    ("POST", "/api/v1/incidents/{incident_id}/verify"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/notes"): INCIDENT_WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/calls"): INCIDENT_WRITERS,
    ("GET", "/api/v1/incidents/{incident_id}/eido"): INCIDENT_READERS,
    ("GET", "/api/v1/dispatch/incidents/{incident_id}/recommendation"): DISPATCHERS,
    ("POST", "/api/v1/dispatch/incidents/{incident_id}/units"): DISPATCHERS,
    ("GET", "/api/v1/dispatch/incidents/{incident_id}"): INCIDENT_READERS,
    ("POST", "/api/v1/dispatch/units/{unit_code}/status"): UNIT_REPORTERS,
    ("POST", "/api/v1/dispatch/units/{unit_code}/acknowledge"): UNIT_REPORTERS,
    ("GET", "/api/v1/dispatch/deliveries"): frozenset({DS, SV, AD}),
    ("GET", "/api/v1/agencies"): ANY_USER,
    ("GET", "/api/v1/stations"): ANY_USER,
    ("GET", "/api/v1/units"): ANY_USER,
    ("GET", "/api/v1/staffing"): frozenset({SV, AD}),
    ("GET", "/api/v1/positions"): frozenset({CT, DS, SV, AD}),
    ("POST", "/api/v1/positions/{code}/login"): CALL_HANDLERS,
    ("POST", "/api/v1/positions/{code}/ready"): CALL_HANDLERS,
    ("POST", "/api/v1/positions/{code}/not-ready"): CALL_HANDLERS,
    ("POST", "/api/v1/positions/{code}/logout"): CALL_HANDLERS,
    ("GET", "/api/v1/callbacks"): CALL_HANDLERS,
    ("GET", "/api/v1/callbacks/{task_id}"): CALL_HANDLERS,
    ("POST", "/api/v1/callbacks/{task_id}/close"): CALL_HANDLERS,
    # Pages (pages.py): no session is a redirect to /login, a refused role a 403 page.
    ("GET", "/"): ANY_USER,
    ("GET", "/login"): PUBLIC,
    ("GET", "/lang/{lang}"): PUBLIC,
    ("GET", "/center"): ANY_USER,
    ("GET", "/account/password"): ANY_USER,
    ("GET", "/supervisor/staffing"): frozenset({SV, AD}),
    # Reports (routes/reports.py, report_pages.py): the evaluation for those who run the
    # center; the public summary for everyone, without personal data.
    ("GET", "/api/v1/reports/evaluation"): frozenset({SV, AD}),
    ("GET", "/api/v1/reports/monthly"): frozenset({SV, AD}),
    ("GET", "/api/v1/reports/incidents"): frozenset({SV, AD}),
    ("GET", "/api/v1/reports/map"): frozenset({SV, AD}),
    ("GET", "/api/v1/public/summary"): PUBLIC,
    ("GET", "/api/v1/public/summary.json"): PUBLIC,
    ("GET", "/api/v1/public/summary.csv"): PUBLIC,
    ("GET", "/supervisor/reports"): frozenset({SV, AD}),
    ("GET", "/public"): PUBLIC,
    # Caller location (routes/aml.py, locations.py, gazetteer.py; docs/location.md).
    ("POST", "/api/v1/aml/https"): frozenset({Scope.AML_GATEWAY}),
    ("POST", "/api/v1/aml/sms"): frozenset({Scope.SMS_GATEWAY, Scope.AML_GATEWAY}),
    ("GET", "/api/v1/calls/{call_id}/locations"): CALL_READERS,
    ("POST", "/api/v1/calls/{call_id}/locations"): CALL_HANDLERS,
    ("POST", "/api/v1/calls/{call_id}/location"): CALL_HANDLERS,
    ("GET", "/api/v1/locations/unmatched"): frozenset({SV, AD}),
    ("GET", "/api/v1/gazetteer/search"): ANY_USER,
    ("GET", "/api/v1/gazetteer/reverse"): ANY_USER,
}


# What a person whose password must be changed may still do.
PASSWORD_CHANGE_ROUTES = frozenset({
    ("POST", "/api/v1/auth/password"), ("GET", "/api/v1/auth/me"), ("POST", "/api/v1/auth/logout"),
})


def allowed(method: str, path: str, who: Role | Set[Scope] | None) -> bool:
    """May this role (a person) or these scopes (a machine) use the route?"""
    policy = ROUTE_POLICY.get((method, path))
    if policy is None:
        return False
    if policy is PUBLIC:
        return True
    if isinstance(who, Role):
        return who in policy
    return bool(who) and not policy.isdisjoint(who)  # type: ignore[arg-type]

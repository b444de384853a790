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
    # Operations (routes/operations.py, docs/operations.md): probes send no credentials and
    # /readyz names only failed checks. /metrics needs a token of scope `metrics` (or an
    # admin), not "public on loopback": behind a reverse proxy or in compose every scrape
    # comes from a local address, and the figures (queue, traffic) are the center's own.
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): frozenset({Scope.METRICS, AD}),
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
    # Location link (routes/location_links.py, location_link_page.py; docs/location-link.md):
    # the call-taker sends it; the caller's page and its POSTs are public but need the
    # link's token (which alone decides the call), our own origin and JSON.
    ("POST", "/api/v1/calls/{call_id}/location-link"): CALL_HANDLERS,
    ("GET", "/api/v1/calls/{call_id}/location-link"): CALL_READERS,
    ("GET", "/api/v1/calls/{call_id}/photos"): CALL_READERS,
    ("GET", "/api/v1/incidents/{incident_id}/photos"): CALL_READERS,
    ("GET", "/api/v1/photos/{photo_id}"): CALL_READERS,
    ("GET", "/api/v1/location-links/sms"): frozenset({SV, AD}),
    ("GET", "/l/{token}"): PUBLIC,
    ("POST", "/l/{token}/status"): PUBLIC,
    ("POST", "/l/{token}/position"): PUBLIC,
    ("POST", "/l/{token}/photo"): PUBLIC,
    # The consoles' live channel (routes/live.py): every signed-in person; agency users hear
    # only their own agency's units and incidents (entrypoints/web/live.py).
    ("WS", "/ws/live"): ANY_USER,
    # Consoles of the dispatcher, the agencies and the supervisor (routes/consoles.py,
    # console_*.py; docs/consoles.md). An agency reports positions of its own units only.
    ("GET", "/console/dispatch"): DISPATCHERS,
    ("GET", "/console/agency"): frozenset({AG}),
    ("GET", "/supervisor/wallboard"): frozenset({SV, AD}),
    ("GET", "/api/v1/dispatch/board"): frozenset({DS, SV, AD}),
    ("POST", "/api/v1/dispatch/units/{unit_code}/position"): UNIT_REPORTERS,
    ("GET", "/api/v1/wallboard"): frozenset({SV, AD}),
    # The call-taker console (console_call_taker.py, routes/call_taking.py, demo_callers.py;
    # docs/consoles.md): a call-taker acts only at the position they are logged in at.
    ("GET", "/console/call-taker"): CALL_HANDLERS,
    ("GET", "/api/v1/calls/waiting"): CALL_READERS,
    ("GET", "/api/v1/positions/{code}/calls"): CALL_HANDLERS,
    ("POST", "/api/v1/positions/{code}/take"): CALL_HANDLERS,
    ("POST", "/api/v1/positions/{code}/end-call"): CALL_HANDLERS,
    ("GET", "/api/v1/calls/{call_id}/history"): CALL_READERS,
    ("GET", "/api/v1/incidents/duplicates"): INCIDENT_WRITERS,
    ("GET", "/api/v1/demo/calls/{call_id}/caller"): CALL_READERS,
    # Quick answers (routes/knowledge.py, quick_answers_page.py; docs/quick-answers.md):
    # call-takers read and use them, supervisors write them; no caller number anywhere.
    ("GET", "/api/v1/knowledge/search"): CALL_READERS,
    ("GET", "/api/v1/knowledge/entries"): CALL_READERS,
    ("GET", "/api/v1/knowledge/entries/{code}"): CALL_READERS,
    ("POST", "/api/v1/knowledge/entries"): frozenset({SV}),
    ("PUT", "/api/v1/knowledge/entries/{code}"): frozenset({SV}),
    ("GET", "/api/v1/knowledge/entries/{code}/versions"): frozenset({SV, AD}),
    ("GET", "/api/v1/knowledge/topics/weekly"): frozenset({SV, AD}),
    ("GET", "/api/v1/calls/{call_id}/topic"): CALL_READERS,
    ("POST", "/api/v1/calls/{call_id}/topic"): CALL_HANDLERS,
    ("POST", "/api/v1/calls/{call_id}/quick-answer-sms"): CALL_HANDLERS,
    ("GET", "/supervisor/quick-answers"): frozenset({SV, AD}),
    # Nuisance callers and queue priority (routes/nuisance.py, nuisance_page.py;
    # docs/nuisance-callers.md): supervisors review and lift blocks; numbers always masked.
    ("GET", "/api/v1/nuisance/numbers"): frozenset({SV, AD}),
    ("GET", "/api/v1/nuisance/blocks"): frozenset({SV, AD}),
    ("GET", "/api/v1/nuisance/blocks/{block_id}"): frozenset({SV, AD}),
    ("POST", "/api/v1/nuisance/blocks/{block_id}/lift"): frozenset({SV}),
    ("GET", "/api/v1/calls/{call_id}/screening"): CALL_READERS,
    ("GET", "/api/v1/reports/nuisance"): frozenset({SV, AD}),
    ("GET", "/supervisor/nuisance"): frozenset({SV, AD}),
    # Call recordings (routes/recordings.py, recordings_page.py; docs/recordings.md):
    # supervisors and admins; every playback is logged (PersonalDataViewed).
    ("GET", "/api/v1/recordings"): frozenset({SV, AD}),
    ("GET", "/api/v1/calls/{call_id}/recording"): frozenset({SV, AD}),
    ("GET", "/supervisor/recordings"): frozenset({SV, AD}),
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

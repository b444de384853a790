"""The agency console (`/console/agency`): an agency officer's phone-sized view of the
incidents their agency was sent to, with acknowledge and unit status buttons, and their
unit's position from the phone's geolocation when the officer allows it.

The page carries nothing of an incident: its script reads through the API, which shows an
agency only the incidents its units were dispatched to (entrypoints/web/visibility.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.entrypoints.web.console_context import BASE_SCRIPTS, console_page
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, render

PATH = "/console/agency"
# A position fix at most this often while the unit does not move far (meters): enough for
# the dispatcher's map and the travel times, and the audit trail is not flooded.
POSITION_EVERY_SECONDS, POSITION_MOVED_M = 20, 50

router = APIRouter(include_in_schema=False)


@router.get(PATH)
def agency_console(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # page_user refused everyone else
    agency = next((a for a in siaga.center.agencies if a.code == user.agency_code), None)
    page = console_page(request, siaga, agency=user.agency_code,
                        positionEverySeconds=POSITION_EVERY_SECONDS,
                        positionMovedMeters=POSITION_MOVED_M)
    return render(request, "console_agency.html", user=user, page=page,
                  agency_name=agency.name if agency else user.agency_code,
                  scripts=(*BASE_SCRIPTS, "console_agency.js"))

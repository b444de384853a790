"""The dispatcher board (`/console/dispatch`): incidents by priority and age with their
answer-to-dispatch timers, the recommended units and why the others are left out, sending
and releasing units, every agency's units, a live map, and the webhooks that failed.

The page is a shell; its script reads everything from the API (`/api/v1/dispatch/board`,
`/units`, the recommendation) and re-reads on each live message (docs/consoles.md).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.entrypoints.web.console_context import BASE_SCRIPTS, console_page
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, render

PATH = "/console/dispatch"
router = APIRouter(include_in_schema=False)


@router.get(PATH)
def dispatch_console(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # page_user refused everyone else
    page = console_page(request, siaga)
    return render(request, "console_dispatch.html", user=user, page=page,
                  scripts=(*BASE_SCRIPTS, "console_dispatch.js"))

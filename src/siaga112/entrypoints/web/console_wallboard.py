"""The supervisor's wallboard (`/supervisor/wallboard`): the queue, the positions and today's
service level in large type for a wall screen; its script reads `GET /api/v1/wallboard` and
re-reads it on every live message about calls, positions and incidents."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.entrypoints.web.console_context import BASE_SCRIPTS, console_page
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, render

PATH = "/supervisor/wallboard"
router = APIRouter(include_in_schema=False)


@router.get(PATH)
def wallboard_page(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # page_user refused everyone else
    thresholds = siaga.center.thresholds
    page = console_page(request, siaga, serviceLevelSeconds=thresholds.service_level_seconds,
                        serviceLevelTargets=thresholds.service_level_targets)
    return render(request, "console_wallboard.html", user=user, page=page,
                  scripts=(*BASE_SCRIPTS, "console_wallboard.js"))

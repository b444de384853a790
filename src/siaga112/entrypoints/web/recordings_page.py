"""The supervisor's recordings page: the newest recorded calls, each with a player. Data
from routes/recordings.py; every playback is logged there. docs/recordings.md."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, page_basics, render

PATH = "/supervisor/recordings"
SCRIPTS = ("common.js", "live.js", "recordings.js")

router = APIRouter(include_in_schema=False)


@router.get(PATH)
def recordings_page(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # supervisors and admins: page_user refused everyone else
    page = {
        **page_basics(request),
        "relay": siaga.center.media.enabled,
        "retentionDays": siaga.center.retention.recordings_days,
    }
    return render(request, "recordings.html", user=user, page=page, scripts=SCRIPTS)

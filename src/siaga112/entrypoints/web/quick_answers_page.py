"""The supervisor's quick answers page: edit the knowledge base (every save a new version),
read each topic's history, see the top topics per week, and try the search as call-takers
see it (the same partial the call-taker console includes)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.entrypoints.web.access import allowed
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, page_basics, render

PATH = "/supervisor/quick-answers"
SCRIPTS = ("common.js", "quick_answers.js", "quick_answers_editor.js")

router = APIRouter(include_in_schema=False)


@router.get(PATH)
def quick_answers_page(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # supervisors and admins: page_user refused everyone else
    now = siaga.clock.now()
    page = {
        **page_basics(request),
        "today": now.astimezone(siaga.center.zone).date().isoformat(),
        "canEdit": allowed("PUT", "/api/v1/knowledge/entries/{code}", user.role),
    }
    return render(request, "quick_answers.html", user=user, page=page, scripts=SCRIPTS)

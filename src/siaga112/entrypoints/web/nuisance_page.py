"""The supervisor's nuisance page: the center's rules, the blocks (review, lift), the numbers
with nuisance calls, and when and where pranks and silent calls come from (for the schools'
and kelurahan's education work). Data from routes/nuisance.py; docs/nuisance-callers.md."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.entrypoints.web.access import allowed
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, page_basics, render

PATH = "/supervisor/nuisance"
SCRIPTS = ("common.js", "live.js", "nuisance.js")
DEFAULT_DAYS = 30

router = APIRouter(include_in_schema=False)


@router.get(PATH)
def nuisance_page(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # supervisors and admins: page_user refused everyone else
    now = siaga.clock.now()
    cfg = siaga.center.nuisance
    today = now.astimezone(siaga.center.zone).date()
    rules = cfg.rules()
    page = {
        **page_basics(request),
        "from": (today - timedelta(days=DEFAULT_DAYS)).isoformat(),
        "to": (today - timedelta(days=1)).isoformat(),
        "historyDays": cfg.history_days,
        "canLift": allowed("POST", "/api/v1/nuisance/blocks/{block_id}/lift", user.role),
    }
    return render(request, "nuisance.html", user=user, page=page, scripts=SCRIPTS, cfg=cfg,
                  bound=int(rules.starvation_bound_seconds))

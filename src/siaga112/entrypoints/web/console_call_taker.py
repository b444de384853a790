"""The call-taker console (`/console/call-taker`): the position's state, the call ringing or
connected there (or the waiting web calls to take), the caller's number, history and
location, the disposition by one key, and the incident with its triage, duplicates, place,
notes, verification and hand-over to dispatch (docs/consoles.md).

The page is a shell with the center's words for its script; everything else is read from
the API and re-read on every live message (static/live.js), or polled while it is down.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.bootstrap import Siaga
from siaga112.demo.callers import running_simulator
from siaga112.domain.calls import Disposition
from siaga112.domain.incidents import VerificationMethod
from siaga112.entrypoints.web import i18n
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, render

PATH = "/console/call-taker"
# The panels included by the template bring their own scripts (quick answers, location link).
SCRIPTS = ("common.js", "live.js", "quick_answers.js", "location_link.js", "console_call_taker.js")
router = APIRouter(include_in_schema=False)


def _triage(siaga: Siaga, locale: str) -> dict[str, Any]:
    """Each incident type's questions in the user's language, with the priority each answer
    calls for (the server computes the same from the answers when the incident opens)."""
    return {
        t.incident_type: {
            "defaultPriority": t.default_priority.value,
            "questions": [{"code": q.code, "text": q.text.get(locale),
                           "answers": [{"code": a.code, "label": a.label.get(locale),
                                        "priority": a.priority.value if a.priority else None}
                                       for a in q.answers]}
                          for q in t.questions],
        }
        for t in siaga.center.triage
    }


def page_data(request: Request, siaga: Siaga, username: str) -> dict[str, Any]:
    center, cfg = siaga.center.center, siaga.center
    locale = i18n.choose_locale(request.cookies.get(i18n.LANG_COOKIE), center.languages)
    now = siaga.clock.now()
    return {
        "locale": locale, "zone": center.timezone,
        "zoneAbbreviation": i18n.zone_abbreviation(now.astimezone(cfg.zone)),
        "serverNow": int(now.timestamp() * 1000),
        "mapCenter": list(center.map_center), "mapZoom": center.map_zoom,
        "tileUrl": center.tile_url, "username": username,
        "incidentTypes": [{"code": t.code, "name": t.name.get(locale),
                           "subtypes": [{"code": s.code, "name": s.name.get(locale)}
                                        for s in t.subtypes]}
                          for t in cfg.incident_types],
        "triage": _triage(siaga, locale),
        "dispositions": [d.value for d in Disposition],
        "verificationMethods": [m.value for m in VerificationMethod],
        "wrapUpSeconds": cfg.telephony.wrap_up_seconds,
        "duplicateDistanceM": cfg.thresholds.duplicate_distance_m,
        "duplicateMinutes": cfg.thresholds.duplicate_minutes,
        "demo": running_simulator(siaga) is not None,
    }


@router.get(PATH)
def call_taker_console(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    assert user is not None  # page_user has refused everyone else
    return render(request, "console_call_taker.html", user=user,
                  page=page_data(request, siaga, user.username), scripts=SCRIPTS)

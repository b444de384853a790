"""What every console page of the dispatcher, the agencies and the supervisor hands its
script: the language, the center's zone and clock, the map, the center's incident types
and the units' status table (so a button is offered only for a legal move)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from siaga112.bootstrap import Siaga
from siaga112.domain.units import UNIT_TRANSITIONS
from siaga112.entrypoints.web import i18n

# The scripts every such console loads first: the shared helpers, the live channel, the kit.
BASE_SCRIPTS = ("common.js", "live.js", "consoles_kit.js")


def locale_of(request: Request, siaga: Siaga) -> str:
    return i18n.choose_locale(request.cookies.get(i18n.LANG_COOKIE),
                              siaga.center.center.languages)


def console_page(request: Request, siaga: Siaga, **extra: Any) -> dict[str, Any]:
    center = siaga.center.center
    locale, now = locale_of(request, siaga), siaga.clock.now()
    return {
        "locale": locale, "zone": center.timezone,
        "zoneAbbreviation": i18n.zone_abbreviation(now.astimezone(siaga.center.zone)),
        "serverNow": int(now.timestamp() * 1000),
        "mapCenter": list(center.map_center), "mapZoom": center.map_zoom,
        "tileUrl": center.tile_url,
        "incidentTypes": {t.code: t.name.get(locale) for t in siaga.center.incident_types},
        "incidentSubtypes": {f"{t.code}/{s.code}": s.name.get(locale)
                             for t in siaga.center.incident_types for s in t.subtypes},
        "unitTransitions": {s.value: sorted(t.value for t in targets)
                            for s, targets in UNIT_TRANSITIONS.items()},
        **extra,
    }

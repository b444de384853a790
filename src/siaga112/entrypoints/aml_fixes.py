"""From a parsed AML message to the fix the services store (web routes, CLI, benchmark)."""

from __future__ import annotations

import json

from siaga112.adapters.aml import AmlMessage
from siaga112.domain.locations import LocationMethod, LocationSource
from siaga112.services.commands import IncomingFix

# Kept with the fix for the call-taker: how it came, its warnings, height, floor, speed,
# the handset's languages and network. Not kept (data minimisation, UU 27/2022): IMSI,
# IMEI and ICCID, which identify the handset but do not locate the caller.
KEPT = ("format", "version", "altitude", "vertical_accuracy", "floor", "bearing", "speed",
        "call_started_at", "emergency_number", "source", "network", "extra", "warnings")
KEPT_DEVICE = ("model", "languages")


def fix_detail(message: AmlMessage) -> str:
    data = message.as_dict()
    detail = {k: data[k] for k in KEPT if k in data}
    device = {k: v for k, v in message.device.items() if k in KEPT_DEVICE}
    if device:
        detail["device"] = device
    return json.dumps(detail, ensure_ascii=True, separators=(",", ":"))


def incoming_fix(message: AmlMessage, *, caller: str | None) -> IncomingFix:
    return IncomingFix(
        caller=caller, source=LocationSource.AML, lat=message.latitude, lon=message.longitude,
        radius_m=message.radius, confidence=message.confidence,
        method=LocationMethod(message.method), fixed_at=message.time,
        detail=fix_detail(message))

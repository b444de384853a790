"""What an AML message says, however it came (SMS v1, SMS v2, HTTPS), and the value checks
the parsers share.

A message is either an `AmlMessage` or an `AmlError` whose text names the field and the
problem. Fields that locate the caller (position, radius, confidence, time) must be right
or the message is refused; the others (handset, network, language) are informative: a bad
one is dropped with a warning and the position is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAX_SHOWN = 40  # characters of a bad value quoted back in an error


class AmlError(ValueError):
    """A message that cannot be used; the text says which field and why."""


class AmlSignatureError(AmlError):
    """The HTTPS body's HMAC is missing or does not match the sender's key."""


# How the handset found its position, as the API and the database name it.
METHOD_LETTERS = {"G": "gnss", "W": "wifi", "C": "cell", "U": "unknown", "F": "fused"}


@dataclass(frozen=True, kw_only=True)
class AmlMessage:
    format: str  # "sms-v1", "sms-v2" or "https"
    version: str
    latitude: float  # WGS84 degrees
    longitude: float
    radius: float | None  # metres (horizontal accuracy)
    time: datetime | None  # when the position was taken, UTC
    confidence: float | None  # percent
    method: str  # gnss, wifi, cell, fused, unknown
    altitude: float | None = None  # metres
    vertical_accuracy: float | None = None  # metres
    floor: str | None = None
    bearing: float | None = None  # degrees
    speed: float | None = None  # metres per second
    call_started_at: datetime | None = None  # v2 `et`, HTTPS `time`
    emergency_number: str | None = None  # the number dialled (112)
    device_number: str | None = None  # the caller's own number (HTTPS only)
    source: str | None = None  # HTTPS: the handset sent it for a `call` or an `sms`
    device: dict[str, str] = field(default_factory=dict)  # imsi, imei, iccid, model, languages
    network: dict[str, str] = field(default_factory=dict)  # mcc, mnc, home_mcc, home_mnc
    extra: dict[str, str] = field(default_factory=dict)  # fields this parser does not know
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the fields present, times in ISO 8601 UTC."""
        out: dict[str, Any] = {}
        for name in ("format", "version", "latitude", "longitude", "radius", "time",
                     "confidence", "method", "altitude", "vertical_accuracy", "floor",
                     "bearing", "speed", "call_started_at", "emergency_number",
                     "device_number", "source", "device", "network", "extra"):
            value = getattr(self, name)
            if value is None or value == {}:
                continue
            out[name] = iso(value) if isinstance(value, datetime) else value
        out["warnings"] = list(self.warnings)
        return out


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def shown(text: str) -> str:
    """A bad value, quoted back safely: bounded, control characters escaped."""
    cut = text[:MAX_SHOWN]
    safe = cut.encode("unicode_escape").decode("ascii")
    return safe + ("..." if len(text) > MAX_SHOWN else "")


_NUMBER = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d{1,15}", re.ASCII)
PRINTABLE = re.compile(r"[\x20-\x7e]{1,64}", re.ASCII)

# Seconds since 1970 of 2000-01-01 and 2100-01-01: an AML time outside is a broken clock.
EPOCH_MIN, EPOCH_MAX = 946_684_800, 4_102_444_800


def number(name: str, text: str, *, low: float | None = None, high: float | None = None) -> float:
    """A plain decimal (no exponent, NaN, infinity or underscores), within its range."""
    if not _NUMBER.fullmatch(text):
        raise AmlError(f"{name}: '{shown(text)}' is not a decimal number")
    value = float(text)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low:g}..{high:g}" if low is not None and high is not None else (
            f">= {low:g}" if low is not None else f"<= {high:g}")
        raise AmlError(f"{name}: {value:g} is outside {bounds}")
    return value


def integer(name: str, text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise AmlError(f"{name}: '{shown(text)}' is not a whole number")
    return int(text)


def epoch(name: str, seconds: float) -> datetime:
    if not EPOCH_MIN <= seconds <= EPOCH_MAX:
        raise AmlError(f"{name}: {seconds:g} s since 1970 is not between 2000 and 2100")
    return datetime.fromtimestamp(seconds, UTC)


def latitude(name: str, text: str) -> float:
    return number(name, text, low=-90, high=90)


def longitude(name: str, text: str) -> float:
    return number(name, text, low=-180, high=180)


def radius(name: str, text: str) -> float:
    return number(name, text, low=0, high=1_000_000)


def confidence(name: str, text: str) -> float:
    return number(name, text, low=0, high=100)


_COMPILED: dict[str, re.Pattern[str]] = {}


class Informative:
    """Collects the fields that do not locate the caller: bad ones become warnings."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def check(self, name: str, text: str, pattern: str) -> str | None:
        compiled = _COMPILED.get(pattern)
        if compiled is None:
            compiled = _COMPILED.setdefault(pattern, re.compile(pattern, re.ASCII))
        if compiled.fullmatch(text):
            return text
        self.warnings.append(f"{name}: '{shown(text)}' is not valid; ignored")
        return None

    def number(self, name: str, text: str, *, low: float, high: float) -> float | None:
        try:
            return number(name, text, low=low, high=high)
        except AmlError as exc:
            self.warnings.append(f"{exc}; ignored")
            return None

    def extra(self, name: str, text: str, extra: dict[str, str]) -> None:
        if len(extra) >= 20:
            self.warnings.append(f"{name}: too many unknown fields; ignored")
        elif PRINTABLE.fullmatch(text) or text == "":
            extra[name] = text
            self.warnings.append(f"{name}: unknown field kept as it came")
        else:
            self.warnings.append(f"{name}: unknown field with unprintable value; ignored")


FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}", re.ASCII)
_LANGUAGE = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}"
LANGUAGES = rf"{_LANGUAGE}(?:,{_LANGUAGE}){{0,9}}"  # BCP 47 tags, comma-separated
DIAL_NUMBER = r"\+?[0-9]{1,15}"

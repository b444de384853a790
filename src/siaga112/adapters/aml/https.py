"""AML by HTTPS: a form-encoded POST body, signed with HMAC-SHA1.

The signature is the hex HMAC-SHA1, with the sender's key, of the raw (still URL-encoded)
body that precedes `&hmac=`; `hmac` is therefore the last field.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_lib
import re
from urllib.parse import parse_qsl

from siaga112.adapters.aml.model import (
    DIAL_NUMBER, LANGUAGES, AmlError, AmlMessage, AmlSignatureError, Informative, confidence,
    epoch, iso, latitude, longitude, number, radius, shown,
)

MAX_BODY_BYTES = 16 * 1024  # a real AML body is well under 2 KiB
MAX_FIELDS = 64
HMAC_MARK = b"&hmac="
SOURCES = {"gps": "gnss", "gnss": "gnss", "wifi": "wifi", "cell": "cell", "fused": "fused",
           "hybrid": "fused", "unknown": "unknown"}
KNOWN = frozenset({
    "v", "emergency_number", "source", "time", "location_latitude", "location_longitude",
    "location_time", "location_altitude", "location_floor", "location_source",
    "location_accuracy", "location_vertical_accuracy", "location_confidence",
    "location_certainty", "location_bearing", "location_speed", "device_number",
    "device_model", "device_imsi", "device_imei", "device_iccid", "cell_home_mcc",
    "cell_home_mnc", "cell_network_mcc", "cell_network_mnc", "device_languages",
    "adr_carcrash_time", "hmac",
})


def _body_bytes(body: bytes | str) -> bytes:
    if isinstance(body, str):
        try:
            return body.encode("ascii")
        except UnicodeEncodeError:
            raise AmlError("the body is not URL-encoded: it has non-ASCII characters") from None
    if not isinstance(body, bytes):
        raise AmlError(f"expected the request body, got {type(body).__name__}")
    return body


def _form(raw: bytes) -> dict[str, str]:
    if len(raw) > MAX_BODY_BYTES:
        raise AmlError(f"body of {len(raw)} bytes; an AML body has at most {MAX_BODY_BYTES}")
    try:
        text = raw.decode("ascii").strip()
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True,
                          encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise AmlError("the body is not URL-encoded form data (application/"
                       "x-www-form-urlencoded): it has non-ASCII bytes or bad %-escapes") from None
    except ValueError as exc:
        raise AmlError(f"the body is not URL-encoded form data: {shown(str(exc))}") from None
    if not pairs:
        raise AmlError("empty body: expected the AML fields, form-encoded")
    form: dict[str, str] = {}
    for key, value in pairs:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key, flags=re.ASCII):
            raise AmlError(f"'{shown(key)}' is not a field name")
        if key in form:
            raise AmlError(f"field '{key}' appears twice")
        form[key] = value.strip()
    return form


def _time(name: str, text: str) -> float:
    """Milliseconds since 1970, as the handset sends them; seconds are recognised too."""
    value = number(name, text, low=0)
    seconds = value / 1000 if value >= 1e11 else value
    epoch(name, seconds)  # the range check
    return seconds


def parse_https(body: bytes | str) -> AmlMessage:
    """Parse the form body; raise AmlError with the reason otherwise. Checks no HMAC."""
    form = _form(_body_bytes(body))
    if not form.get("location_latitude") or not form.get("location_longitude"):
        raise AmlError("no position: location_latitude and location_longitude are needed")
    info = Informative()
    lat = latitude("location_latitude", form["location_latitude"])
    lon = longitude("location_longitude", form["location_longitude"])

    def present(name: str) -> str | None:
        return form.get(name) or None

    accuracy = present("location_accuracy")
    certainty = present("location_confidence") or present("location_certainty")
    if present("location_confidence") and present("location_certainty") \
            and form["location_confidence"] != form["location_certainty"]:
        info.warnings.append("location_certainty differs from location_confidence; "
                             "location_confidence used")
    fixed_at = present("location_time")
    started = present("time")
    source = (present("location_source") or "unknown").lower()
    method = SOURCES.get(source)
    if method is None:
        info.warnings.append(f"location_source: '{shown(source)}' is unknown "
                             "(gps, wifi, cell, unknown)")
        method = "unknown"
    if not present("v"):
        info.warnings.append("v: the message has no version")

    def informative(name: str, low: float, high: float) -> float | None:
        text = present(name)
        return None if text is None else info.number(name, text, low=low, high=high)

    def checked(name: str, pattern: str) -> str | None:
        text = present(name)
        return None if text is None else info.check(name, text, pattern)

    device = {k: v for k, v in (
        ("model", checked("device_model", r"[\x20-\x7e]{1,64}")),
        ("imsi", checked("device_imsi", r"[0-9]{6,15}")),
        ("imei", checked("device_imei", r"[0-9]{14,16}")),
        ("iccid", checked("device_iccid", r"[0-9A-Fa-f]{18,22}")),
        ("languages", checked("device_languages", LANGUAGES)),
    ) if v}
    network = {k: v for k, v in (
        ("mcc", checked("cell_network_mcc", r"[0-9]{3}")),
        ("mnc", checked("cell_network_mnc", r"[0-9]{2,3}")),
        ("home_mcc", checked("cell_home_mcc", r"[0-9]{3}")),
        ("home_mnc", checked("cell_home_mnc", r"[0-9]{2,3}")),
    ) if v}
    crash = present("adr_carcrash_time")
    extra: dict[str, str] = {}
    if crash is not None:
        try:
            extra["adr_carcrash_time"] = epoch_iso(_time("adr_carcrash_time", crash))
        except AmlError as exc:
            info.warnings.append(f"{exc}; ignored")
    for key in sorted(form.keys() - KNOWN):
        info.extra(key, form[key], extra)
    channel = checked("source", r"call|sms")
    return AmlMessage(
        format="https", version=checked("v", r"[0-9]{1,3}(?:\.[0-9]{1,3})?") or "",
        latitude=lat, longitude=lon,
        radius=radius("location_accuracy", accuracy) if accuracy else None,
        time=epoch("location_time", _time("location_time", fixed_at)) if fixed_at else None,
        confidence=confidence("location_confidence", certainty) if certainty else None,
        method=method,
        altitude=informative("location_altitude", -12_000, 100_000),
        vertical_accuracy=informative("location_vertical_accuracy", 0, 100_000),
        floor=checked("location_floor", r"[\x20-\x7e]{1,16}"),
        bearing=informative("location_bearing", 0, 360),
        speed=informative("location_speed", 0, 1_000),
        call_started_at=epoch("time", _time("time", started)) if started else None,
        emergency_number=checked("emergency_number", DIAL_NUMBER),
        device_number=checked("device_number", r"\+?[0-9][0-9 \-]{2,30}"),
        source=channel, device=device, network=network, extra=extra,
        warnings=tuple(info.warnings))


def epoch_iso(seconds: float) -> str:
    return iso(epoch("time", seconds))


def signed_part(body: bytes | str) -> tuple[bytes, str]:
    """The bytes the sender signed (before `&hmac=`) and the hex signature it sent."""
    raw = _body_bytes(body)
    at = raw.rfind(HMAC_MARK)
    if at < 0:
        if raw.startswith(b"hmac="):
            raise AmlSignatureError("the body has nothing but its hmac: nothing is signed")
        raise AmlSignatureError("the body has no hmac field: it must end with &hmac=<hex>")
    given = raw[at + len(HMAC_MARK):].strip()
    if b"&" in given:
        raise AmlSignatureError("hmac must be the last field of the body")
    if not re.fullmatch(rb"[0-9A-Fa-f]{40}", given):
        raise AmlSignatureError("hmac must be 40 hexadecimal digits (HMAC-SHA1)")
    return raw[:at], given.decode("ascii").lower()


def signature(signed: bytes, key: bytes) -> str:
    return hmac_lib.new(key, signed, hashlib.sha1).hexdigest()


def verify_hmac(body: bytes | str, key: bytes) -> None:
    """Raise AmlSignatureError unless the body's hmac matches `key` (constant time)."""
    signed, given = signed_part(body)
    if not hmac_lib.compare_digest(signature(signed, key), given):
        raise AmlSignatureError("hmac does not match: the body was changed or signed with "
                                "another key")


def sign_body(fields: str, key: bytes) -> bytes:
    """A sender's side: append `&hmac=<hex>` to an encoded body (tests, benchmark, docs)."""
    raw = _body_bytes(fields)
    return raw + HMAC_MARK + signature(raw, key).encode("ascii")

"""AML by SMS, versions 1 and 2: `A"ML=<version>;key=value;...`.

Trap: `lt` and `lg` are latitude and longitude in version 1, but the positioning-time
offset (seconds from `et`) and the handset's language in version 2, where the position
is `lo=lat,lon,accuracy`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from siaga112.adapters.aml.model import (
    DIAL_NUMBER, FIELD_NAME, LANGUAGES, METHOD_LETTERS, AmlError, AmlMessage, Informative,
    confidence, epoch, integer, latitude, longitude, radius, shown,
)

MAX_SMS_CHARS = 1600  # ten concatenated SMS; an AML message fits in one or two
MAX_FIELDS = 40
# The header as handsets write it; gateways sometimes turn the straight quote into a curly one.
HEADER = re.compile(r'A["\u201c\u201d\u2033\']?ML=([0-9]{1,3})', re.IGNORECASE)
TOP = re.compile(r"[0-9]{14}", re.ASCII)
STALE_SECONDS = 300  # a position taken this long before the call started is flagged

V1_FIELDS = frozenset({"lt", "lg", "rd", "top", "lc", "pm", "si", "ei", "mcc", "mnc", "ml"})
V2_FIELDS = frozenset({"en", "et", "lo", "lt", "lc", "lz", "ls", "ei", "nc", "hc", "lg"})


def parse_sms(text: str | bytes) -> AmlMessage:
    """Parse the text of an AML SMS; raise AmlError with the reason otherwise."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise AmlError("the SMS is not UTF-8 text") from None
    if not isinstance(text, str):
        raise AmlError(f"expected the SMS text, got {type(text).__name__}")
    text = text.strip()
    if not text:
        raise AmlError("empty message")
    if len(text) > MAX_SMS_CHARS:
        raise AmlError(f"message of {len(text)} characters; an AML SMS has at most "
                       f"{MAX_SMS_CHARS}")
    head, _, rest = text.partition(";")
    match = HEADER.fullmatch(head.strip())
    if match is None:
        raise AmlError(f"not an AML message: it must start with A\"ML=1 or A\"ML=2, "
                       f"not '{shown(head)}'")
    version = match.group(1)
    fields = _fields(rest)
    if version == "1":
        return _version_1(fields, length=len(text))
    if version == "2":
        return _version_2(fields)
    raise AmlError(f"AML version {shown(version)} is not supported (versions 1 and 2 are)")


def _fields(rest: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for segment in rest.split(";"):
        segment = segment.strip()
        if not segment:
            continue  # a trailing ';'
        key, eq, value = segment.partition("=")
        key = key.strip().lower()
        if not eq:
            raise AmlError(f"field '{shown(segment)}' has no '='")
        if not FIELD_NAME.fullmatch(key):
            raise AmlError(f"'{shown(key)}' is not a field name")
        if key in fields:
            raise AmlError(f"field '{key}' appears twice")
        if len(fields) >= MAX_FIELDS:
            raise AmlError(f"more than {MAX_FIELDS} fields")
        fields[key] = value.strip()
    return fields


def _method(letter: str | None, info: Informative, name: str) -> str:
    if letter is None or letter == "":
        return "unknown"
    method = METHOD_LETTERS.get(letter.upper())
    if method is None:
        info.warnings.append(f"{name}: positioning method '{shown(letter)}' is unknown "
                             "(G, W, C, U or F)")
        return "unknown"
    return method


def _present(fields: dict[str, str], name: str) -> str | None:
    value = fields.get(name)
    return value if value else None


def _version_1(fields: dict[str, str], *, length: int) -> AmlMessage:
    if "lt" not in fields or "lg" not in fields:
        if "lo" in fields:
            raise AmlError("version 1 carries the position in lt (latitude) and lg "
                           "(longitude); this looks like version 2 (lo=...) under a v1 header")
        raise AmlError("no position: version 1 needs lt (latitude) and lg (longitude)")
    info = Informative()
    lat, lon = latitude("lt", fields["lt"]), longitude("lg", fields["lg"])
    rd = _present(fields, "rd")
    lc = _present(fields, "lc")
    top = _present(fields, "top")
    network = {k: v for k, v in (
        ("mcc", info.check("mcc", fields["mcc"], r"[0-9]{3}") if "mcc" in fields else None),
        ("mnc", info.check("mnc", fields["mnc"], r"[0-9]{2,3}") if "mnc" in fields else None),
    ) if v}
    device = {k: v for k, v in (
        ("imsi", info.check("si", fields["si"], r"[0-9]{6,15}") if "si" in fields else None),
        ("imei", info.check("ei", fields["ei"], r"[0-9]{14,16}") if "ei" in fields else None),
    ) if v}
    if "ml" in fields:
        declared = info.check("ml", fields["ml"], r"[0-9]{1,5}")
        if declared is not None and int(declared) != length:
            info.warnings.append(f"ml: the message says {declared} characters but has {length}")
    extra: dict[str, str] = {}
    for key in sorted(fields.keys() - V1_FIELDS):
        info.extra(key, fields[key], extra)
    return AmlMessage(
        format="sms-v1", version="1", latitude=lat, longitude=lon,
        radius=radius("rd", rd) if rd else None,
        time=_top(top) if top else None,
        confidence=confidence("lc", lc) if lc else None,
        method=_method(fields.get("pm"), info, "pm"),
        device=device, network=network, extra=extra, warnings=tuple(info.warnings))


def _top(text: str) -> datetime:
    """`top`: YYYYMMDDhhmmss in UTC."""
    if not TOP.fullmatch(text):
        raise AmlError(f"top: '{shown(text)}' is not a time YYYYMMDDhhmmss")
    try:
        at = datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]),
                      int(text[10:12]), int(text[12:]), tzinfo=UTC)
    except ValueError:
        raise AmlError(f"top: '{text}' is not a real date and time") from None
    return epoch("top", at.timestamp())


def _version_2(fields: dict[str, str]) -> AmlMessage:
    if not fields.get("lo"):
        raise AmlError("no position: version 2 needs lo=latitude,longitude,accuracy "
                       "(in version 2, lt is a time offset and lg a language)")
    info = Informative()
    parts = [p.strip() for p in fields["lo"].split(",")]
    if len(parts) not in (2, 3):
        raise AmlError(f"lo: '{shown(fields['lo'])}' must be latitude,longitude,accuracy")
    lat, lon = latitude("lo latitude", parts[0]), longitude("lo longitude", parts[1])
    accuracy = radius("lo accuracy", parts[2]) if len(parts) == 3 and parts[2] else None
    started = epoch("et", integer("et", fields["et"])) if _present(fields, "et") else None
    fixed_at = started
    if _present(fields, "lt"):
        offset = integer("lt", fields["lt"])
        if abs(offset) > 86_400:
            raise AmlError(f"lt: a positioning time {offset} s from the call's start is "
                           "more than a day away")
        if started is None:
            info.warnings.append("lt: a time offset without et (call start); time unknown")
        else:
            fixed_at = started + timedelta(seconds=offset)
            if offset < -STALE_SECONDS:
                info.warnings.append(f"lt: the position was taken {-offset} s before the "
                                     "call started")
    lc = _present(fields, "lc")
    altitude = vertical = None
    if _present(fields, "lz"):
        z = [p.strip() for p in fields["lz"].split(",")]
        altitude = info.number("lz altitude", z[0], low=-12_000, high=100_000)
        if len(z) > 1 and z[1]:
            vertical = info.number("lz vertical accuracy", z[1], low=0, high=100_000)
    network: dict[str, str] = {}
    for key, prefix in (("nc", ""), ("hc", "home_")):
        if key in fields and (code := info.check(key, fields[key], r"[0-9]{5,6}")):
            network[f"{prefix}mcc"], network[f"{prefix}mnc"] = code[:3], code[3:]
    device = {k: v for k, v in (
        ("imei", info.check("ei", fields["ei"], r"[0-9]{14,16}") if "ei" in fields else None),
        ("languages", info.check("lg", fields["lg"], LANGUAGES) if "lg" in fields else None),
    ) if v}
    dialled = info.check("en", fields["en"], DIAL_NUMBER) if "en" in fields else None
    extra: dict[str, str] = {}
    for key in sorted(fields.keys() - V2_FIELDS):
        info.extra(key, fields[key], extra)
    return AmlMessage(
        format="sms-v2", version="2", latitude=lat, longitude=lon, radius=accuracy,
        time=fixed_at, confidence=confidence("lc", lc) if lc else None,
        method=_method(fields.get("ls"), info, "ls"), altitude=altitude,
        vertical_accuracy=vertical, call_started_at=started, emergency_number=dialled,
        device=device, network=network, extra=extra, warnings=tuple(info.warnings))


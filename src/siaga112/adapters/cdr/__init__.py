"""Readers of call history from other systems: Asterisk CDR CSV, a documented generic CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from siaga112.domain.calls import Disposition

# Words a PBX or a spreadsheet may use for what a call was (Indonesian reports' words too).
DISPOSITION_WORDS: dict[str, Disposition] = {
    **{d.value: d for d in Disposition},
    "darurat": Disposition.EMERGENCY, "informasi": Disposition.NON_EMERGENCY,
    "info": Disposition.NON_EMERGENCY, "iseng": Disposition.PRANK,
    "ghost": Disposition.SILENT, "terputus": Disposition.HANG_UP,
    "salah_sambung": Disposition.WRONG_NUMBER, "uji": Disposition.TEST,
}


class BadValue(ValueError):
    """A field that cannot be read; the message is the reason shown with the line."""


def records(text: TextIO) -> Iterator[tuple[int, list[str] | str]]:
    """(line where the record starts, its fields) or (line, why it cannot be read)."""
    reader = csv.reader(text)
    last = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, f"not readable as CSV: {exc}"
            last = reader.line_num
            continue
        start, last = last + 1, reader.line_num
        if fields and any(f.strip() for f in fields):
            yield start, fields


def moment(value: str, zone: ZoneInfo, name: str) -> datetime:
    """`2025-06-10 09:00:00` (the zone's local time) or ISO 8601 with an offset."""
    text = value.strip()
    if not text:
        raise BadValue(f"{name} is empty")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{name} '{text}' is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def optional_moment(value: str, zone: ZoneInfo, name: str) -> datetime | None:
    return moment(value, zone, name) if value.strip() else None


def disposition(value: str) -> Disposition | None:
    word = value.strip().lower().replace("-", "_").replace(" ", "_")
    if not word:
        return None
    if word not in DISPOSITION_WORDS:
        known = ", ".join(sorted(DISPOSITION_WORDS))
        raise BadValue(f"unknown disposition '{value.strip()}' (known: {known})")
    return DISPOSITION_WORDS[word]

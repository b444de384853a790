"""Callers' numbers: the raw form as it arrived and a normalized Indonesian E.164 form."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What networks send when the caller hides the number (CLIR).
WITHHELD_WORDS = frozenset({"", "anonymous", "unknown", "private", "withheld", "restricted", "unavailable"})
_SEPARATORS = re.compile(r"[\s\-().\/]")
_DIGITS = re.compile(r"\+?\d+", re.ASCII)  # ASCII only: no Arabic-Indic or full-width digits


def normalize_number(raw: str | None) -> str | None:
    """Return the E.164 form (`+62...`) of an Indonesian or international number.

    `0812...`, `62812...`, `+62812...` and `0062...` all become `+62812...`;
    a number already in international form keeps its country code. Short codes
    (e.g. `112`) stay as digits. Withheld or unreadable numbers give None.
    """
    if raw is None:
        return None
    text = _SEPARATORS.sub("", raw.strip())
    if text.lower() in WITHHELD_WORDS or not _DIGITS.fullmatch(text):
        return None
    if text.startswith("+"):
        digits = text[1:]
        return "+" + digits if 8 <= len(digits) <= 15 else None
    if text.startswith("00"):
        return normalize_number("+" + text[2:])
    if text.startswith("62") and len(text) >= 10:
        return "+" + text
    if text.startswith("0") and len(text) >= 8:
        return "+62" + text[1:]
    if len(text) <= 6:
        return text  # a short code such as 112 or 119
    return None


@dataclass(frozen=True)
class CallerNumber:
    raw: str | None
    normalized: str | None

    @classmethod
    def parse(cls, raw: str | None) -> CallerNumber:
        return cls(raw=raw, normalized=normalize_number(raw))

    @property
    def withheld(self) -> bool:
        return self.normalized is None


def mask_number(normalized: str | None) -> str:
    """Hide the middle of a number for people who need not see it (UU 27/2022)."""
    if not normalized:
        return "—"
    if len(normalized) <= 6:
        return normalized
    return normalized[:5] + "*" * (len(normalized) - 8) + normalized[-3:]

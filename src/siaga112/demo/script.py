"""The simulated callers' script (caller_lines.toml): what each kind of caller says."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCRIPT_FILE = Path(__file__).with_name("caller_lines.toml")
KINDS = ("question", "prank", "silent", "hang_up", "wrong_number", "emergency")


@dataclass(frozen=True)
class Line:
    text: str  # Indonesian, as the caller says it
    translation: str  # English, for trainees who read the console in English


@dataclass(frozen=True)
class Caller:
    kind: str
    index: int
    lines: tuple[Line, ...]
    again: tuple[Line, ...] = ()  # a second caller about the same emergency
    incident_type: str | None = None
    subtype: str | None = None


def _lines(raw: list[dict[str, str]]) -> tuple[Line, ...]:
    return tuple(Line(item["id"], item.get("en", item["id"])) for item in raw)


@lru_cache(maxsize=None)
def load_script(path: Path = SCRIPT_FILE) -> dict[str, tuple[Caller, ...]]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(raw) - set(KINDS)
    if unknown:
        raise ValueError(f"{path}: unknown kinds of caller {sorted(unknown)}")
    return {kind: tuple(Caller(kind=kind, index=i, lines=_lines(entry["lines"]),
                               again=_lines(entry.get("again", [])),
                               incident_type=entry.get("type"), subtype=entry.get("subtype"))
                        for i, entry in enumerate(raw.get(kind, [])))
            for kind in KINDS}

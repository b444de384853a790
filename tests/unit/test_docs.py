"""The transition tables in docs/ are the ones in the code."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

import pytest

from siaga112.domain.calls import CALL_TRANSITIONS
from siaga112.domain.incidents import INCIDENT_TRANSITIONS
from siaga112.domain.positions import POSITION_TRANSITIONS
from siaga112.domain.units import UNIT_TRANSITIONS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def documented_transitions(page: str) -> list[dict[str, set[str]]]:
    """Each '... Transitions' section's table as {from: {to, ...}}."""
    sections = re.split(r"^#+ ", (DOCS / page).read_text(encoding="utf-8"), flags=re.M)
    tables = []
    for section in sections:
        if not section.startswith("Transitions"):
            continue
        rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", section, flags=re.M)
        tables.append({state: set(re.findall(r"`(\w+)`", targets)) for state, targets in rows})
    return tables


def as_strings(table: dict[Enum, frozenset[Enum]]) -> dict[str, set[str]]:
    return {state.value: {t.value for t in targets} for state, targets in table.items()}


@pytest.mark.parametrize(("page", "tables"), [
    ("calls.md", [CALL_TRANSITIONS]),
    ("incidents.md", [INCIDENT_TRANSITIONS]),
    ("units-and-positions.md", [UNIT_TRANSITIONS, POSITION_TRANSITIONS]),
])
def test_documented_transitions_match_the_code(page: str, tables: list) -> None:
    assert documented_transitions(page) == [as_strings(t) for t in tables]


def test_the_center_configuration_page_exists() -> None:
    text = (DOCS / "center-configuration.md").read_text(encoding="utf-8")
    assert "andinurhidaya/SIG-Kantor-Kelurahan-Kota-Kendari" in text
    assert "madukubah/psc-kendari" in text

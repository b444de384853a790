"""The agencies (OPD) a 112 center hands incidents to, and their stations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False, kw_only=True)
class Agency:
    code: str
    name: str
    kind: str
    phone: str | None = None
    demo: bool = False


@dataclass(eq=False, kw_only=True)
class Station:
    code: str
    name: str
    agency_code: str
    lat: float
    lon: float
    address: str | None = None
    phone: str | None = None
    demo: bool = False
    source: str | None = None

"""Incidents in the column layout of Surabaya's 112 export, to compare with neighbours.

One row per verified emergency opened in the period:

| column | from |
|---|---|
| WAKTU LAPOR | the first linked call's arrival (else the incident's opening), local time |
| TIPE LAPORAN | `emergency` |
| KATEGORI, SUB KATEGORI 1 | incident type and subtype, in Indonesian |
| DURASI PENGERJAAN | opening to resolution (H:MM:SS), empty while unresolved |
| KECAMATAN, KELURAHAN | names from the center's gazetteer |
| LATITUDE, LONGITUDE | the incident's location |
| DESKRIPSI | the incident's description |
| UID | the incident number (KDI-2025-000123) |
| AGENT L1 | the call-taker who opened it |
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from siaga112.adapters.db.tables import calls, incidents
from siaga112.config import CenterConfig
from siaga112.reports.exports import center_names
from siaga112.reports.incident_counts import verified
from siaga112.reports.period import Period

COLUMNS = ["WAKTU LAPOR", "TIPE LAPORAN", "KATEGORI", "SUB KATEGORI 1", "DURASI PENGERJAAN",
           "KECAMATAN", "KELURAHAN", "LATITUDE", "LONGITUDE", "DESKRIPSI", "UID", "AGENT L1"]


def duration(start: datetime, end: datetime | None) -> str:
    if end is None:
        return ""
    seconds = max(0, int((end - start).total_seconds()))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def incident_rows(conn: sa.Connection, *, period: Period,
                  center: CenterConfig) -> Iterator[list[Any]]:
    i, c = incidents.c, calls.c
    names = center_names(center, "id")
    first_call = (sa.select(sa.func.min(c.received_at)).where(c.incident_id == i.id)
                  .scalar_subquery())
    query = (sa.select(i.number, i.type_code, i.subtype_code, i.created_at, i.resolved_at,
                       i.kecamatan, i.kelurahan, i.location_lat, i.location_lon, i.description,
                       i.created_by, first_call.label("first_call"))
             .where(verified(period)).order_by(i.created_at, i.number))
    for r in conn.execute(query):
        reported = (r.first_call or r.created_at).astimezone(center.zone)
        yield [
            reported.strftime("%Y-%m-%d %H:%M:%S"), "emergency",
            names["type"].get(r.type_code, r.type_code),
            names["subtype"].get(f"{r.type_code}/{r.subtype_code}", r.subtype_code or ""),
            duration(r.created_at, r.resolved_at),
            names["kecamatan"].get(r.kecamatan or "", r.kecamatan or ""),
            names["kelurahan"].get(r.kelurahan or "", r.kelurahan or ""),
            r.location_lat if r.location_lat is not None else "",
            r.location_lon if r.location_lon is not None else "",
            r.description or "", r.number, r.created_by,
        ]

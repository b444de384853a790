"""The evaluation report on SQLite and PostgreSQL: the seed's numbers, the period's edges,
service levels, response intervals, and the exports read back."""

from __future__ import annotations

import csv
import io
import math
import subprocess
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from siaga112.adapters.db import migrate, tables
from siaga112.adapters.db.bulk import insert_rows
from siaga112.adapters.db.tables_dispatch import unit_assignments
from siaga112.entrypoints.web.report_words import words
from siaga112.reports import documents
from siaga112.reports.attribution import agency_type_pairs
from siaga112.reports.evaluation import STABLE_KEYS
from siaga112.reports.period import Period
from siaga112.reports.report import build_report
from siaga112.reports.surabaya import COLUMNS
from tests.support import report_seed as seed
from tests.support.report_seed import WITA, seed_kendari


@pytest.fixture
def db(engine):
    migrate.upgrade(engine)
    return engine


@pytest.fixture
def seeded(db, kendari):
    return seed_kendari(db, kendari)


def report(engine, center, first, last):
    return build_report(engine=engine, center=center,
                        period=Period.parse(first, last, center.zone),
                        generated_at=datetime(2025, 7, 1, tzinfo=UTC))


def test_kendaris_twenty_one_days_read_exactly_as_the_center_reported_them(db, kendari, seeded):
    r = report(db, kendari, "2025-06-10", "2025-06-30")
    assert (r["total_calls"], r["abandoned_in_queue"], r["answered"], r["valid"],
            r["invalid"]) == (5982, 2238, 3744, 2522, 1222)
    assert r["emergencies_verified"] == 166
    assert r["abandoned_by_fault"] == seed.INTERRUPTED
    assert r["screened_out"] == r["still_waiting"] == 0
    assert r["non_emergency"] == seed.VALID_MIX["non_emergency"] + seed.INVALID_MIX["non_emergency"]
    assert set(STABLE_KEYS) <= r.keys()
    # Each agency counts the verified emergencies of the types it declares.
    expected = Counter()
    for agency, type_code in agency_type_pairs(kendari):
        expected[agency] += seeded.types[type_code]
    assert r["by_agency"] == {a.code: expected[a.code] for a in kendari.agencies}
    # Days, months and kinds are the same calls cut differently.
    assert sum(d["calls"] for d in r["daily"]) == 5982
    assert len(r["daily"]) == 21
    (june,) = r["monthly"]
    assert june["month"] == "2025-06" and sum(june["kinds"].values()) == 5982
    assert june["kinds"]["prank"] == seed.INVALID_MIX["prank"]
    assert sum(june["emergencies_by_type"].values()) == 166
    assert sum(june["emergencies_by_kecamatan"].values()) == 166


def test_answer_times_match_the_calls_one_by_one(db, kendari, seeded):
    """Mean and percentiles computed in SQL equal the same figures worked out call by call."""
    overall = report(db, kendari, "2025-06-10", "2025-06-30")["service"]["overall"]
    waits = sorted(math.ceil(round(w, 3)) for w in seeded.answer_seconds)
    assert overall["p90_answer_seconds"] == waits[math.ceil(0.9 * len(waits)) - 1]
    assert overall["p50_answer_seconds"] == waits[math.ceil(0.5 * len(waits)) - 1]
    assert overall["mean_answer_seconds"] == round(sum(seeded.answer_seconds) / len(waits), 1)
    within = sum(1 for w in seeded.answer_seconds if w <= 15)
    assert overall["answered_within"]["15"] == round(within / 5982, 4)
    assert overall["offered"] == 5982 and overall["abandonment_rate"] == round(2238 / 5982, 4)


def test_the_period_is_the_centers_days_in_wita(db, kendari, seeded):
    first_day = report(db, kendari, "2025-06-10", "2025-06-10")
    edge = [d for d in first_day["daily"] if d["date"] == "2025-06-10"]
    assert edge[0]["calls"] == first_day["total_calls"] >= 1
    # 9 June 16:00 UTC is 10 June 00:00 WITA: in the 10th, not in the 9th.
    assert report(db, kendari, "2025-06-09", "2025-06-09")["total_calls"] == 1  # 23:59:59 WITA
    assert report(db, kendari, "2025-07-01", "2025-07-01")["total_calls"] == 1  # 00:00:00 WITA
    last = report(db, kendari, "2025-06-30", "2025-06-30")
    whole = report(db, kendari, "2025-06-09", "2025-07-01")
    assert whole["total_calls"] == 5984
    assert last["daily"][-1]["calls"] == last["total_calls"]


def _call(received: datetime, *, wait: float | None, talk: float = 60.0,
          disposition: str | None = None, ended: float | None = None,
          incident_id: uuid.UUID | None = None) -> dict[str, object]:
    connected = None if wait is None else received + timedelta(seconds=wait)
    return {
        "id": uuid.uuid4(), "channel": "voice", "caller_raw": "081200000001",
        "caller_number": "+6281200000001", "received_at": received, "queued_at": received,
        "state": "released" if connected else "abandoned", "connected_at": connected,
        "released_at": connected + timedelta(seconds=talk) if connected else None,
        "abandoned_at": None if connected else received + timedelta(seconds=ended or 30),
        "offer_count": 1 if connected else 0, "disposition": disposition,
        "incident_id": incident_id, "version": 1,
    }


def test_service_level_counts_answered_within_the_target_among_offered_calls(db, kendari):
    at = datetime(2025, 6, 10, 7, 30, tzinfo=WITA).astimezone(UTC)  # a Tuesday, 07:30 WITA
    rows = [_call(at, wait=w) for w in (5.0, 15.0, 15.001, 20.0, 25.0)]
    rows += [_call(at, wait=None), _call(at, wait=None)]
    rows += [_call(at + timedelta(hours=12), wait=2.0)]  # 19:30 WITA
    with db.begin() as conn:
        insert_rows(conn, tables.calls, rows)
    service = report(db, kendari, "2025-06-10", "2025-06-10")["service"]
    morning = service["by_hour"][7]
    assert (morning["offered"], morning["answered"], morning["abandoned_in_queue"]) == (7, 5, 2)
    assert morning["answered_within"] == {"15": round(2 / 7, 4), "20": round(4 / 7, 4)}
    assert morning["abandonment_rate"] == round(2 / 7, 4)
    assert morning["mean_answer_seconds"] == round((5 + 15 + 15.001 + 20 + 25) / 5, 1)
    assert morning["p50_answer_seconds"] == 16 and morning["p90_answer_seconds"] == 25
    assert service["by_hour"][19]["answered"] == 1 and service["by_hour"][6]["offered"] == 0
    tuesday = service["by_weekday"][1]
    assert tuesday["weekday"] == "tue" and tuesday["offered"] == 8
    assert service["overall"]["answered_within"]["15"] == round(3 / 8, 4)
    assert service["overall"]["meets_target"] == {"15": False, "20": False}


def test_valid_means_more_than_ten_seconds_of_talk_and_no_nuisance(db, kendari):
    at = datetime(2025, 6, 10, 2, tzinfo=UTC)
    rows = [_call(at, wait=3, talk=10.0), _call(at, wait=3, talk=10.001),
            _call(at, wait=3, talk=90, disposition="prank"),
            _call(at, wait=3, talk=90, disposition="non_emergency"),
            _call(at, wait=3, talk=4, disposition="non_emergency")]
    with db.begin() as conn:
        insert_rows(conn, tables.calls, rows)
    r = report(db, kendari, "2025-06-10", "2025-06-10")
    assert (r["answered"], r["valid"], r["invalid"], r["non_emergency"]) == (5, 2, 3, 2)
    assert r["by_disposition"]["none"] == 2


def _incident(type_code: str, opened: datetime, steps: list[float | None],
              status: str = "resolved") -> dict[str, object]:
    """steps: seconds from opening to verified, then to dispatched, on scene, resolved."""
    moments, at = [], opened
    for s in steps:
        at = at + timedelta(seconds=s) if s is not None else at
        moments.append(at if s is not None else None)
    verified, dispatched, on_scene, resolved = moments
    return {"id": uuid.uuid4(), "number": f"KDI-2025-{uuid.uuid4().int % 10**6:06d}",
            "type_code": type_code, "subtype_code": None, "priority": "P1", "status": status,
            "created_at": opened, "created_by": "ani", "verified_at": verified,
            "dispatched_at": dispatched, "on_scene_at": on_scene, "resolved_at": resolved,
            "version": 1}


def test_response_intervals_per_step_type_and_agency(db, kendari):
    t0 = datetime(2025, 6, 12, 1, tzinfo=UTC)
    fires = [_incident("fire", t0, [60, 120, 600, 1800]),
             _incident("fire", t0, [120, 240, 900, 3600]),
             _incident("fire", t0, [180, 360, 1200, None])]  # not yet clear
    accident = _incident("accident", t0, [30, None, None, None], status="verified")
    false_alarm = _incident("fire", t0, [None, None, None, None], status="false_alarm")
    incidents = [*fires, accident, false_alarm]
    calls = [_call(t0 - timedelta(seconds=50), wait=w, incident_id=i["id"])
             for w, i in zip((4.0, 9.5, 12.0, 30.0, 3.0), incidents)]
    with db.begin() as conn:
        insert_rows(conn, tables.incidents, incidents)
        insert_rows(conn, tables.calls, calls)
    r = report(db, kendari, "2025-06-12", "2025-06-12")
    assert r["emergencies_verified"] == 4
    overall = r["intervals"]["overall"]
    assert overall["received_to_answered"] == {"count": 4, "mean_seconds": 13.9,
                                               "p50_seconds": 10, "p90_seconds": 30}
    assert overall["verified_to_dispatched"] == {"count": 3, "mean_seconds": 240.0,
                                                 "p50_seconds": 240, "p90_seconds": 360}
    assert overall["on_scene_to_clear"]["count"] == 2
    assert overall["on_scene_to_clear"]["p90_seconds"] == 3600
    fire = r["intervals"]["by_type"]["fire"]
    assert fire["dispatched_to_on_scene"]["p50_seconds"] == 900
    # Fire counts for Damkar; an accident for Dinkes, Polresta, Basarnas and Dishub.
    assert r["intervals"]["by_agency"]["damkar"]["dispatched_to_on_scene"]["count"] == 3
    assert r["intervals"]["by_agency"]["dishub"]["verified_to_dispatched"]["count"] == 0
    assert r["by_agency"]["damkar"] == 3 and r["by_agency"]["dishub"] == 1
    assert r["by_agency"]["pln"] == 0


def test_exports_read_back(db, kendari, seeded):
    period = Period.parse("2025-06-10", "2025-06-30", kendari.zone)
    w = words("id")
    common = {"engine": db, "center": kendari, "period": period, "words": w, "locale": "id"}

    text = documents.evaluation_document(fmt="csv", **common).content.decode()
    figures = dict(csv.reader(io.StringIO(text)))
    assert figures["total_calls"] == "5982" and figures["valid"] == "2522"
    assert figures["service.by_hour.7.offered"].isdigit()
    assert figures["monthly.2025-06.kinds.ghost"] == "480"

    book = openpyxl.load_workbook(io.BytesIO(
        documents.evaluation_document(fmt="xlsx", **common).content))
    assert book.sheetnames[0] == "Ringkasan"
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary["Total panggilan"] == 5982 and summary["Tidak valid"] == 1222

    if db.dialect.name == "sqlite":  # the same report, drawn the same on either database
        pdf = documents.evaluation_document(fmt="pdf", **common).content
        assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
        # pdftotext (poppler-utils) is installed by scripts/test: read what a person would.
        shown = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                               check=True).stdout.decode()
        assert "Laporan evaluasi" in shown and "5982" in shown and "2522" in shown

    incidents = documents.incidents_document(engine=db, center=kendari, period=period,
                                             fmt="csv").content.decode()
    rows = list(csv.reader(io.StringIO(incidents)))
    assert rows[0] == COLUMNS and len(rows) == 1 + 166
    first = dict(zip(COLUMNS, rows[1]))
    assert first["TIPE LAPORAN"] == "emergency" and first["UID"].startswith("KDI-2025-")
    assert first["KATEGORI"] in {t.name.id for t in kendari.incident_types}
    assert datetime.strptime(first["WAKTU LAPOR"], "%Y-%m-%d %H:%M:%S").year == 2025

    monthly = openpyxl.load_workbook(io.BytesIO(documents.monthly_document(
        fmt="xlsx", **common).content))
    kinds = list(monthly["Panggilan per jenis"].iter_rows(values_only=True))
    assert kinds[0][:3] == ("Bulan", "Panggilan", "Darurat")
    assert kinds[1][1] == 5982 and sum(kinds[1][2:]) == 5982


def test_the_pdf_speaks_indonesian_first_and_english_when_asked(tmp_path, kendari):
    from siaga112.adapters.db.engine import create_db_engine
    from siaga112.reports.exports import center_names
    from siaga112.reports.pdf import report_pdf

    engine = create_db_engine(f"sqlite:///{tmp_path / 'pdf.sqlite3'}")
    migrate.upgrade(engine)
    r = report(engine, kendari, "2025-06-10", "2025-06-11")
    engine.dispose()
    for locale, title in (("id", b"Laporan evaluasi"), ("en", b"Evaluation report")):
        pdf = report_pdf(r, words=words(locale), names=center_names(kendari, locale), points=[],
                         places=[], compress=False)
        assert title in pdf


def test_an_incident_counts_for_the_agencies_actually_dispatched_to_it(siaga, kendari):
    """With assignments, an accident counts only for the agency sent; without, by type."""
    seeded = seed_kendari(siaga.engine, kendari)
    with siaga.engine.begin() as conn:
        accident = conn.execute(sa.select(tables.incidents.c.id, tables.incidents.c.verified_at)
                                .where(tables.incidents.c.type_code == "accident",
                                       tables.incidents.c.status == "resolved")
                                .order_by(tables.incidents.c.number).limit(1)).one()
        conn.execute(unit_assignments.insert().values(
            id=uuid.uuid4(), dispatch_id=uuid.uuid4(), incident_id=accident.id,
            unit_code="AMB-MATA", agency_code="dinkes", dispatched_at=accident.verified_at,
            dispatched_by="dispatcher1"))
    r = report(siaga.engine, kendari, "2025-06-10", "2025-06-30")
    expected = Counter()
    for agency, type_code in agency_type_pairs(kendari):
        expected[agency] += seeded.types[type_code]
    declared_for_accidents = {a for a, t in agency_type_pairs(kendari) if t == "accident"}
    assert "dinkes" in declared_for_accidents and len(declared_for_accidents) > 1
    for agency in declared_for_accidents - {"dinkes"}:
        expected[agency] -= 1  # the dispatched accident no longer counts for them
    assert r["by_agency"] == {a.code: expected[a.code] for a in kendari.agencies}
    assert r["agency_attribution"] == "dispatched_agencies_else_agency_incident_types"

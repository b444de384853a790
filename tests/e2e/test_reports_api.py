"""Reports over HTTP: the supervisor's evaluation and exports, and the public summary that
anyone may read and that holds no personal data."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import openpyxl
import pytest

from siaga112.domain.accounts import Role
from tests.e2e.conftest import PASSWORD, USERS
from tests.support.report_seed import seed_kendari

PERIOD = {"from": "2025-06-10", "to": "2025-06-30"}
NUMBER = re.compile(r"(\+62|\b0)8\d{7,}")  # a caller's number, full, in any form


@pytest.fixture
def seeded(siaga, server):
    return seed_kendari(siaga.engine, siaga.center)


def test_the_supervisor_reads_the_evaluation_and_its_exports(login, seeded):
    supervisor = login(Role.SUPERVISOR)
    r = supervisor.get("/api/v1/reports/evaluation", params=PERIOD)
    assert r.status_code == 200
    body = r.json()
    assert (body["total_calls"], body["abandoned_in_queue"], body["answered"], body["valid"],
            body["invalid"], body["emergencies_verified"]) == (5982, 2238, 3744, 2522, 1222, 166)
    assert all(not NUMBER.search(c["number"]) for c in body["repeat_callers"])

    xlsx = supervisor.get("/api/v1/reports/evaluation", params={**PERIOD, "format": "xlsx",
                                                                "lang": "en"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Summary"
    incidents = supervisor.get("/api/v1/reports/incidents", params=PERIOD)
    assert incidents.text.splitlines()[0].startswith("WAKTU LAPOR,TIPE LAPORAN,KATEGORI")
    monthly = supervisor.get("/api/v1/reports/monthly", params=PERIOD).json()
    assert monthly["months"][0]["kinds"]["ghost"] == 480
    points = supervisor.get("/api/v1/reports/map", params=PERIOD).json()
    assert len(points["features"]) == 166
    assert set(points["features"][0]["properties"]) == {
        "number", "type", "priority", "kecamatan", "kelurahan"}


BAD_REQUESTS = [
    ({"from": "2025-13-01", "to": "2025-06-30"}, "from"),
    ({"from": "2025-06-30", "to": "2025-06-10"}, "before it starts"),
    ({"from": "2020-01-01", "to": "2025-06-30"}, "at most"),
    ({**PERIOD, "format": "docx"}, "format"),
    ({**PERIOD, "lang": "fr"}, "lang"),
]


def test_bad_report_requests_get_a_json_4xx_that_names_the_problem(server, login):
    admin = login(Role.ADMIN)
    for params, words in BAD_REQUESTS:
        r = admin.get("/api/v1/reports/evaluation", params=params)
        assert r.status_code == 422, (params, r.text)
        assert words in r.json()["error"]["message"], (params, r.text)
    r = httpx.get(f"{server}/api/v1/public/summary", params={"from": "2025-06-31"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_the_public_summary_needs_no_login_and_shows_no_personal_data(server, seeded):
    with httpx.Client(base_url=server) as anyone:
        summary = anyone.get("/api/v1/public/summary", params=PERIOD)
        days = anyone.get("/api/v1/public/summary.csv", params=PERIOD)
        by_type = anyone.get("/api/v1/public/summary.csv",
                             params={**PERIOD, "table": "emergencies"})
        download = anyone.get("/api/v1/public/summary.json", params=PERIOD)
        page = anyone.get("/public", params=PERIOD)
    assert summary.status_code == days.status_code == page.status_code == 200
    totals = summary.json()["totals"]
    assert (totals["calls"], totals["answered"], totals["emergencies_verified"]) == (5982, 3744,
                                                                                     166)
    rows = list(csv.DictReader(io.StringIO(days.text)))
    assert len(rows) == 21 and sum(int(r["calls"]) for r in rows) == 5982
    assert sum(int(r["count"]) for r in csv.DictReader(io.StringIO(by_type.text))) == 166
    assert download.json()["license"] and "attachment" in download.headers["content-disposition"]
    for text in (summary.text, days.text, by_type.text, download.text, page.text):
        assert not NUMBER.search(text), NUMBER.search(text)
        assert "+62" not in text and "operator1" not in text and "KDI-" not in text
    assert "Halaman transparansi publik" in page.text and "5.982" in page.text


@contextmanager
def _browser(server: str, role: Role) -> Iterator[httpx.Client]:
    """A client holding the cookie session a browser would."""
    with httpx.Client(base_url=server, timeout=60) as client:  # a page draws six charts
        client.post("/api/v1/auth/login",
                    json={"username": USERS[role][0], "password": PASSWORD})
        yield client


def test_the_supervisor_console_shows_the_report_with_charts(server, seeded):
    with _browser(server, Role.SUPERVISOR) as browser:
        page = browser.get("/supervisor/reports", params=PERIOD)
        english = browser.get("/lang/en", params={"next": "/supervisor/reports?from=2025-06-10"
                                                          "&to=2025-06-30"},
                              follow_redirects=True)
        bad = browser.get("/supervisor/reports", params={"from": "10/06/2025", "to": "x"})
    assert page.status_code == 200
    assert "Laporan evaluasi" in page.text and 'data-key="valid">2.522<' in page.text
    assert page.text.count('src="data:image/png;base64,') == 6
    assert "Evaluation report" in english.text and 'data-key="valid">2,522<' in english.text
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    with _browser(server, Role.CALL_TAKER) as call_taker:
        assert call_taker.get("/supervisor/reports").status_code == 403

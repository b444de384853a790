"""GET /api/v1/staffing and the page /supervisor/staffing as a supervisor uses them.

Every other role is checked against ROUTE_POLICY by test_access_matrix.py.
"""

from __future__ import annotations

from siaga112.domain.accounts import Role
from tests.support.call_history import insert_rows, kendari_rows

PERIOD = {"from": "2025-06-10", "to": "2025-06-29"}


def test_a_supervisor_gets_the_plan_others_are_refused_and_errors_are_clear(siaga, login):
    insert_rows(siaga.engine, kendari_rows())
    supervisor = login(Role.SUPERVISOR)
    response = supervisor.get("/api/v1/staffing",
                              params={**PERIOD, "target_sl": 0.9, "target_seconds": 15})
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["period"] == {"from": "2025-06-10", "to": "2025-06-29", "days": 20,
                              "zone": "Asia/Makassar"}
    assert plan["history"]["offered"] == 5982 and plan["roster"]["staff_hours"] == 336
    assert [row["required"] for row in plan["hourly"][:6]] == [1, 1, 1, 1, 1, 1]
    assert plan["savings"]["screen_all_invalid"]["workload_hours"] == 7.8
    stricter = supervisor.get("/api/v1/staffing", params={**PERIOD, "target_sl": 0.95,
                                                          "target_seconds": 10}).json()
    assert stricter["roster"]["staff_hours"] > plan["roster"]["staff_hours"]
    assert login(Role.ADMIN).get("/api/v1/staffing", params=PERIOD).status_code == 200
    assert login(Role.CALL_TAKER).get("/api/v1/staffing", params=PERIOD).status_code == 403
    # Bad requests get a 4xx that says what is wrong.
    bad_date = supervisor.get("/api/v1/staffing",
                              params={"from": "2025-06-31", "to": "2025-07-01"})
    assert bad_date.status_code == 422 and bad_date.json()["error"]["code"] == "invalid_request"
    assert "from" in bad_date.json()["error"]["message"]
    backwards = supervisor.get("/api/v1/staffing",
                               params={"from": "2025-06-29", "to": "2025-06-10"})
    assert backwards.status_code == 422
    assert "before it starts" in backwards.json()["error"]["message"]
    empty = supervisor.get("/api/v1/staffing", params={"from": "2024-01-01", "to": "2024-01-31"})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "no_history"
    target = supervisor.get("/api/v1/staffing", params={**PERIOD, "target_sl": 1.5})
    assert target.status_code == 422 and "target_sl" in target.json()["error"]["message"]


def test_the_supervisor_page_draws_required_and_scheduled_call_takers(siaga, login):
    insert_rows(siaga.engine, kendari_rows())
    supervisor = login(Role.SUPERVISOR)
    page = supervisor.get("/supervisor/staffing", params=PERIOD)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Perencanaan jumlah operator" in html  # Indonesian first
    assert html.count('class="required"') == 168 and 'class="scheduled"' in html
    assert "Operator yang dibutuhkan dan yang dijadwalkan per jam" in html
    assert '<dd id="figure-offered">5.982</dd>' in html  # Indonesian number format
    assert "42 sif 8 jam: 336 jam kerja per minggu" in html
    assert 'data-scenario="screen_all_invalid"' in html
    supervisor.cookies.set("lang", "en")
    english = supervisor.get("/supervisor/staffing", params=PERIOD).text
    supervisor.cookies.delete("lang")
    assert "Required and scheduled call-takers per hour" in english
    assert '<dd id="figure-offered">5,982</dd>' in english
    assert "42 shifts of 8 hours: 336 staff-hours a week" in english
    bad = supervisor.get("/supervisor/staffing", params={"from": "10/06/2025", "to": "x"})
    assert bad.status_code == 422 and "TTTT-BB-HH" in bad.text
    empty = supervisor.get("/supervisor/staffing", params={"from": "2024-01-01",
                                                           "to": "2024-01-31"})
    assert empty.status_code == 200 and "tidak ada dasar untuk perencanaan" in empty.text
    refused = login(Role.CALL_TAKER).get("/supervisor/staffing", params=PERIOD)
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]

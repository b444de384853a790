"""GET /api/v1/staffing as a supervisor uses it: the plan as JSON, clear errors, no one else."""

from __future__ import annotations

from siaga112.domain.accounts import Role
from tests.support.call_history import insert_rows, kendari_rows

PERIOD = {"from": "2025-06-10", "to": "2025-06-29"}


def test_a_supervisor_gets_the_plan_and_others_are_refused(siaga, login):
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
    for role in (Role.CALL_TAKER, Role.DISPATCHER, Role.AGENCY):
        assert login(role).get("/api/v1/staffing", params=PERIOD).status_code == 403


def test_bad_requests_get_a_4xx_that_says_what_is_wrong(login):
    supervisor = login(Role.SUPERVISOR)
    bad_date = supervisor.get("/api/v1/staffing", params={"from": "2025-06-31", "to": "2025-07-01"})
    assert bad_date.status_code == 422 and bad_date.json()["error"]["code"] == "invalid_request"
    assert "from" in bad_date.json()["error"]["message"]
    backwards = supervisor.get("/api/v1/staffing", params={"from": "2025-06-29", "to": "2025-06-10"})
    assert backwards.status_code == 422
    assert "before it starts" in backwards.json()["error"]["message"]
    empty = supervisor.get("/api/v1/staffing", params=PERIOD)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "no_history"
    target = supervisor.get("/api/v1/staffing", params={**PERIOD, "target_sl": 1.5})
    assert target.status_code == 422 and "target_sl" in target.json()["error"]["message"]

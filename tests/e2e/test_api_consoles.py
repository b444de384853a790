"""The consoles' own APIs through the real server, on SQLite and PostgreSQL: the wallboard's
figures for the center's day, the dispatcher board, and units' position fixes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from siaga112.adapters.db.tables import event_log
from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel, Disposition
from siaga112.domain.clock import FixedClock
from siaga112.domain.incidents import IncidentLocation, Priority, VerificationMethod
from siaga112.domain.notifications import Delivery, DeliveryStatus
from siaga112.services import commands as c

MANDONGA = IncidentLocation(lat=-3.9700, lon=122.5150, address="Jl. Contoh No. 1",
                            kelurahan="Mandonga", kecamatan="mandonga")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 6, 9, 15, 30, tzinfo=UTC))  # 23:30 WITA, the day before


def _call(siaga, clock: FixedClock, *, answer_after: float | None = None,
          abandon_after: float | None = None, disposition: Disposition | None = None) -> uuid.UUID:
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    if answer_after is not None:
        clock.advance(answer_after)
        siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
        if disposition is not None:
            siaga.bus.handle(c.DisposeCall(call_id=call, disposition=disposition, by="ani"))
    elif abandon_after is not None:
        clock.advance(abandon_after)
        siaga.bus.handle(c.AbandonCall(call_id=call))
    return call


def _incident(siaga, type_code: str, priority: Priority, *, call: uuid.UUID | None = None,
              verify: bool = True) -> uuid.UUID:
    opened = siaga.bus.handle(c.OpenIncident(type_code=type_code, subtype_code=None,
                                             priority=priority, call_id=call, location=MANDONGA,
                                             by="ani"))
    if verify:
        siaga.bus.handle(c.VerifyIncident(incident_id=opened.id, by="ani",
                                          method=VerificationMethod.CALLER_CONFIRMED))
    return opened.id


def test_wallboard_counts_the_centers_day_the_queue_and_the_positions(siaga, clock, login):
    _call(siaga, clock, answer_after=5)  # 23:30 WITA yesterday: not today's
    clock.advance(3600)  # 00:30 WITA, 10 June
    _call(siaga, clock, answer_after=10, disposition=Disposition.PRANK)  # within 15 s
    _call(siaga, clock, answer_after=18, disposition=Disposition.SILENT)  # within 20 s
    _call(siaga, clock, answer_after=30, disposition=Disposition.EMERGENCY)  # late
    _call(siaga, clock, abandon_after=40)
    waiting_since = clock.now()
    _call(siaga, clock)  # still waiting...
    clock.advance(25)  # ...for 25 s
    siaga.bus.handle(c.LogInPosition(position_code=siaga.center.positions[0].code, operator="ani"))
    siaga.bus.handle(c.SetPositionReady(position_code=siaga.center.positions[0].code))
    for type_code in ("fire", "fire", "medical"):
        _incident(siaga, type_code, Priority.P2)

    response = login(Role.SUPERVISOR).get("/api/v1/wallboard")
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["day"] == "2025-06-10"
    queue = board["queue"]
    assert (queue["waiting"], queue["longest_wait_seconds"]) == (1, 25.0)
    assert datetime.fromisoformat(queue["oldest_received_at"]) == waiting_since
    today = board["today"]
    assert (today["calls"], today["offered"], today["answered"], today["abandoned_in_queue"]) \
        == (5, 4, 3, 1)
    assert today["answered_within"] == {"15": 0.25, "20": 0.5}
    assert today["meets_target"] == {"15": False, "20": False}
    assert today["abandonment_rate"] == 0.25
    assert (today["prank"], today["silent"]) == (1, 1)
    assert today["prank_silent_share"] == 0.6667  # shares are rounded as in the reports
    positions = board["positions"]
    assert positions["ready"] == 1
    assert sum(positions.values()) == len(siaga.center.positions)
    assert board["incidents"] == {"open": 3, "by_type": [{"type": "fire", "count": 2},
                                                        {"type": "medical", "count": 1}]}

    assert login(Role.ADMIN).get("/api/v1/wallboard").status_code == 200
    for refused in (Role.CALL_TAKER, Role.DISPATCHER, Role.AGENCY):
        assert login(refused).get("/api/v1/wallboard").status_code == 403


def test_the_board_lists_incidents_by_urgency_with_timers_units_and_failed_deliveries(
        siaga, clock, login):
    clock.advance(3600)
    crime_call = _call(siaga, clock, answer_after=4)
    crime = _incident(siaga, "crime", Priority.P3, call=crime_call)
    clock.advance(60)
    fire_call = _call(siaga, clock, answer_after=7)
    answered = clock.now()
    clock.advance(20)
    fire = _incident(siaga, "fire", Priority.P1, call=fire_call)
    other = _incident(siaga, "other", Priority.P4, verify=False)  # no call: from its opening
    clock.advance(30)
    dispatcher = login(Role.DISPATCHER)
    sent = dispatcher.post(f"/api/v1/dispatch/incidents/{fire}/units", json={"units": ["DMK-01"]})
    assert sent.status_code == 201, sent.text
    with siaga.uow() as uow:  # the agency's webhook gave up (the retries are dispatch's tests)
        uow.deliveries.add(Delivery(
            id=uuid.uuid4(), dispatch_id=uuid.UUID(sent.json()["dispatch_id"]), incident_id=fire,
            agency_code="damkar", url="https://damkar.example/eido",
            status=DeliveryStatus.FAILED, created_at=clock.now(), attempts=6,
            last_attempt_at=clock.now(), last_status_code=503, last_error="HTTP 503"))
        uow.commit()

    response = dispatcher.get("/api/v1/dispatch/board")
    assert response.status_code == 200, response.text
    board = response.json()
    rows = board["incidents"]
    assert [(r["id"], r["priority"], r["target_seconds"]) for r in rows] == [
        (str(fire), "P1", 60.0), (str(crime), "P3", 180.0), (str(other), "P4", 600.0)]
    first = rows[0]
    assert datetime.fromisoformat(first["timer_from"]) == answered
    assert datetime.fromisoformat(first["dispatched_at"]) == clock.now()
    assert (datetime.fromisoformat(first["dispatched_at"])
            - datetime.fromisoformat(first["answered_at"])).total_seconds() == 50
    assert first["status"] == "dispatched"
    assert [(u["unit"], u["status"], u["acknowledged"]) for u in first["units"]] == [
        ("DMK-01", "dispatched", False)]
    assert first["failed_deliveries"] == 1
    assert rows[2]["answered_at"] is None and rows[2]["timer_from"] == rows[2]["created_at"]
    assert board["failed_deliveries"][0]["number"] == first["number"]
    assert board["failed_deliveries"][0]["agency"] == "damkar"

    assert login(Role.SUPERVISOR).get("/api/v1/dispatch/board").status_code == 200
    assert login(Role.AGENCY).get("/api/v1/dispatch/board").status_code == 403


def test_an_agency_reports_its_own_units_position(siaga, clock, login):
    agency = login(Role.AGENCY)  # Damkar's officer
    response = agency.post("/api/v1/dispatch/units/DMK-01/position",
                           json={"lat": -3.9815, "lon": 122.5204, "accuracy_m": 12})
    assert response.status_code == 200, response.text
    assert (response.json()["last_lat"], response.json()["last_lon"]) == (-3.9815, 122.5204)
    with siaga.engine.connect() as conn:
        logged = conn.execute(sa.select(event_log.c.actor, event_log.c.data).where(
            event_log.c.event_type == "UnitPositionReported")).all()
    assert [(actor, data["accuracy_m"]) for actor, data in logged] == [("damkar1", 12)]

    # The recommendation now measures from the fix, not from the station.
    fire = _incident(siaga, "fire", Priority.P2)
    recommended = login(Role.DISPATCHER).get(
        f"/api/v1/dispatch/incidents/{fire}/recommendation").json()
    sources = {c["unit"]: c["position_source"]
               for r in recommended["requirements"] for c in r["candidates"]}
    assert sources["DMK-01"] == "last_fix" and sources["DMK-02"] == "station"

    assert agency.post("/api/v1/dispatch/units/AMB-MATA/position",
                       json={"lat": -3.98, "lon": 122.52}).status_code == 403
    assert agency.post("/api/v1/dispatch/units/NOPE-9/position",
                       json={"lat": -3.98, "lon": 122.52}).status_code == 404
    for bad in ({"lat": 95, "lon": 122.5}, {"lat": -3.9}, {"lat": -3.9, "lon": 122.5, "at": 1},
                {"lat": "north", "lon": 122.5}, {"lat": -3.9, "lon": 122.5, "accuracy_m": -1}):
        refused = agency.post("/api/v1/dispatch/units/DMK-01/position", json=bad)
        assert refused.status_code == 422, (bad, refused.text)
    assert login(Role.DISPATCHER).post("/api/v1/dispatch/units/AMB-MATA/position",
                                       json={"lat": -3.98, "lon": 122.52}).status_code == 200
    assert login(Role.CALL_TAKER).post("/api/v1/dispatch/units/DMK-01/position",
                                       json={"lat": -3.98, "lon": 122.52}).status_code == 403

"""AML fixes meet their calls on both databases: the window's edges, the most recent call,
fixes that wait unmatched (and join a call that comes later), the area flag, and a chosen
location that nothing automatic ever overwrites."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from siaga112.adapters.aml import parse_sms
from siaga112.adapters.db.audit import verify_chain
from siaga112.bootstrap import bootstrap
from siaga112.domain.accounts import Scope
from siaga112.domain.calls import Channel
from siaga112.domain.errors import InvalidValue, NotFound
from siaga112.domain.locations import LocationMethod, LocationSource, suggested_fix
from siaga112.entrypoints.aml_fixes import incoming_fix
from siaga112.services import commands as c
from siaga112.services.handlers.aml_senders import set_hmac_key
from siaga112.services.handlers.locations import FixOutcome, fix_committer
from siaga112.services.handlers.service_accounts import create_service_account

NUMBER = "081234567890"
KENDARI = (-3.97474, 122.60057)  # by Puskesmas Mata
MAKASSAR = (-5.1477, 119.4327)


def aml(caller: str | None, lat: float = KENDARI[0], lon: float = KENDARI[1],
        radius: float = 10.0, **kw) -> c.IncomingFix:
    return c.IncomingFix(caller=caller, source=LocationSource.AML, lat=lat, lon=lon,
                         radius_m=radius, confidence=68, method=LocationMethod.GNSS, **kw)


def trail_of(siaga, call) -> list:
    with siaga.uow() as uow:
        return list(uow.locations.for_call(call))


def wait_for(probe, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while not (found := probe()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def ingest(siaga, *fixes: c.IncomingFix) -> list:
    return siaga.bus.handle(c.IngestLocationFixes(fixes=fixes))


def ended_call(siaga, clock, number: str = NUMBER, talk: float = 60):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=number))
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
    clock.advance(talk)
    siaga.bus.handle(c.ReleaseCall(call_id=call, actor="ani"))
    return call


def test_the_window_ends_thirty_minutes_after_the_call_edges_included(siaga, clock):
    call = ended_call(siaga, clock)
    clock.advance(30 * 60)  # exactly the window after the call ended
    [edge] = ingest(siaga, aml("+6281234567890"))
    clock.advance(1)
    [late] = ingest(siaga, aml("6281234567890"))
    assert edge.call_id == call and late.call_id is None
    with siaga.uow() as uow:
        assert [f.id for f in uow.locations.for_call(call)] == [edge.fix_id]
        assert [f.id for f in uow.locations.unmatched()] == [late.fix_id]


def test_a_live_call_gets_its_fixes_however_long_it_lasts(siaga, clock):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=NUMBER))
    clock.advance(2 * 3600)
    [fix] = ingest(siaga, aml("0812-3456-7890"))
    assert fix.call_id == call


def test_the_most_recent_call_from_the_number_wins(siaga, clock):
    first = ended_call(siaga, clock)
    clock.advance(60)
    second = ended_call(siaga, clock)
    ended_call(siaga, clock, number="081299999999")  # another caller, more recent still
    clock.advance(60)
    [fix] = ingest(siaga, aml(NUMBER))
    assert fix.call_id == second != first


def test_unmatched_fixes_are_kept_listed_and_join_a_call_that_comes_in_the_window(siaga, clock):
    early, withheld = ingest(siaga, aml(NUMBER), aml(None))
    assert early.call_id is None and withheld.call_id is None
    with siaga.uow() as uow:
        assert {f.id for f in uow.locations.unmatched()} == {early.fix_id, withheld.fix_id}
    clock.advance(20)  # the INVITE comes after the handset's AML
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=NUMBER))
    trail = wait_for(lambda: trail_of(siaga, call))  # attached by a writer of its own
    assert [f.id for f in trail] == [early.fix_id]
    with siaga.uow() as uow:
        assert [f.id for f in uow.locations.unmatched()] == [withheld.fix_id]
        log = uow.event_log.for_aggregate("call", str(call))
    assert any(r["event_type"] == "LocationFixRecorded"
               and r["reason"] == "arrived_before_the_call" for r in log)


def test_a_fix_older_than_the_window_does_not_join_a_new_call(siaga, clock):
    [old] = ingest(siaga, aml(NUMBER))
    clock.advance(31 * 60)
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=NUMBER))
    assert siaga.bus.handle(c.AttachWaitingFixes(call_ids=(call,))) == 0
    with siaga.uow() as uow:
        assert uow.locations.for_call(call) == []
        assert uow.locations.get(old.fix_id).call_id is None


def test_a_fix_outside_the_area_is_flagged(siaga, clock):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=NUMBER))
    inside, outside = ingest(siaga, aml(NUMBER), aml(NUMBER, *MAKASSAR))
    assert (inside.outside_area, outside.outside_area) == (False, True)
    assert inside.call_id == outside.call_id == call
    with siaga.uow() as uow:
        assert uow.locations.get(outside.fix_id).outside_area is True


def test_the_chosen_location_is_never_overwritten_by_a_better_fix(siaga, clock):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=NUMBER))
    [coarse] = ingest(siaga, aml(NUMBER, radius=500))
    siaga.bus.handle(c.ChooseCallLocation(call_id=call, fix_id=coarse.fix_id, by="ani"))
    clock.advance(30)
    [precise] = ingest(siaga, aml(NUMBER, radius=5))
    with siaga.uow() as uow:
        assert uow.calls.get(call).chosen_location_id == coarse.fix_id
        assert suggested_fix(uow.locations.for_call(call)).id == precise.fix_id


def test_a_refused_fix_does_not_take_the_batch_down(siaga, clock):
    good, bad, future = ingest(siaga, aml(NUMBER), aml(NUMBER, radius=-1),
                               aml(NUMBER, fixed_at=clock.now() + timedelta(hours=3)))
    assert isinstance(good, FixOutcome) and isinstance(bad, InvalidValue)
    with siaga.uow() as uow:
        stored = uow.locations.get(future.fix_id)
    assert stored.fixed_at == clock.now()  # a handset clock in the future is not believed


def test_group_commit_stores_every_fix_from_many_threads_and_the_audit_chain_holds(
        siaga, clock):
    calls = [siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=f"08130000{i:04d}"))
             for i in range(5)]
    writer = fix_committer(siaga.bus)
    texts = [(f"08130000{i % 7:04d}", f'A"ML=1;lt=-3.99{i:02d};lg=122.5;rd={i};pm=G')
             for i in range(60)]
    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(
            lambda t: writer(incoming_fix(parse_sms(t[1]), caller=t[0])), texts))
    assert len({o.fix_id for o in outcomes}) == 60
    matched = [o for o in outcomes if o.call_id is not None]
    assert {o.call_id for o in matched} == set(calls)
    assert len(matched) == sum(1 for i in range(60) if i % 7 < 5)  # numbers 0-4 called
    assert not any(o.outside_area for o in outcomes)
    with siaga.uow() as uow:
        assert sum(len(uow.locations.for_call(call)) for call in calls) == len(matched)
        stored = uow.locations.get(outcomes[3].fix_id)
    detail = json.loads(stored.detail)
    assert detail["format"] == "sms-v1" and "imei" not in json.dumps(detail)
    with siaga.engine.connect() as conn:
        checked, problem = verify_chain(conn)
    assert problem is None and checked > 60


def test_the_window_comes_from_the_center_file(siaga, clock, kendari):
    center = kendari.model_copy(update={"location": kendari.location.model_copy(
        update={"match_window_minutes": 5})})
    short = bootstrap(siaga.settings, center=center, clock=clock, engine=siaga.engine,
                      sync_center=False)
    ended_call(short, clock)
    clock.advance(6 * 60)
    assert ingest(short, aml(NUMBER))[0].call_id is None


def test_hmac_keys_belong_to_aml_senders_only_and_stay_out_of_the_log(siaga):
    for name, scope in (("aml-op", Scope.AML_GATEWAY), ("sip-1", Scope.SIP_NODE)):
        create_service_account(siaga.uow(), name=name, scopes=frozenset({scope}),
                               agency_code=None, by="test", clock=siaga.clock)
    key = set_hmac_key(siaga.uow(), name="aml-op", key=None, by="admin", clock=siaga.clock)
    assert len(key) == 64
    set_hmac_key(siaga.uow(), name="aml-op", key="kunci-baru-operator-112", by="admin",
                 clock=siaga.clock)
    with pytest.raises(InvalidValue, match="no scope aml_gateway"):
        set_hmac_key(siaga.uow(), name="sip-1", key=None, by="admin", clock=siaga.clock)
    with pytest.raises(NotFound):
        set_hmac_key(siaga.uow(), name="nobody", key=None, by="admin", clock=siaga.clock)
    with pytest.raises(InvalidValue, match="16-200 printable"):
        set_hmac_key(siaga.uow(), name="aml-op", key="short", by="admin", clock=siaga.clock)
    with siaga.uow() as uow:
        assert uow.users.service_account("aml-op").hmac_key == "kunci-baru-operator-112"
        log = uow.event_log.for_aggregate("user", "svc:aml-op")
    assert [r["after"] for r in log] == ["hmac_key_set", "hmac_key_rotated"]
    assert key not in str(log) and "kunci-baru" not in str(log)

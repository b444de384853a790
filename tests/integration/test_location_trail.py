"""A call's location trail: fixes from several sources, a suggestion, the person's choice."""

from __future__ import annotations

import pytest

from siaga112.domain.calls import Channel
from siaga112.domain.errors import InvalidValue
from siaga112.domain.locations import LocationMethod, LocationSource, suggested_fix
from siaga112.services import commands as c


def test_fixes_form_a_trail_and_only_a_person_chooses(siaga, clock):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    network = siaga.bus.handle(c.RecordLocationFix(
        call_id=call, source=LocationSource.NETWORK, lat=-3.9747, lon=122.6006, radius_m=800,
        method=LocationMethod.CELL))
    clock.advance(20)
    aml = siaga.bus.handle(c.RecordLocationFix(
        call_id=call, source=LocationSource.AML, lat=-3.97471, lon=122.60055, radius_m=12,
        confidence=68, method=LocationMethod.GNSS))
    with siaga.uow() as uow:
        trail = uow.locations.for_call(call)
        chosen_before = uow.calls.get(call).chosen_location_id
    assert [f.source for f in trail] == [LocationSource.NETWORK, LocationSource.AML]
    assert suggested_fix(trail).id == aml  # newest and most precise
    assert chosen_before is None  # a suggestion is not a choice

    siaga.bus.handle(c.ChooseCallLocation(call_id=call, fix_id=network, by="ani"))
    with siaga.uow() as uow:
        assert uow.calls.get(call).chosen_location_id == network
        log = uow.event_log.for_aggregate("call", str(call))
    assert [r["event_type"] for r in log][-1] == "CallLocationChosen"
    assert "-3.97" not in str(log)  # where the caller was stays out of the append-only log


def test_a_far_fix_is_flagged_and_a_foreign_fix_cannot_be_chosen(siaga):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081234567890"))
    other = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller="081299999999"))
    far = siaga.bus.handle(c.RecordLocationFix(  # Makassar, ~350 km away
        call_id=call, source=LocationSource.AML, lat=-5.1477, lon=119.4327, radius_m=10))
    with siaga.uow() as uow:
        assert uow.locations.get(far).outside_area is True
    with pytest.raises(InvalidValue, match="not one of this call's locations"):
        siaga.bus.handle(c.ChooseCallLocation(call_id=other, fix_id=far, by="ani"))
    with pytest.raises(InvalidValue, match="latitude"):
        siaga.bus.handle(c.RecordLocationFix(call_id=call, source=LocationSource.MANUAL,
                                             lat=95, lon=122.5))

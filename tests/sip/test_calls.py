"""112 calls over SIP with a real peer (sipp): stored, queued, offered, answered, ended."""

from __future__ import annotations


def calls(sip, **where) -> list:
    return sip.rows("calls", "received_at", **where)


def test_a_call_is_answered_at_the_position_and_both_legs_end(sip):
    sip.phone("pos-01")
    sip.ready("pos-01")
    caller = sip.call(hold_ms=500)
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    assert sip.phones_done() == [0]  # the phone got the INVITE, answered, and the BYE
    call = sip.wait_for(lambda: calls(sip, state="released"))[0]
    assert call.caller_number == "+6281234567890" and call.caller_raw == "081234567890"
    assert call.position_code == "pos-01" and call.call_taker == "op-pos-01"
    talk = (call.released_at - call.connected_at).total_seconds()
    assert 0.4 < talk < 3, talk  # the caller talked 0.5 s
    assert (call.connected_at - call.received_at).total_seconds() < 2
    sip_row = sip.rows("sip_calls", call_id=call.id)[0]
    assert sip_row.identity_header == "from" and '"Ani"' in sip_row.identity_raw
    assert sip_row.sip_call_id.startswith("sip:")
    position = sip.rows("positions", code="pos-01")[0]
    assert position.state == "ready" and position.idle_since >= call.released_at
    assert sip.steps(call.id) == ["received", "queued", "offered", "connected", "released"]


def test_the_position_hanging_up_ends_the_callers_leg_too(sip):
    sip.phone("pos-02", "phone_hangs_up.xml", extra=("-d", "400"))
    sip.ready("pos-02")
    caller = sip.call("caller_waits.xml")
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    assert sip.phones_done() == [0]
    call = sip.wait_for(lambda: calls(sip, state="released"))[0]
    released = sip.rows("event_log", aggregate_id=str(call.id), after="released")
    assert released[0].reason == "position_hung_up"


def test_an_ng112_call_brings_its_pidf_lo_location_in_kendari(sip):
    sip.phone("pos-01")
    sip.ready("pos-01")
    caller = sip.call("caller_ng112.xml", caller="+6281355550112")
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    call = sip.wait_for(lambda: calls(sip, state="released"))[0]
    fix = sip.wait_for(lambda: sip.rows("location_fixes", call_id=call.id))[0]
    assert (fix.source, fix.lat, fix.lon, fix.radius_m) == ("network", -3.97321, 122.51537, 35)
    assert fix.method == "gnss" and not fix.outside_area
    assert fix.caller_number == "+6281355550112"
    status = sip.rows("sip_calls", call_id=call.id)
    assert status[0].location_status == "ok: Circle"


def test_a_withheld_number_is_stored_as_withheld_with_its_header(sip):
    sip.phone("pos-01")
    sip.ready("pos-01")
    caller = sip.call("caller_withheld.xml")
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    call = sip.wait_for(lambda: calls(sip, state="released"))[0]
    assert call.caller_number is None and call.caller_raw is None
    raw = sip.rows("sip_calls", call_id=call.id)[0].identity_raw
    assert "anonymous@anonymous.invalid" in raw


def test_a_tel_p_asserted_identity_gives_the_number(sip):
    sip.phone("pos-01")
    sip.ready("pos-01")
    caller = sip.call("caller_pai_tel.xml", caller="+6281299991234")
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    call = sip.wait_for(lambda: calls(sip, state="released"))[0]
    assert call.caller_number == "+6281299991234"
    row = sip.rows("sip_calls", call_id=call.id)[0]
    assert (row.identity_header, row.identity_raw) == ("p-asserted-identity",
                                                       "<tel:+6281299991234>")


def test_a_caller_who_hangs_up_in_the_queue_is_abandoned_and_called_back(sip):
    # No position is ready: the callers hear ringing, then give up (1.5 s).
    caller = sip.call("caller_cancels.xml", caller="081311112222", calls=2)
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    abandoned = sip.wait_for(lambda: len(calls(sip, state="abandoned")) == 2 and
                             calls(sip, state="abandoned"))
    assert len(abandoned) == 2
    for call in abandoned:
        wait = (call.abandoned_at - call.received_at).total_seconds()
        assert 1.4 < wait < 4, wait
        assert call.connected_at is None and call.offered_at is None
    tasks = sip.wait_for(lambda: sip.rows("callback_tasks"))
    assert len(tasks) == 1  # one open task per number, two missed calls on it
    task = tasks[0]
    assert (task.caller_number, task.status, task.missed_calls) == ("+6281311112222", "open", 2)
    assert task.first_call_id == abandoned[0].id and task.last_call_id == abandoned[1].id


def test_a_ring_not_answered_makes_the_position_not_ready_and_the_next_one_answers(sip):
    sip.phone("pos-01", "phone_no_answer.xml")
    sip.phone("pos-02")
    sip.ready("pos-01", "pos-02")  # pos-01 is the longest idle: it rings first
    caller = sip.call()
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    assert sip.phones_done() == [0, 0]  # pos-01 was cancelled, pos-02 answered
    call = sip.wait_for(lambda: calls(sip, state="released"))[0]
    assert call.position_code == "pos-02" and call.offer_count == 2
    wait = (call.connected_at - call.received_at).total_seconds()
    assert 5 <= wait < 8, wait  # the 5 s ring timeout, then the next position
    pos1 = sip.rows("positions", code="pos-01")[0]
    assert (pos1.state, pos1.not_ready_reason) == ("not_ready", "no_answer")
    assert sip.steps(call.id) == ["received", "queued", "offered", "queued", "offered",
                                  "connected", "released"]


def test_a_call_over_tcp_is_answered_and_hung_up_like_one_over_udp(sip):
    sip.phone("pos-01", "phone_hangs_up.xml", extra=("-d", "300"))
    sip.ready("pos-01")
    caller = sip.call("caller_waits.xml", transport="t1")  # the position's BYE comes over TCP
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    call = sip.wait_for(lambda: calls(sip, state="released"))[0]
    assert call.position_code == "pos-01"


def test_malformed_requests_get_400_and_the_listener_goes_on(sip):
    result = sip.call("malformed.xml")
    assert result.returncode == 0, result.stderr + result.stdout[-2000:]
    assert sip.telephony.node.stats["malformed"] == 2
    sip.phone("pos-01")
    sip.ready("pos-01")
    caller = sip.call()
    assert caller.returncode == 0, caller.stderr + caller.stdout[-2000:]
    assert sip.wait_for(lambda: calls(sip, state="released"))

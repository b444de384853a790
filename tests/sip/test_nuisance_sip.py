"""Nuisance screening with a real SIP peer (sipp): a blocked number hears no ringing and gets
603 Decline, and its call is stored; a withheld caller is never blocked and is answered."""

from __future__ import annotations

import pytest

from siaga112.config_nuisance import NuisanceConfig
from siaga112.domain.calls import Channel, Disposition
from siaga112.services import commands as c

BLOCKED = "081366660001"


@pytest.fixture
def kendari(kendari):
    return kendari.model_copy(update={"nuisance": NuisanceConfig(warn_after=2, block_after=3)})


def prank(siaga, number):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=number))
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
    siaga.bus.handle(c.DisposeCall(call_id=call, disposition=Disposition.PRANK, by="ani"))
    siaga.bus.handle(c.ReleaseCall(call_id=call, actor="ani"))


def test_a_blocked_number_gets_603_and_is_stored_while_a_withheld_caller_is_answered(sip):
    for number in (BLOCKED, None) * 3:  # three pranks each: only the number is blocked
        prank(sip.siaga, number)
    [block] = sip.rows("nuisance_blocks")
    assert block.caller_number == "+6281366660001" and block.lifted_at is None

    declined = sip.call("caller_declined.xml", caller=BLOCKED)
    assert declined.returncode == 0, declined.stderr + declined.stdout[-2000:]
    stored = sip.wait_for(lambda: [r for r in sip.rows("calls", caller_number="+6281366660001")
                                   if (r.external_id or "").startswith("sip:")])
    assert len(stored) == 1 and stored[0].state == "released"  # nothing is lost
    assert sip.steps(stored[0].id) == ["received", "screening", "released"]
    released = sip.rows("event_log", aggregate_id=str(stored[0].id), after="released")
    assert released[0].reason == "blocked_nuisance"
    assert sip.rows("sip_calls", call_id=stored[0].id)[0].refused_with == 603
    screening = sip.rows("call_screenings", call_id=stored[0].id)[0]
    assert (screening.outcome, screening.block_id) == ("blocked", block.id)
    assert not sip.rows("callback_tasks")  # a blocked prank is not called back

    sip.phone("pos-01")
    sip.ready("pos-01")
    withheld = sip.call("caller_withheld.xml")
    assert withheld.returncode == 0, withheld.stderr + withheld.stdout[-2000:]
    assert sip.phones_done() == [0]
    answered = sip.wait_for(lambda: [r for r in sip.rows("calls", state="released")
                                     if r.external_id and r.external_id.startswith("sip:")
                                     and r.caller_number is None])
    assert answered[0].connected_at is not None and answered[0].position_code == "pos-01"

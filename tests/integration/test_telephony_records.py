"""What the telephony handlers store, on both databases: one call per SIP Call-ID, one
open callback per number, restarts, and retention of the SIP identity."""

from __future__ import annotations

from siaga112.domain.calls import CallState
from siaga112.domain.positions import PositionState
from siaga112.services import commands as c
from siaga112.services import personal_data


def test_a_retransmitted_invite_is_one_call(siaga):
    first = siaga.bus.handle(c.TakeSipCall(external_id="sip:x@telco", caller="0812345678"))
    again = siaga.bus.handle(c.TakeSipCall(external_id="sip:x@telco", caller="0812345678"))
    assert first == again
    with siaga.uow() as uow:
        assert len(uow.calls.list()) == 1


def test_interrupting_live_calls_frees_positions_and_opens_callbacks(siaga, clock):
    siaga.bus.handle(c.LogInPosition(position_code="pos-01", operator="ani"))
    siaga.bus.handle(c.SetPositionReady(position_code="pos-01"))
    ringing = siaga.bus.handle(c.TakeSipCall(external_id="sip:a", caller="081211110000"))
    siaga.bus.handle(c.OfferCall(call_id=ringing, position_code="pos-01"))
    queued = siaga.bus.handle(c.TakeSipCall(external_id="sip:b", caller="081211110000"))
    clock.advance(3)
    assert siaga.bus.handle(c.InterruptLiveCalls()) == 2
    with siaga.uow() as uow:
        assert {uow.calls.get(i).state for i in (ringing, queued)} == {CallState.INTERRUPTED}
        position = uow.positions.get("pos-01")
        assert (position.state, position.not_ready_reason) == (PositionState.NOT_READY,
                                                               "node_restart")
        [task] = uow.callbacks.list()
    assert (task.missed_calls, task.reason.value) == (2, "interrupted")


def test_the_backup_center_answering_takes_the_call_from_a_ringing_position(siaga):
    siaga.bus.handle(c.LogInPosition(position_code="pos-02", operator="ani"))
    siaga.bus.handle(c.SetPositionReady(position_code="pos-02"))
    call_id = siaga.bus.handle(c.TakeSipCall(external_id="sip:o", caller="0812345678"))
    siaga.bus.handle(c.OfferCall(call_id=call_id, position_code="pos-02"))
    siaga.bus.handle(c.ConnectCall(call_id=call_id, position_code=None,
                                   destination="sip:112@backup.example"))
    with siaga.uow() as uow:
        call, position = uow.calls.get(call_id), uow.positions.get("pos-02")
    assert (call.state, call.position_code, call.call_taker) == (
        CallState.CONNECTED, "overflow", "overflow:sip:112@backup.example")
    assert position.state is PositionState.READY  # rang without fault: ready again


def test_retention_forgets_the_sip_identity_and_masks_closed_callbacks(siaga, clock):
    call_id = siaga.bus.handle(c.TakeSipCall(
        external_id="sip:r", caller="081311112222", identity_header="from",
        identity_raw='"Ani" <sip:081311112222@telco>;tag=1'))
    siaga.bus.handle(c.EndSipCall(call_id=call_id, by="caller"))
    with siaga.uow() as uow:
        [task] = uow.callbacks.list()
    siaga.bus.handle(c.CloseCallbackTask(task_id=task.id, by="ani"))
    clock.advance(731 * 86400)
    personal_data.purge(siaga.uow(), retention=siaga.center.retention, clock=siaga.clock)
    with siaga.uow() as uow:
        assert uow.sip_calls.get(call_id)["identity_raw"] is None
        [closed] = uow.callbacks.list(status=None)
    assert closed.caller_number == "+6281******222"


def test_a_ringing_position_cannot_be_set_ready_only_not_ready(siaga):
    import pytest

    from siaga112.domain.errors import Conflict

    siaga.bus.handle(c.LogInPosition(position_code="pos-03", operator="ani"))
    siaga.bus.handle(c.SetPositionReady(position_code="pos-03"))
    call_id = siaga.bus.handle(c.TakeSipCall(external_id="sip:r3", caller="0812345678"))
    siaga.bus.handle(c.OfferCall(call_id=call_id, position_code="pos-03"))
    with pytest.raises(Conflict, match="ringing"):
        siaga.bus.handle(c.SetPositionReady(position_code="pos-03"))
    siaga.bus.handle(c.SetPositionNotReady(position_code="pos-03", reason="pass it on"))
    with siaga.uow() as uow:
        assert uow.positions.get("pos-03").state is PositionState.NOT_READY

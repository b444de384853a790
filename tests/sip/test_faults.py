"""Faults and bad input at the SIP node: stored before anything but 100 leaves, 503 beyond
the admission limit (stored first), restarts, lost ACKs, hostile datagrams."""

from __future__ import annotations

import socket
import time
import uuid

import pytest

from siaga112.adapters.sip import message as m
from siaga112.entrypoints.sip import start_telephony
from tests.sip.conftest import running_sip
from tests.unit.sip.test_hostile import HOSTILE


class Caller:
    """A bare UDP SIP client, to watch the node's answers one by one."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.dest = ("127.0.0.1", port)
        self.local = self.sock.getsockname()

    def invite(self, call_id: str, number: str = "081234567890", body: bytes = b"") -> None:
        self.send(self.request("INVITE", call_id, number=number, body=body))

    def request(self, method: str, call_id: str, *, number: str = "081234567890",
                cseq: int = 1, body: bytes = b"", to_tag: str = "", branch: str = "") -> bytes:
        host, port = self.local
        to = f"<sip:112@127.0.0.1:{self.dest[1]}>" + (f";tag={to_tag}" if to_tag else "")
        headers = [("via", f"SIP/2.0/UDP {host}:{port};branch={branch or 'z9hG4bK' + call_id}"),
                   ("from", f"<sip:{number}@{host}:{port}>;tag=t{call_id}"), ("to", to),
                   ("call-id", call_id), ("cseq", f"{cseq} {method}"),
                   ("contact", f"<sip:caller@{host}:{port}>"), ("max-forwards", "70")]
        if body:
            headers.append(("content-type", "application/sdp"))
        return m.serialize(f"{method} sip:112@127.0.0.1:{self.dest[1]} SIP/2.0", headers, body)

    def send(self, data: bytes) -> None:
        self.sock.sendto(data, self.dest)

    def receive(self, timeout: float = 5) -> m.SipMessage:
        self.sock.settimeout(timeout)
        return m.parse(self.sock.recv(65536))

    def expect(self, status: int, timeout: float = 5) -> m.SipMessage:
        deadline = time.monotonic() + timeout
        while True:
            msg = self.receive(max(0.01, deadline - time.monotonic()))
            if msg.status == status:
                return msg

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def caller(sip):
    client = Caller(sip.port)
    yield client
    client.close()


def test_the_call_row_is_committed_before_the_caller_hears_anything_but_trying(sip, caller):
    sip.telephony.writer.before_commit = lambda: time.sleep(0.4)  # a slow disk
    call_id = f"durable-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    caller.invite(call_id)
    trying = caller.receive()
    assert trying.status == 100 and time.monotonic() - started < 0.3  # at once
    ringing = caller.receive()
    assert ringing.status == 180 and time.monotonic() - started >= 0.4  # after the commit
    stored = sip.rows("calls", external_id=f"sip:{call_id}")  # read as soon as 180 came
    assert len(stored) == 1 and stored[0].state == "queued"


def test_beyond_the_admission_limit_a_call_is_stored_then_refused_with_503(siaga, sipp_binary,
                                                                            tmp_path):
    limited = siaga.center.model_copy(update={"telephony": siaga.center.telephony.model_copy(
        update={"admission_limit": 1, "retry_after_seconds": 7})})
    siaga.center = limited
    with running_sip(siaga, sipp_binary, tmp_path) as sip:
        client = Caller(sip.port)
        try:
            client.invite("first")  # no position ready: it waits in the queue
            client.expect(180)
            client.invite("second", number="081298765432")
            refused = client.expect(503)
            assert refused.call_id == "second" and refused.get("retry-after") == "7"
            client.send(client.request("ACK", "second", to_tag=m.param(refused.get("to"), "tag")))
        finally:
            client.close()
        second = sip.rows("calls", external_id="sip:second")[0]
        assert second.state == "interrupted"  # every attempt counts in the reports
        assert sip.rows("sip_calls", call_id=second.id)[0].refused_with == 503
        task = sip.wait_for(lambda: sip.rows("callback_tasks"))[0]
        assert task.caller_number == "+6281298765432" and task.reason == "interrupted"
        assert sip.rows("calls", external_id="sip:first")[0].state == "queued"


def test_after_a_restart_calls_that_were_live_are_interrupted_and_called_back(
        siaga, sipp_binary, tmp_path):
    with running_sip(siaga, sipp_binary, tmp_path) as sip:
        client = Caller(sip.port)
        client.invite("before-crash", number="081377778888")
        client.expect(180)
        client.close()
    # The node is gone with its dialogs; the row still says queued. Start again:
    telephony = start_telephony(siaga, host="127.0.0.1", port=0)
    try:
        with siaga.uow() as uow:
            call = uow.calls.by_external_id("sip:before-crash")
            tasks = uow.callbacks.list()
        assert call is not None and call.state.value == "interrupted"
        assert [t.caller_number for t in tasks] == ["+6281377778888"]
    finally:
        telephony.stop()


def test_an_answer_never_acknowledged_ends_both_legs(sip, caller):
    sip.phone("pos-01")
    sip.ready("pos-01")
    caller.invite("no-ack", body=b"v=0\r\n")
    ok = caller.expect(200)
    assert ok.get("content-type") == "application/sdp"  # the phone's answer, passed through
    # No ACK: the node retransmits the 200, then gives up (64*T1 = 32 s, shortened here).
    leg = sip.telephony.node.inbound["no-ack"]
    assert sip.wait_for(lambda: leg.final is not None, 2)  # retransmitting, awaiting the ACK
    sip.telephony.node.loop.call_from_thread(leg.final._expired)
    call = sip.wait_for(lambda: sip.rows("calls", external_id="sip:no-ack",
                                         state="interrupted"))
    assert call and sip.phones_done() == [0]  # the phone got its BYE


def test_hostile_datagrams_get_400_or_are_dropped_and_the_node_goes_on(sip, caller):
    over_udp = {k: v for k, v in HOSTILE.items() if len(v) < 65000}  # UDP's own limit
    for data in over_udp.values():
        caller.send(data)
    caller.send(b"\x00\xff garbage")
    caller.send(b"")
    answers = []
    try:
        while True:
            answers.append(caller.receive(timeout=1).status)
    except TimeoutError:
        pass
    assert answers and set(answers) <= {400, 513}
    assert sip.telephony.node.stats["malformed"] >= len(over_udp)
    assert not sip.rows("calls")  # none of it became a call
    caller.send(caller.request("OPTIONS", "alive"))
    assert caller.expect(200).call_id == "alive"


def test_an_unknown_transaction_gets_481_and_other_methods_405(sip, caller):
    caller.send(caller.request("BYE", "nobody", cseq=2))
    assert caller.expect(481).call_id == "nobody"
    caller.send(caller.request("REGISTER", "reg"))
    assert caller.expect(405).get("allow") == "INVITE, ACK, CANCEL, BYE, OPTIONS"


def test_a_ringing_position_set_not_ready_gives_the_call_to_the_next(sip, caller):
    sip.phone("pos-01", "phone_no_answer.xml")
    sip.phone("pos-02")
    sip.ready("pos-01", "pos-02")
    caller.invite("moved", body=b"v=0\r\n")
    caller.expect(180)
    sip.wait_for(lambda: sip.rows("positions", code="pos-01", state="ringing"))
    from siaga112.services import commands as c

    sip.siaga.bus.handle(c.SetPositionNotReady(position_code="pos-01", reason="toilet"))
    ok = caller.expect(200, timeout=4)  # well before the 5 s ring timeout
    caller.send(caller.request("ACK", "moved", to_tag=m.param(ok.get("to"), "tag")))
    call = sip.wait_for(lambda: sip.rows("calls", external_id="sip:moved", state="connected"))
    assert call[0].position_code == "pos-02"
    assert sip.rows("positions", code="pos-01")[0].not_ready_reason == "toilet"


def test_after_the_overflow_wait_the_backup_center_is_offered_the_call_too(siaga, sipp_binary,
                                                                           tmp_path):
    from tests.sip.conftest import free_port

    backup = free_port()
    siaga.center = siaga.center.model_copy(update={"telephony": siaga.center.telephony.model_copy(
        update={"overflow_after_seconds": 1, "overflow_uri": f"sip:112@127.0.0.1:{backup}"})})
    with running_sip(siaga, sipp_binary, tmp_path) as sip:
        import subprocess

        from tests.sip.conftest import SCENARIOS

        center = subprocess.Popen(
            [sipp_binary, "-sf", str(SCENARIOS / "phone_answers.xml"), "-i", "127.0.0.1",
             "-p", str(backup), "-m", "1", "-nostdin", "-timeout", "20s"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
        try:
            result = sip.call(hold_ms=300)  # nobody is ready here
            assert result.returncode == 0, result.stdout[-2000:]
            assert center.wait(20) == 0
        finally:
            if center.poll() is None:
                center.kill()
                center.wait()
        call = sip.wait_for(lambda: sip.rows("calls", state="released"))[0]
        assert call.position_code == "overflow" and call.call_taker.startswith("overflow:sip:")
        assert 1 <= (call.connected_at - call.received_at).total_seconds() < 3
        assert sip.rows("event_log", aggregate_id=str(call.id),
                        event_type="CallOfferedToOverflow")


def test_a_bad_location_never_refuses_or_delays_the_call(sip, caller):
    from tests.unit.sip.test_pidf import invite

    bad = invite(b"<presence><not-closed>").replace(b"Call-ID: ng1", b"Call-ID: badloc")
    started = time.monotonic()
    caller.send(bad)
    assert caller.expect(180).call_id == "badloc" and time.monotonic() - started < 2
    row = sip.rows("sip_calls", sip_call_id="sip:badloc")[0]
    assert row.location_status.startswith("bad: PIDF-LO is not well-formed")
    assert sip.rows("calls", id=row.call_id)[0].state == "queued"
    assert not sip.rows("location_fixes")


def test_a_dialog_longer_than_the_maximum_is_cleaned_up(siaga, sipp_binary, tmp_path):
    siaga.center = siaga.center.model_copy(update={"telephony": siaga.center.telephony.model_copy(
        update={"max_call_seconds": 1})})
    with running_sip(siaga, sipp_binary, tmp_path) as sip:
        client = Caller(sip.port)
        try:
            client.invite("stuck", number="081366665555")  # nobody ready: it waits...
            client.expect(180)
            assert client.expect(480, timeout=4).call_id == "stuck"  # ...until cleaned up
        finally:
            client.close()
        call = sip.wait_for(lambda: sip.rows("calls", external_id="sip:stuck",
                                             state="interrupted"))
        assert call and sip.wait_for(lambda: sip.rows("callback_tasks"))
        assert sip.telephony.node.live_calls == 0

"""The same SIP stack as a bare answering server: 100, 180, 200 to every INVITE, 200 to
BYE, no database and no queue. The benchmark's yardstick (bench/sip_intake.py)."""

from __future__ import annotations

import threading
import time

from siaga112.adapters.sip import message as m
from siaga112.adapters.sip.dialogs import LINGER, Address, Retransmitter
from siaga112.adapters.sip.loop import Loop, Transport

SDP = (b"v=0\r\no=siaga112 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")


class BareServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.loop = Loop(self._receive)
        self.host, self.port = self.loop.listen(host, port, tcp=False)
        self.contact = f"<sip:bare@{self.host}:{self.port}>"
        self.calls: dict[str, tuple[bytes, Retransmitter | None]] = {}
        self.answered = 0
        self.invites = 0
        self.arrivals: tuple[float, float] = (0.0, 0.0)  # first and last new INVITE
        self._thread = threading.Thread(target=self.loop.run, name="sip-bare", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.loop.stop()
        self._thread.join(timeout=10)

    def _receive(self, data: bytes, source: Address, transport: Transport) -> None:
        try:
            msg = m.parse(data)
        except m.SipError:
            return
        if not msg.is_request:
            return
        known = self.calls.get(msg.call_id)
        if msg.method == "INVITE":
            if known is not None:
                transport.send(known[0], source)
                return
            self.invites += 1
            self.arrivals = (self.arrivals[0] or time.monotonic(), time.monotonic())
            tag = m.new_tag()
            transport.send(m.response(msg, 100), source)
            transport.send(m.response(msg, 180, to_tag=tag), source)
            ok = m.response(msg, 200, to_tag=tag, body=SDP, extra=[
                ("contact", self.contact), ("content-type", "application/sdp")])
            self.calls[msg.call_id] = (ok, Retransmitter(self.loop, transport, ok, source))
            self.loop.call_later(LINGER + 5, self.calls.pop, msg.call_id, None)
        elif msg.method == "ACK" and known is not None and known[1] is not None:
            known[1].stop()
            self.calls[msg.call_id] = (known[0], None)
        elif msg.method == "BYE":
            transport.send(m.response(msg, 200), source)
            self.answered += 1
        elif msg.method != "ACK":
            transport.send(m.response(msg, 200), source)

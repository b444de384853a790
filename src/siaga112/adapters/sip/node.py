"""The SIP node: a back-to-back agent between the trunk and the call-takers' phones.

It turns SIP into call events for the switchboard (services/switchboard.py) and carries
out the switchboard's decisions (ring, offer, cancel, refuse, hang up). The caller's leg
is answered only when a phone answers; media flows directly between them (SDP passed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Protocol

from siaga112.adapters.sip import admission, message as m
from siaga112.adapters.sip.caller import caller_identity
from siaga112.adapters.sip.dialogs import (
    LINGER,
    Address,
    InboundLeg,
    OutboundLeg,
    Retransmitter,
)
from siaga112.adapters.sip.loop import Loop, Transport
from siaga112.adapters.sip.offers import PhoneSide
from siaga112.adapters.sip.pidf import LocationError, location_of
from siaga112.adapters.sip.screening import ScreeningSide
from siaga112.services.switchboard import Arrival

log = logging.getLogger(__name__)
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"
IN_DIALOG_OK = frozenset({"INFO", "UPDATE", "NOTIFY", "MESSAGE", "PRACK"})
RINGING_REFRESH = 30.0  # seconds between repeated 180s while a call waits in the queue


class CallEvents(Protocol):
    """What the node tells the switchboard (all on the node's thread)."""

    def arrived(self, ref: str, arrival: Arrival, *, refused_with: int | None) -> None: ...
    def caller_gone(self, ref: str) -> None: ...
    def offer_answered(self, ref: str, target: str) -> None: ...
    def offer_failed(self, ref: str, target: str, status: int) -> None: ...
    def call_ended(self, ref: str, by: str) -> None: ...
    def call_failed(self, ref: str, reason: str) -> None: ...
    def screening_heard(self, ref: str, kind: str, detail: str) -> None: ...


class SipNode(PhoneSide, ScreeningSide):
    def __init__(self, *, host: str, port: int, admission_limit: int,
                 max_call_seconds: float, tcp: bool = True) -> None:
        self.loop = Loop(self._receive)
        self.host, self.port = self.loop.listen(host, port, tcp=tcp)
        self.advertised = "127.0.0.1" if self.host == "0.0.0.0" else self.host
        self.via = f"SIP/2.0/UDP {self.advertised}:{self.port}"
        self.contact = f"<sip:siaga112@{self.advertised}:{self.port}>"
        self.admission = admission.Admission(admission_limit)
        self.max_call_seconds = max_call_seconds
        self.events: CallEvents | None = None
        self.media = None  # a MediaRelay when the center's [media] relay is on
        self.tap = None  # a MediaTap when silent-call screening is on (docs/screening.md)
        self.announcements = {}
        self.inbound: dict[str, InboundLeg] = {}
        self.outbound: dict[str, OutboundLeg] = {}  # by our Call-ID
        self.stats = {"received": 0, "malformed": 0, "refused": 0}
        self.arrivals: tuple[float, float] = (0.0, 0.0)  # first and last new INVITE
        # Seconds from each INVITE to its 180 and to its 200 (the benchmark reads them).
        self.latencies: dict[str, deque[float]] = {
            "invite_180": deque(maxlen=200_000), "invite_200": deque(maxlen=200_000)}
        self._thread: threading.Thread | None = None

    # -- running -------------------------------------------------------------------------
    def start(self, events: CallEvents) -> None:
        self.events = events
        self._thread = threading.Thread(target=self.loop.run, name="sip-node", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.loop.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def address(self) -> str:
        return f"sip:{self.advertised}:{self.port}"

    # -- input ---------------------------------------------------------------------------
    def _receive(self, data: bytes, source: Address, transport: Transport) -> None:
        if not data.strip():
            return  # keep-alive
        try:
            msg = m.parse(data)
        except m.SipError as exc:
            self.stats["malformed"] += 1
            self._bad(exc, source, transport)
            return
        if msg.is_request:
            self._request(msg, source, transport)
        else:
            self._response(msg)

    def _bad(self, exc: m.SipError, source: Address, transport: Transport) -> None:
        partial = exc.partial
        log.info("malformed SIP from %s:%s: %s", source[0], source[1], exc)
        if (partial is None or not partial.is_request or partial.method == "ACK"
                or any(not partial.get(h) for h in m.REQUIRED)):
            return  # nothing to answer to: dropped
        transport.send(m.response(partial, exc.status, reason=exc.reason), source)

    def _request(self, msg: m.SipMessage, source: Address, transport: Transport) -> None:
        method = msg.method
        if method == "INVITE":
            self._invite(msg, source, transport)
        elif method == "ACK":
            self._ack(msg)
        elif method == "CANCEL":
            self._cancel(msg, source, transport)
        elif method == "BYE":
            self._bye(msg, source, transport)
        elif method == "OPTIONS":
            transport.send(m.response(msg, 200, extra=[("allow", ALLOW)]), source)
        elif method in IN_DIALOG_OK and (msg.call_id in self.inbound
                                         or msg.call_id in self.outbound):
            transport.send(m.response(msg, 200), source)
        else:
            transport.send(m.response(msg, 405, extra=[("allow", ALLOW)]), source)

    def _invite(self, msg: m.SipMessage, source: Address, transport: Transport) -> None:
        ref = msg.call_id
        leg = self.inbound.get(ref)
        if leg is not None:
            if msg.cseq == leg.invite.cseq:  # a retransmission: the same answer again
                transport.send(leg.last_response or m.response(msg, 100), source)
            elif leg.state == "confirmed" and leg.answer_sdp:  # re-INVITE: keep the session
                ctype, body = leg.answer_sdp
                transport.send(m.response(msg, 200, to_tag=leg.to_tag, body=body, extra=[
                    ("contact", self.contact), ("content-type", ctype)]), source)
            else:
                transport.send(m.response(msg, 491, reason="Request Pending"), source)
            return
        if ref in self.outbound:  # the phone refreshes its session: keep it
            out = self.outbound[ref]
            transport.send(m.response(msg, 200, extra=[("contact", self.contact)]), source)
            log.debug("re-INVITE from %s answered", out.target)
            return
        if any(self.via.split(" ", 1)[1] in v and "z9hG4bK" in v for v in msg.values("via")[1:]):
            transport.send(m.response(msg, 482), source)
            return
        if m.param(msg.get("to") or "", "tag") is not None:
            transport.send(m.response(msg, 481), source)
            return
        self.stats["received"] += 1
        self.arrivals = (self.arrivals[0] or time.monotonic(), time.monotonic())
        refused = None if self.admission.admit() else 503
        leg = InboundLeg(ref=ref, invite=msg, transport=transport, source=source,
                         received=time.monotonic())
        self.inbound[ref] = leg
        self._send_provisional(leg, 100)
        leg.cleanup = self.loop.call_later(self.max_call_seconds, self._too_long, ref)
        if refused:
            self.stats["refused"] += 1
        assert self.events is not None
        self.events.arrived(ref, self._arrival(msg, source), refused_with=refused)

    @property
    def live_calls(self) -> int:
        return self.admission.live

    def _arrival(self, msg: m.SipMessage, source: Address) -> Arrival:
        identity = caller_identity(msg)
        location, status = None, "none"
        try:
            location = location_of(msg)
            status = f"ok: {location.shape}" if location else "none"
        except LocationError as exc:
            status = f"bad: {exc}"
            log.warning("call %s: location not usable, the call goes on: %s", msg.call_id, exc)
        except Exception as exc:  # never let a location refuse or delay the call
            status = f"bad: {type(exc).__name__}"
            log.exception("call %s: location parser failed, the call goes on", msg.call_id)
        return Arrival(caller=identity.number, identity_header=identity.header,
                       identity_raw=identity.raw, remote=f"{source[0]}:{source[1]}",
                       location=location, location_status=status)

    def _ack(self, msg: m.SipMessage) -> None:
        leg = self.inbound.get(msg.call_id)
        if leg is None or leg.final is None:
            return
        leg.final.stop()
        leg.final = None
        if leg.state == "answered":
            leg.state = "confirmed"

    def _cancel(self, msg: m.SipMessage, source: Address, transport: Transport) -> None:
        leg = self.inbound.get(msg.call_id)
        if leg is None or leg.invite.branch != msg.branch:
            transport.send(m.response(msg, 481), source)
            return
        transport.send(m.response(msg, 200, to_tag=leg.to_tag), source)
        if leg.state in ("proceeding", "ringing"):
            self._final(leg, 487)
            self._drop_offers(leg)
            assert self.events is not None
            self.events.caller_gone(leg.ref)

    def _bye(self, msg: m.SipMessage, source: Address, transport: Transport) -> None:
        assert self.events is not None
        leg = self.inbound.get(msg.call_id)
        if leg is not None:
            transport.send(m.response(msg, 200, to_tag=leg.to_tag), source)
            if leg.by_system and leg.live:  # left while waiting (answered for screening)
                leg.state = "ended"
                self._drop_offers(leg)
                self._close(leg)
                self.events.caller_gone(leg.ref)
            elif leg.state in ("answered", "confirmed"):
                self._end(leg, by="caller")
            elif leg.live:  # a BYE before the answer: as a CANCEL
                self._final(leg, 487)
                self._drop_offers(leg)
                self.events.caller_gone(leg.ref)
            return
        out = self.outbound.get(msg.call_id)
        if out is not None:
            transport.send(m.response(msg, 200), source)
            if out.state == "answered":
                out.state = "ended"
                caller = self.inbound.get(out.ref)
                if caller is not None and caller.live:
                    self._end(caller, by="position" if out.target != "overflow"
                              else "destination")
            return
        transport.send(m.response(msg, 481), source)

    # -- responses -----------------------------------------------------------------------
    def _response(self, msg: m.SipMessage) -> None:
        _, method = msg.cseq
        out = self.outbound.get(msg.call_id)
        if out is not None:
            if method == "INVITE":
                self._invite_response(out, msg)
            else:
                retx = out.requests.pop(msg.branch, None)
                if retx is not None and msg.status and msg.status >= 200:
                    retx.stop()
                elif retx is not None:
                    out.requests[msg.branch] = retx
            return
        leg = self.inbound.get(msg.call_id)
        if leg is not None:
            retx = leg.requests.pop(msg.branch, None)
            if retx is not None and msg.status and msg.status >= 200:
                retx.stop()
            elif retx is not None:
                leg.requests[msg.branch] = retx

    # -- what the switchboard asks (the Signalling port) ---------------------------------
    def ring(self, ref: str) -> None:
        leg = self.inbound.get(ref)
        if leg is not None and leg.state == "proceeding":
            leg.state = "ringing"
            self._send_provisional(leg, 180)
            self.latencies["invite_180"].append(time.monotonic() - leg.received)
            self.loop.call_later(RINGING_REFRESH, self._still_ringing, ref)

    def _still_ringing(self, ref: str) -> None:
        """RFC 3261 13.3.1.1: a provisional at least every minute while the caller waits, or
        a proxy in front (Kamailio's fr_inv_timer) gives the waiting call up."""
        leg = self.inbound.get(ref)
        if leg is None or leg.state != "ringing" or leg.last_response is None:
            return
        leg.transport.send(leg.last_response, leg.source)
        self.loop.call_later(RINGING_REFRESH, self._still_ringing, ref)

    def refuse(self, ref: str, status: int, retry_after: int | None = None) -> None:
        leg = self.inbound.get(ref)
        if leg is None or leg.state not in ("proceeding", "ringing"):
            return
        extra = [("retry-after", str(retry_after))] if retry_after else []
        self._final(leg, status, extra=extra)
        self._drop_offers(leg)

    def hang_up(self, ref: str) -> None:
        """The system ends a call: both legs."""
        leg = self.inbound.get(ref)
        if leg is None or not leg.live:
            return
        if leg.state in ("proceeding", "ringing"):
            self._final(leg, 480, reason="Temporarily Unavailable")
            self._drop_offers(leg)
        else:
            self._bye_in(leg)
            for out in list(leg.offers.values()):
                if out.state == "answered":
                    self._bye_out(out)
            self._close(leg)

    # -- internals -----------------------------------------------------------------------
    def _send_provisional(self, leg: InboundLeg, status: int) -> None:
        data = m.response(leg.invite, status, to_tag=leg.to_tag if status > 100 else None,
                          extra=[*_record_route(leg), ("contact", self.contact)]
                          if status > 100 else None)
        leg.last_response = data
        leg.transport.send(data, leg.source)

    def _final(self, leg: InboundLeg, status: int, *, body: bytes = b"",
               ctype: str | None = None, extra: list[tuple[str, str]] | None = None,
               reason: str | None = None) -> None:
        headers = list(extra or [])
        if status < 300:
            headers += [*_record_route(leg), ("contact", self.contact)]
        if ctype:
            headers.append(("content-type", ctype))
        data = m.response(leg.invite, status, to_tag=leg.to_tag, extra=headers, body=body,
                          reason=reason)
        leg.last_response = data
        if status >= 300:
            leg.state = "ended"
        leg.final = Retransmitter(self.loop, leg.transport, data, leg.source,
                                  lambda: self._no_ack(leg, status))
        if status >= 300:
            self._close(leg)

    def _no_ack(self, leg: InboundLeg, status: int) -> None:
        leg.final = None
        if status < 300 and leg.state == "answered":  # the caller never confirmed the answer
            log.warning("call %s: no ACK for the 200, ending both legs", leg.ref)
            for out in list(leg.offers.values()):
                if out.state == "answered":
                    self._bye_out(out)
            leg.state = "ended"
            self._close(leg)
            assert self.events is not None
            self.events.call_failed(leg.ref, "no_ack")

    def _end(self, leg: InboundLeg, *, by: str) -> None:
        """A BYE from one side: BYE the other, both legs end, the switchboard is told."""
        if by == "caller":
            for out in list(leg.offers.values()):
                if out.state == "answered":
                    self._bye_out(out)
        else:
            self._bye_in(leg)
        if leg.final is not None:
            leg.final.stop()
            leg.final = None
        leg.state = "ended"
        self._close(leg)
        assert self.events is not None
        self.events.call_ended(leg.ref, by)

    def _bye_in(self, leg: InboundLeg) -> None:
        via = self.via.replace("/UDP ", f"/{leg.transport.name.upper()} ")
        data, branch = leg.request("BYE", via)
        leg.requests[branch] = Retransmitter(self.loop, leg.transport, data, leg.target())

    def _too_long(self, ref: str) -> None:
        leg = self.inbound.get(ref)
        if leg is None or not leg.live:
            return
        log.warning("call %s: longer than %s s, cleaned up", ref, self.max_call_seconds)
        answered = leg.state in ("answered", "confirmed")
        self.hang_up(ref)
        assert self.events is not None
        if answered:
            self.events.call_ended(ref, "system")
        else:
            self.events.call_failed(ref, "max_call_seconds")

    def _close(self, leg: InboundLeg) -> None:
        if not leg.closed:
            leg.closed = True
            self.admission.release()
            self._stop_tap(leg.ref)
            if self.media is not None:
                self.media.ended(leg.ref)
        if leg.cleanup is not None:
            leg.cleanup.cancel()
        leg.cleanup = self.loop.call_later(LINGER, self._purge_in, leg.ref)

    def _purge_in(self, ref: str) -> None:
        leg = self.inbound.pop(ref, None)
        if leg is None:
            return
        for out in leg.offers.values():
            self._linger_out(out)


    def _stop_tap(self, ref: str) -> None:
        if self.tap is not None:
            self.tap.close(ref)


def _record_route(leg: InboundLeg) -> list[tuple[str, str]]:
    """RFC 3261 12.1.1: a response that makes a dialog copies the request's Record-Route,
    so that the caller's ACK and BYE pass the proxies in front (Kamailio) too."""
    return [("record-route", r) for r in leg.invite.values("record-route")]

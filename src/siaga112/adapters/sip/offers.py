"""The phone side of the node: offers to call-takers' phones (and the backup center) as
a SIP client: the INVITE, its answer bridged to the caller, CANCEL, BYE."""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING

from siaga112.adapters.sip import message as m
from siaga112.adapters.sip.dialogs import (
    LINGER,
    Address,
    InboundLeg,
    OutboundLeg,
    Retransmitter,
    ip_target,
)
from siaga112.adapters.sip.loop import Loop, Transport
from siaga112.adapters.sip.pidf import LocationError, body_parts

if TYPE_CHECKING:
    from siaga112.adapters.media.relay import MediaRelay
    from siaga112.adapters.sip.node import CallEvents

log = logging.getLogger(__name__)


class PhoneSide:
    loop: Loop
    via: str
    contact: str
    advertised: str
    port: int
    events: CallEvents | None
    inbound: dict[str, InboundLeg]
    outbound: dict[str, OutboundLeg]
    latencies: dict[str, deque[float]]
    media: MediaRelay | None  # [media] relay = "rtpengine": SDP through the relay

    def _final(self, leg: InboundLeg, status: int, *, body: bytes = b"",
               ctype: str | None = None, extra: list[tuple[str, str]] | None = None,
               reason: str | None = None) -> None:
        raise NotImplementedError

    def _invite_response(self, out: OutboundLeg, msg: m.SipMessage) -> None:
        status = msg.status or 0
        if out.invite is not None and status >= 100:
            out.invite.stop()  # a provisional ends the INVITE's retransmissions
            out.invite = None
        if status < 200:
            if out.state == "calling":
                out.state = "proceeding"
            if out.cancel_wanted and out.state != "cancelling":
                self._send_cancel(out)
            return
        if status >= 300:
            if out.state != "ended":
                self._udp(out.ack_for_error(self.via, msg), out.dest)
            failed = out.state in ("calling", "proceeding")
            self._forget(out)
            if failed:
                assert self.events is not None
                self.events.offer_failed(out.ref, out.target, status)
            return
        # 2xx: ACK every copy; the first one bridges the caller, if still wanted.
        first = out.to_header is None
        out.to_header = msg.get("to")
        out.contact = m.addr_uri(msg.get("contact") or "") or None
        out.routes = list(reversed(msg.values("record-route")))
        ack, _ = out.in_dialog(self.via, "ACK")
        self._udp(ack, out.dialog_target())
        if not first:
            return
        caller = self.inbound.get(out.ref)
        wanted = (out.state in ("calling", "proceeding") and caller is not None
                  and caller.waiting)
        if not wanted:  # cancelled meanwhile, or another destination won: hang it up
            out.state = "answered"
            self._bye_out(out)
            return
        out.state = "answered"
        assert caller is not None
        body, ctype = msg.body, msg.get("content-type") or "application/sdp"
        if caller.by_system:  # answered for screening: the relay now joins the phone
            caller.by_system = False
            self._stop_tap(out.ref)
            if self.media is not None:
                self.media.answer(out.ref, caller.to_tag, body)
        else:
            if self.media is not None:
                body = self.media.answer(out.ref, caller.to_tag, body)
            caller.answer_sdp = (ctype, body)
            caller.state = "answered"
            self._final(caller, 200, body=body, ctype=ctype if body else None)
            self.latencies["invite_200"].append(time.monotonic() - caller.received)
        for other in list(caller.offers.values()):
            if other is not out:
                self._cancel_out(other)
        assert self.events is not None
        self.events.offer_answered(out.ref, out.target)

    def _stop_tap(self, ref: str) -> None:
        raise NotImplementedError

    def offer(self, ref: str, target: str, uri: str, *, caller: str | None = None,
              call_id: str | None = None) -> None:
        leg = self.inbound.get(ref)
        if leg is None or not leg.waiting:
            return
        dest = ip_target(uri, None)
        if dest is None or dest == (self.advertised, self.port) or dest[1] == 0:
            log.error("position %s: cannot offer to %r (not an IP address, or this node)",
                      target, uri)
            assert self.events is not None
            self.loop.call_soon(self.events.offer_failed, ref, target, 0)
            return
        out = OutboundLeg(ref=ref, target=target, uri=m.addr_uri(uri), dest=dest,
                          call_id=f"{m.random_hex(10)}@{self.advertised}")
        headers = out.headers(self.via, out.branch, "INVITE", 1)
        display = caller or "Anonymous"
        user = caller or "anonymous"
        headers[2] = ("from", f'"{display}" <sip:{user}@{self.advertised}>;tag={out.from_tag}')
        headers.append(("contact", self.contact))
        headers += [("p-asserted-identity", v) for v in leg.invite.get_all("p-asserted-identity")]
        if call_id:
            headers.append(("x-siaga112-call", call_id))
        ctype, sdp = sdp_of(leg.invite)
        if self.media is not None and call_id:
            sdp = self.media.offer(ref, call_id, m.param(leg.invite.get("from") or "", "tag")
                                   or "", sdp)
        if ctype:
            headers.append(("content-type", ctype))
        out.invite_bytes = m.serialize(f"INVITE {out.uri} SIP/2.0", headers, sdp)
        out.invite = Retransmitter(self.loop, self._udp_transport(), out.invite_bytes, dest,
                                   lambda: self._offer_timeout(out))
        self.outbound[out.call_id] = out
        leg.offers[target] = out

    def cancel_offer(self, ref: str, target: str) -> None:
        leg = self.inbound.get(ref)
        out = leg.offers.get(target) if leg is not None else None
        if out is not None:
            self._cancel_out(out)

    def _udp_transport(self) -> Transport:
        assert self.loop.udp is not None
        return self.loop.udp

    def _udp(self, data: bytes, dest: Address) -> None:
        self._udp_transport().send(data, dest)

    def _bye_out(self, out: OutboundLeg) -> None:
        data, branch = out.in_dialog(self.via, "BYE")
        out.state = "ended"
        out.requests[branch] = Retransmitter(self.loop, self._udp_transport(), data,
                                             out.dialog_target())
        self._linger_out(out)

    def _cancel_out(self, out: OutboundLeg) -> None:
        if out.state in ("ended", "cancelling"):
            return
        if out.state == "answered":
            self._bye_out(out)
            return
        out.cancel_wanted = True
        if out.state == "proceeding":
            self._send_cancel(out)
        # still "calling": the CANCEL leaves once the phone sends a provisional answer

    def _send_cancel(self, out: OutboundLeg) -> None:
        out.state = "cancelling"
        retx = Retransmitter(self.loop, self._udp_transport(), out.cancel(self.via), out.dest)
        out.requests[out.branch] = retx

    def _offer_timeout(self, out: OutboundLeg) -> None:
        out.invite = None
        failed = out.state in ("calling", "proceeding")
        self._forget(out)
        if failed:
            assert self.events is not None
            self.events.offer_failed(out.ref, out.target, 408)

    def _drop_offers(self, leg: InboundLeg) -> None:
        for out in list(leg.offers.values()):
            self._cancel_out(out)

    def _linger_out(self, out: OutboundLeg) -> None:
        self.loop.call_later(LINGER, self.outbound.pop, out.call_id, None)

    def _forget(self, out: OutboundLeg) -> None:
        out.state = "ended"
        leg = self.inbound.get(out.ref)
        if leg is not None and leg.offers.get(out.target) is out:
            del leg.offers[out.target]
        self._linger_out(out)


def sdp_of(invite: m.SipMessage) -> tuple[str | None, bytes]:
    """The caller's SDP for the phone: the body, or its SDP part if multipart."""
    ctype = invite.get("content-type") or ""
    if not invite.body:
        return None, b""
    if not ctype.lower().startswith("multipart/"):
        return ctype, invite.body
    try:
        for part_type, _cid, body in body_parts(invite):
            if part_type.lower().startswith("application/sdp"):
                return "application/sdp", body
    except LocationError:
        pass
    return None, b""

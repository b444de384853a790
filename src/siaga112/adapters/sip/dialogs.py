"""The two legs of a call: the caller's (we are its server) and each offer to a phone
(we are its client), with the retransmissions UDP needs (RFC 3261 timers)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from siaga112.adapters.sip.loop import Loop, Timer, Transport
from siaga112.adapters.sip.message import (
    SipMessage,
    addr_uri,
    new_branch,
    new_tag,
    param,
    parse_uri,
    serialize,
)

T1, T2 = 0.5, 4.0
TIMER_B = 64 * T1  # an INVITE or request without any answer: give up
LINGER = 64 * T1  # a finished leg stays to absorb retransmissions
Address = tuple[str, int]


def ip_target(uri: str, default: Address | None) -> Address | None:
    """host:port of a SIP URI when the host is an IP literal; else the default (no DNS
    on the node's thread: positions' hosts are resolved once, at start)."""
    parsed = parse_uri(addr_uri(uri))
    if parsed is None:
        return default
    try:
        ipaddress.ip_address(parsed.host)
    except ValueError:
        return default
    return parsed.host, parsed.port or 5060


class Retransmitter:
    """Sends a message, and again at T1, 2T1, 4T1... (capped at T2) over UDP until stopped;
    calls `on_timeout` after Timer B/F/H."""

    def __init__(self, loop: Loop, transport: Transport, data: bytes, dest: Address,
                 on_timeout: Callable[[], Any] | None = None, *, cap: float = T2) -> None:
        self.loop, self.transport, self.data, self.dest = loop, transport, data, dest
        self.on_timeout, self.cap, self.interval = on_timeout, cap, T1
        self.timer: Timer | None = None
        transport.send(data, dest)
        if not transport.reliable:
            self.timer = loop.call_later(T1, self._again)
        self.deadline = loop.call_later(TIMER_B, self._expired)

    def _again(self) -> None:
        self.transport.send(self.data, self.dest)
        self.interval = min(self.interval * 2, self.cap)
        self.timer = self.loop.call_later(self.interval, self._again)

    def _expired(self) -> None:
        self.stop()
        if self.on_timeout is not None:
            self.on_timeout()

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.deadline.cancel()


@dataclass
class InboundLeg:
    """The caller's INVITE; we answer it (100, 180, then 200 bridged, or 487/503)."""

    ref: str  # the caller's Call-ID
    invite: SipMessage
    transport: Transport
    source: Address
    received: float  # monotonic
    to_tag: str = field(default_factory=new_tag)
    state: str = "proceeding"  # proceeding, ringing, answered, confirmed, ended
    last_response: bytes | None = None
    final: Retransmitter | None = None
    answer_sdp: tuple[str, bytes] | None = None  # content type and body of our 200
    local_cseq: int = 0
    requests: dict[str, Retransmitter] = field(default_factory=dict)  # by branch
    offers: dict[str, OutboundLeg] = field(default_factory=dict)  # by target
    cleanup: Timer | None = None
    closed: bool = False
    # Answered by the system for screening (docs/screening.md): no person on it yet.
    by_system: bool = False

    @property
    def live(self) -> bool:
        return self.state != "ended"

    @property
    def waiting(self) -> bool:
        """Still waiting for a person: ringing, or answered by the system only."""
        return self.state in ("proceeding", "ringing") or (
            self.by_system and self.state in ("answered", "confirmed"))

    def target(self) -> Address:
        """Where in-dialog requests go: the first route, else the Contact, else the source."""
        routes = self.invite.values("record-route")
        uri = routes[0] if routes else (self.invite.get("contact") or "")
        return self.source if self.transport.reliable else (ip_target(uri, self.source) or
                                                            self.source)

    def request(self, method: str, via: str, *, body: bytes = b"",
                ctype: str | None = None) -> tuple[bytes, str]:
        """A request inside the caller's dialog (BYE): we are its UAS, so From is its To."""
        self.local_cseq += 1
        branch = new_branch()
        contact = self.invite.get("contact") or self.invite.get("from") or ""
        headers = [("via", f"{via};branch={branch};rport"), ("max-forwards", "70")]
        headers += [("route", r) for r in self.invite.values("record-route")]
        headers += [("from", f"{self.invite.get('to')};tag={self.to_tag}"
                     if param(self.invite.get("to") or "", "tag") is None
                     else self.invite.get("to") or ""),
                    ("to", self.invite.get("from") or ""), ("call-id", self.ref),
                    ("cseq", f"{self.local_cseq} {method}")]
        if ctype:
            headers.append(("content-type", ctype))
        return serialize(f"{method} {addr_uri(contact)} SIP/2.0", headers, body), branch


@dataclass
class OutboundLeg:
    """Our INVITE to a call-taker's phone (or the backup destination)."""

    ref: str  # the caller's Call-ID: which call this offer belongs to
    target: str  # position code, or "overflow"
    uri: str
    dest: Address
    call_id: str
    branch: str = field(default_factory=new_branch)
    from_tag: str = field(default_factory=new_tag)
    state: str = "calling"  # calling, proceeding, cancelling, answered, ended
    invite_bytes: bytes = b""
    invite: Retransmitter | None = None
    to_header: str | None = None  # with the phone's tag, once it answered
    contact: str | None = None
    routes: list[str] = field(default_factory=list)
    local_cseq: int = 1
    cancel_wanted: bool = False
    requests: dict[str, Retransmitter] = field(default_factory=dict)

    def headers(self, via: str, branch: str, method: str, cseq: int) -> list[tuple[str, str]]:
        from_value = f"<sip:siaga112@{via.split(' ', 1)[1]}>;tag={self.from_tag}"
        return [("via", f"{via};branch={branch};rport"), ("max-forwards", "70"),
                ("from", from_value), ("to", self.to_header or f"<{self.uri}>"),
                ("call-id", self.call_id), ("cseq", f"{cseq} {method}")]

    def ack_for_error(self, via: str, response: SipMessage) -> bytes:
        """ACK of a 3xx-6xx: same branch as the INVITE, the To of the response."""
        headers = self.headers(via, self.branch, "ACK", 1)
        headers[3] = ("to", response.get("to") or f"<{self.uri}>")
        return serialize(f"ACK {self.uri} SIP/2.0", headers)

    def in_dialog(self, via: str, method: str) -> tuple[bytes, str]:
        """ACK of the 200 (cseq 1) or BYE (a new cseq): to the phone's Contact."""
        branch = new_branch()
        cseq = 1 if method == "ACK" else self.local_cseq + 1
        if method != "ACK":
            self.local_cseq = cseq
        headers = self.headers(via, branch, method, cseq)
        headers[2:2] = [("route", r) for r in self.routes]
        return serialize(f"{method} {addr_uri(self.contact or self.uri)} SIP/2.0", headers), branch

    def cancel(self, via: str) -> bytes:
        headers = self.headers(via, self.branch, "CANCEL", 1)
        headers[3] = ("to", f"<{self.uri}>")
        return serialize(f"CANCEL {self.uri} SIP/2.0", headers)

    def dialog_target(self) -> Address:
        uri = self.routes[0] if self.routes else (self.contact or self.uri)
        return ip_target(uri, self.dest) or self.dest

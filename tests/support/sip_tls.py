"""SIP over TLS for the tests of Kamailio's TLS listener (tests/sip/test_proxy_tls.py).

Debian's sipp (sip-tester 3.6.1) is built without OpenSSL ("To use a TLS transport you
must compile SIPp with OpenSSL"), so the trunk is played here: a minimal SIP caller over
one TLS connection, as a telco trunk keeps one open, with Python's ssl module. The
certificate is a throwaway self-signed one made with the openssl command line.
"""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path


def self_signed_certificate(directory: Path, ip: str = "127.0.0.1") -> tuple[Path, Path]:
    """A one-day certificate for `ip` and its key (PEM): Kamailio serves it, and the caller
    trusts exactly it, so a handshake that succeeds proves Kamailio took these files."""
    cert, key = directory / "siaga112-test.crt", directory / "siaga112-test.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=siaga112-test", "-addext", f"subjectAltName=IP:{ip}"],
        check=True, capture_output=True, timeout=30)
    return cert, key


@dataclass
class Message:
    first_line: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def status(self) -> int | None:
        parts = self.first_line.split(" ", 2)
        return int(parts[1]) if parts[0] == "SIP/2.0" else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def one(self, name: str) -> str:
        found = self.all(name)
        if not found:
            raise ValueError(f"no {name} in {self.first_line!r}")
        return found[0]


_COMPACT = {"v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact",
            "l": "Content-Length", "c": "Content-Type"}


class _Reader:
    """SIP messages out of a stream (RFC 3261 18.3: framed by Content-Length)."""

    def __init__(self, sock: ssl.SSLSocket) -> None:
        self.sock, self.buffer = sock, b""

    def next(self, deadline: float) -> Message:
        while True:
            self.buffer = self.buffer.lstrip(b"\r\n")  # keep-alive CRLFs
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buffer[:end].decode("utf-8", "replace").split("\r\n")
                headers = []
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    name = name.strip()
                    headers.append((_COMPACT.get(name.lower(), name), value.strip()))
                message = Message(head[0], headers)
                length = int((message.all("Content-Length") or ["0"])[0])
                if len(self.buffer) >= end + 4 + length:
                    message.body = self.buffer[end + 4:end + 4 + length]
                    self.buffer = self.buffer[end + 4 + length:]
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete SIP message in time")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the TLS connection was closed")
            self.buffer += chunk


@dataclass
class TlsCall:
    call_id: str
    caller: str
    invite_codes: list[int] = field(default_factory=list)
    bye_code: int | None = None

    @property
    def answered(self) -> bool:
        return 200 in self.invite_codes


class TlsTrunk:
    """One TLS connection to Kamailio's TLS port, carrying calls one after the other: each
    an INVITE (SDP offer), its 100/180/200, the ACK and, after `hold` seconds, the BYE,
    both along the Record-Route set as a real phone sends them."""

    def __init__(self, host: str, port: int, ca: Path, timeout: float = 10) -> None:
        context = ssl.create_default_context(cafile=str(ca))  # checks the name: IP SAN
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock = context.wrap_socket(raw, server_hostname=host)
        self.host, self.port, self.timeout = host, port, timeout
        self.local_ip, self.local_port = self.sock.getsockname()[:2]
        self.reader = _Reader(self.sock)
        self.cipher = self.sock.cipher()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> TlsTrunk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one call ---------------------------------------------------------------------------
    def call(self, caller: str, hold: float = 0.2) -> TlsCall:
        call = TlsCall(call_id=f"{uuid.uuid4().hex}@siaga112-tls-test", caller=caller)
        tag = uuid.uuid4().hex[:10]
        sdp = (f"v=0\r\no=trunk 1 1 IN IP4 {self.local_ip}\r\ns=-\r\n"
               f"c=IN IP4 {self.local_ip}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\n"
               "a=rtpmap:8 PCMA/8000\r\n").encode()
        target = f"sip:112@{self.host}:{self.port};transport=tls"
        from_ = f'"Ani" <sip:{caller}@{self.local_ip}:{self.local_port}>;tag={tag}'
        self._send("INVITE", target, call.call_id, 1, from_, f"<sip:112@{self.host}>",
                   routes=[], body=sdp)
        deadline = time.monotonic() + self.timeout
        final = None
        while final is None:
            message = self._next_for(call.call_id, deadline)
            if message.status is None or "INVITE" not in message.one("CSeq"):
                continue
            call.invite_codes.append(message.status)
            if message.status >= 200:
                final = message
        if final.status is None or final.status >= 300:
            return call  # tm sends the ACK of a failure itself, hop by hop
        # RFC 3261 12.1.2: the route set is the Record-Route of the 2xx, reversed.
        routes = [r.strip() for header in final.all("Record-Route")
                  for r in header.split(",")][::-1]
        remote = re.search(r"<([^>]+)>", final.one("Contact"))
        request_uri = remote.group(1) if remote else target
        to = final.one("To")
        self._send("ACK", request_uri, call.call_id, 1, from_, to, routes)
        time.sleep(hold)
        self._send("BYE", request_uri, call.call_id, 2, from_, to, routes)
        deadline = time.monotonic() + self.timeout
        while call.bye_code is None or call.bye_code < 200:
            message = self._next_for(call.call_id, deadline)
            if message.status is not None and "BYE" in message.one("CSeq"):
                call.bye_code = message.status
        return call

    def _next_for(self, call_id: str, deadline: float) -> Message:
        """The next message of this call; a request of the far end (a repeated 200 is a
        response, so only requests) is answered 200 so that it does not linger."""
        while True:
            message = self.reader.next(deadline)
            if message.status is None:
                self._answer(message)
                continue
            if message.one("Call-ID") == call_id:
                return message

    def _answer(self, request: Message) -> None:
        if request.first_line.startswith("ACK "):
            return
        lines = ["SIP/2.0 200 OK", *(f"Via: {v}" for v in request.all("Via")),
                 f"From: {request.one('From')}", f"To: {request.one('To')}",
                 f"Call-ID: {request.one('Call-ID')}", f"CSeq: {request.one('CSeq')}",
                 "Content-Length: 0"]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _send(self, method: str, uri: str, call_id: str, cseq: int, from_: str, to: str,
              routes: list[str], body: bytes = b"") -> None:
        branch = f"z9hG4bK{uuid.uuid4().hex[:16]}"
        lines = [f"{method} {uri} SIP/2.0",
                 f"Via: SIP/2.0/TLS {self.local_ip}:{self.local_port};branch={branch};rport",
                 f"From: {from_}", f"To: {to}", f"Call-ID: {call_id}", f"CSeq: {cseq} {method}",
                 *(f"Route: {r}" for r in routes),
                 f"Contact: <sip:trunk@{self.local_ip}:{self.local_port};transport=tls>",
                 "Max-Forwards: 70"]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body)}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def plain_sip_attempt(host: str, port: int, call_id: str,
                      seconds: float = 3) -> tuple[bytes, bool]:
    """Send a plain-text (not TLS) INVITE to a port: what came back, and whether the far
    end closed the connection within `seconds` (a TLS listener sends no SIP and hangs up)."""
    invite = (f"INVITE sip:112@{host}:{port} SIP/2.0\r\n"
              f"Via: SIP/2.0/TCP {host}:5999;branch=z9hG4bKplain{uuid.uuid4().hex[:8]}\r\n"
              f'From: "Ani" <sip:081200000000@{host}>;tag=plain\r\nTo: <sip:112@{host}>\r\n'
              f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\nContact: <sip:plain@{host}:5999>\r\n"
              "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()
    received = b""
    with socket.create_connection((host, port), timeout=seconds) as sock:
        sock.sendall(invite)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, socket.timeout):
                return received, False
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += chunk
    return received, False

"""SIP messages (RFC 3261): parse what arrives, build what leaves.

The parser is strict about what the node needs and bounded in everything it reads: a
message it cannot use raises SipError (with the status to answer, and what it could read,
so that a request can still get its 400), never anything else.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote

MAX_MESSAGE_BYTES = 65_535
MAX_HEADERS = 120
MAX_HEADER_BYTES = 8_192
COMPACT = {"i": "call-id", "f": "from", "t": "to", "v": "via", "m": "contact",
           "l": "content-length", "c": "content-type", "k": "supported", "s": "subject",
           "e": "content-encoding"}
CANONICAL = {"call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate",
             "p-asserted-identity": "P-Asserted-Identity", "max-forwards": "Max-Forwards"}
REQUIRED = ("via", "from", "to", "call-id", "cseq")
_TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~\-]+$")
_REQUEST_LINE = re.compile(r"^([A-Za-z0-9.!%*_+`'~\-]+) (\S+) SIP/2\.0$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 ([1-6]\d\d) ?(.*)$")
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_CSEQ = re.compile(r"^(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~\-]+)$")
_URI = re.compile(r"^(sips?):(?:([^@;?>]*)@)?([^;?:>]+|\[[^\]]+\])(?::(\d{1,5}))?([^?>]*)")
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 400: "Bad Request",
           404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
           420: "Bad Extension", 481: "Call/Transaction Does Not Exist", 482: "Loop Detected",
           486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
           500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable",
           505: "Version Not Supported", 513: "Message Too Large",
           603: "Decline"}  # a blocked nuisance number (docs/nuisance-callers.md)


class SipError(ValueError):
    def __init__(self, status: int, reason: str, partial: SipMessage | None = None) -> None:
        super().__init__(f"{status} {reason}")
        self.status, self.reason, self.partial = status, reason, partial


@dataclass(slots=True)
class SipMessage:
    method: str | None = None  # a request's method; None for a response
    uri: str | None = None
    status: int | None = None
    reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)  # lower-case names
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return self.method is not None

    def get(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    def values(self, name: str) -> list[str]:
        """Every comma-separated value of a header (Via, P-Asserted-Identity...)."""
        return [v for value in self.get_all(name) for v in split_commas(value)]

    @property
    def call_id(self) -> str:
        return self.get("call-id") or ""

    @property
    def cseq(self) -> tuple[int, str]:
        match = _CSEQ.match(self.get("cseq") or "")
        return (int(match.group(1)), match.group(2).upper()) if match else (0, "")

    @property
    def branch(self) -> str:
        vias = self.get_all("via")
        top = split_commas(vias[0])[0] if vias else ""
        return param(top, "branch") or ""


def split_commas(value: str) -> list[str]:
    """Split a header's values on commas outside quotes and angle brackets."""
    out, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"' and (i == 0 or value[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(0, depth - 1)
        elif ch == "," and not quoted and depth == 0:
            out.append(value[start:i].strip())
            start = i + 1
    out.append(value[start:].strip())
    return [v for v in out if v]


def param(value: str, name: str) -> str | None:
    """A `;name=value` parameter outside the <...> of a name-addr."""
    tail = value.rsplit(">", 1)[1] if ">" in value else value
    for part in tail.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == name:
            return val.strip().strip('"')
    return None


def addr_uri(value: str) -> str:
    """The URI of a name-addr (`"Ani" <sip:0812@x>;tag=1`) or addr-spec (`sip:0812@x;tag=1`)."""
    start = value.find("<")
    if start >= 0:
        end = value.find(">", start)
        return value[start + 1:end if end > 0 else None].strip()
    return value.split(";", 1)[0].strip()


@dataclass(frozen=True, slots=True)
class SipUri:
    scheme: str
    user: str | None
    host: str
    port: int | None
    params: str

    @property
    def transport(self) -> str:
        for part in self.params.split(";"):
            key, _, val = part.partition("=")
            if key.lower() == "transport":
                return val.lower()
        return "udp"


def parse_uri(uri: str) -> SipUri | None:
    match = _URI.match(uri.strip())
    if not match:
        return None
    port = int(match.group(4)) if match.group(4) else None
    if port is not None and not 0 < port < 65536:
        return None
    user = unquote(match.group(2)) if match.group(2) is not None else None
    return SipUri(match.group(1).lower(), user, match.group(3).strip("[]"), port, match.group(5))


def parse(data: bytes) -> SipMessage:
    """Parse one datagram (or one framed stream message). Raises SipError only."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise SipError(513, "Message Too Large")
    end = data.find(b"\r\n\r\n")
    skip = 4
    if end < 0:
        end, skip = data.find(b"\n\n"), 2
    truncated = end < 0
    head_bytes = data if truncated else data[:end]
    body = b"" if truncated else data[end + skip:]
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise SipError(400, "Headers are not UTF-8") from None
    lines = head.replace("\r\n", "\n").split("\n")
    msg = _start_line(lines[0].strip())
    _headers(msg, lines[1:])
    if truncated:
        raise SipError(400, "Truncated message (no end of headers)", msg)
    _check(msg)
    msg.body = _body(msg, body)
    return msg


def _start_line(line: str) -> SipMessage:
    if line.startswith("SIP/"):
        match = _STATUS_LINE.match(line)
        if not match:
            raise SipError(400, "Bad status line")
        return SipMessage(status=int(match.group(1)), reason=match.group(2))
    match = _REQUEST_LINE.match(line)
    if not match:
        if line.endswith("SIP/2.0") or " SIP/" not in line:
            raise SipError(400, "Bad request line")
        raise SipError(505, "Version Not Supported")
    return SipMessage(method=match.group(1).upper(), uri=match.group(2))


def _headers(msg: SipMessage, lines: list[str]) -> None:
    for line in lines:
        if len(line) > MAX_HEADER_BYTES:
            raise SipError(400, "Header too long", msg)
        if line[:1] in (" ", "\t") and msg.headers:  # folded continuation
            name, value = msg.headers[-1]
            if len(value) + len(line) > MAX_HEADER_BYTES:
                raise SipError(400, "Header too long", msg)
            msg.headers[-1] = (name, f"{value} {line.strip()}")
            continue
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _TOKEN.match(name):
            raise SipError(400, "Malformed header line", msg)
        if len(msg.headers) >= MAX_HEADERS:
            raise SipError(400, "Too many headers", msg)
        key = name.lower()
        msg.headers.append((COMPACT.get(key, key), value.strip()))


def _check(msg: SipMessage) -> None:
    missing = [h for h in REQUIRED if not msg.get(h)]
    if missing:
        raise SipError(400, f"Missing {', '.join(missing)}", msg)
    number, method = msg.cseq
    if not method:
        raise SipError(400, "Bad CSeq", msg)
    if msg.is_request and method != msg.method:
        raise SipError(400, "CSeq method does not match the request", msg)
    if msg.is_request and not _ABSOLUTE_URI.match(msg.uri or ""):  # sip:, tel:, urn:service:sos
        raise SipError(400, "Bad Request-URI", msg)


def _body(msg: SipMessage, body: bytes) -> bytes:
    declared = msg.get("content-length")
    if declared is None:
        return body
    if not declared.isdigit() or len(declared) > 6:
        raise SipError(400, "Bad Content-Length", msg)
    length = int(declared)
    if length > len(body):
        raise SipError(400, "Content-Length larger than the body", msg)
    return body[:length]


# --- building ------------------------------------------------------------------------------
def canonical(name: str) -> str:
    return CANONICAL.get(name) or "-".join(p.capitalize() for p in name.split("-"))


class _RandomPool(threading.local):
    """Cryptographically random bytes, fetched 4 KiB at a time: tags and branches need
    randomness (RFC 3261: at least 32 bits), not a system call each."""

    def __init__(self) -> None:
        self.buffer = b""

    def hex(self, n: int) -> str:
        if len(self.buffer) < n:
            self.buffer = secrets.token_bytes(4096)
        chunk, self.buffer = self.buffer[:n], self.buffer[n:]
        return chunk.hex()


_random = _RandomPool()


def random_hex(n: int) -> str:
    return _random.hex(n)


def new_tag() -> str:
    return _random.hex(6)


def new_branch() -> str:
    return "z9hG4bK" + _random.hex(8)


def serialize(start: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    lines = [start]
    lines.extend(f"{canonical(k)}: {v}" for k, v in headers)
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response(req: SipMessage, status: int, *, to_tag: str | None = None,
             extra: list[tuple[str, str]] | None = None, body: bytes = b"",
             reason: str | None = None) -> bytes:
    """A response that copies the request's Via, From, To (with our tag), Call-ID, CSeq."""
    headers: list[tuple[str, str]] = [("via", v) for v in req.get_all("via")]
    to = req.get("to") or ""
    if to_tag and param(to, "tag") is None:
        to = f"{to};tag={to_tag}"
    headers += [("from", req.get("from") or ""), ("to", to), ("call-id", req.call_id),
                ("cseq", req.get("cseq") or "")]
    headers += extra or []
    text = reason or REASONS.get(status, "Unknown")
    return serialize(f"SIP/2.0 {status} {text}", headers, body)

"""A client of rtpengine's NG control protocol: bencoded dictionaries over UDP, each
message prefixed with a cookie that the answer repeats (so late answers to a timed-out
request are told apart). Commands used: ping, offer, answer, delete, query,
start recording.

Blocking and short: rtpengine answers on the loopback in well under a millisecond; the
SIP node calls it on its own thread (docs/adr/0008-media-relay.md)."""

from __future__ import annotations

import itertools
import logging
import os
import socket
import time
from typing import Any

from siaga112.adapters.media import bencode

log = logging.getLogger(__name__)


class MediaRelayError(RuntimeError):
    """rtpengine did not answer, or answered with an error."""


class RtpEngine:
    def __init__(self, host: str, port: int, *, timeout: float = 0.5, retries: int = 2) -> None:
        self.address = (host, port)
        self.timeout, self.retries = timeout, retries
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.connect(self.address)
        self._prefix = f"{os.getpid()}_{id(self):x}_"
        self._seq = itertools.count(1)

    def close(self) -> None:
        self._sock.close()

    def command(self, name: str, **fields: Any) -> dict[str, Any]:
        """Send one command; its answer dictionary (result "ok"), else MediaRelayError."""
        message = {"command": name, **{k.replace("_", "-"): v for k, v in fields.items()}}
        cookie = f"{self._prefix}{next(self._seq)}".encode()
        data = cookie + b" " + bencode.encode(message)
        for _attempt in range(self.retries + 1):  # UDP: the same cookie again (rtpengine caches)
            self._sock.send(data)
            deadline = time.monotonic() + self.timeout
            while (left := deadline - time.monotonic()) > 0:
                self._sock.settimeout(left)
                try:
                    reply = self._sock.recv(65536)
                except TimeoutError:
                    break
                except OSError as exc:  # ICMP unreachable: nobody listens
                    raise MediaRelayError(f"rtpengine at {self.address}: {exc}") from exc
                got, _, body = reply.partition(b" ")
                if got != cookie:
                    continue  # a late answer to an earlier request
                answer = bencode.decode(body)
                if not isinstance(answer, dict):
                    raise MediaRelayError(f"rtpengine: not a dictionary: {answer!r}")
                if answer.get("result") not in ("ok", "pong"):
                    raise MediaRelayError(f"rtpengine {name}: {answer.get('result')}: "
                                          f"{answer.get('error-reason', '')}")
                return answer
        raise MediaRelayError(f"rtpengine at {self.address}: no answer to {name}")

    def ping(self) -> bool:
        return self.command("ping").get("result") == "pong"

    def offer(self, call_id: str, from_tag: str, sdp: bytes, **options: Any) -> bytes:
        answer = self.command("offer", call_id=call_id, from_tag=from_tag, sdp=sdp, **options)
        return _sdp(answer)

    def answer(self, call_id: str, from_tag: str, to_tag: str, sdp: bytes,
               **options: Any) -> bytes:
        answer = self.command("answer", call_id=call_id, from_tag=from_tag, to_tag=to_tag,
                              sdp=sdp, **options)
        return _sdp(answer)

    def start_recording(self, call_id: str) -> None:
        self.command("start recording", call_id=call_id)

    def query(self, call_id: str) -> dict[str, Any]:
        return self.command("query", call_id=call_id)

    def delete(self, call_id: str, **options: Any) -> dict[str, Any]:
        return self.command("delete", call_id=call_id, **options)


def _sdp(answer: dict[str, Any]) -> bytes:
    sdp = answer.get("sdp")
    if sdp is None:
        raise MediaRelayError("rtpengine answered without SDP")
    return sdp.encode() if isinstance(sdp, str) else sdp

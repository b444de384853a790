"""A tiny HTTP SMS gateway stand-in on 127.0.0.1 that records what it receives."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Gateway:
    """Its address, what it got, and how it answers (`status`, `answer`)."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    answer: bytes = b'{"message_id": "gw-42"}'


@contextmanager
def running_gateway() -> Iterator[Gateway]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    gateway = Gateway(url=f"http://127.0.0.1:{server.server_port}/api/send")

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            parts = urlsplit(self.path)
            gateway.received.append(Received(
                self.command, parts.path, parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)))
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(gateway.answer)))
            self.end_headers()
            self.wfile.write(gateway.answer)

        do_POST = do_GET = _record

        def log_message(self, *args: object) -> None:  # quiet tests
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()

"""The SIP node's thread: one selector over UDP, TCP and a wake-up socket, and timers.

Everything of the node runs on this thread, so its state needs no locks. Other threads
hand work over with `call_from_thread` (the database writer's results, API changes).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
Handler = Callable[[bytes, tuple[str, int], "Transport"], None]
RECEIVE_BUFFER = 4 * 1024 * 1024  # ask the kernel for room: bursts are not dropped
MAX_TCP_BUFFER = 256 * 1024


class Timer:
    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when: float, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.when, self.fn, self.args, self.cancelled = when, fn, args, False

    def cancel(self) -> None:
        self.cancelled = True


class Transport:
    """Where a message came from, and how to answer it."""

    name = "udp"
    reliable = False

    def send(self, data: bytes, addr: tuple[str, int]) -> None:
        raise NotImplementedError


class UdpTransport(Transport):
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            self.sock.sendto(data, addr)
        except OSError as exc:  # a full buffer or an unreachable peer: retransmission covers it
            log.warning("UDP send to %s:%s failed: %s", addr[0], addr[1], exc)


class TcpConnection(Transport):
    name = "tcp"
    reliable = True

    def __init__(self, loop: Loop, sock: socket.socket, addr: tuple[str, int]) -> None:
        self.loop, self.sock, self.addr = loop, sock, addr
        self.inbox = b""
        self.outbox = b""
        self.closed = False

    def send(self, data: bytes, addr: tuple[str, int] | None = None) -> None:
        if self.closed:
            return
        self.outbox += data
        self._flush()

    def _flush(self) -> None:
        try:
            while self.outbox:
                sent = self.sock.send(self.outbox)
                self.outbox = self.outbox[sent:]
        except BlockingIOError:
            self.loop.selector.modify(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                                      self._ready)
            return
        except OSError:
            self.close()
            return
        self.loop.selector.modify(self.sock, selectors.EVENT_READ, self._ready)

    def _ready(self, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self._flush()
        if mask & selectors.EVENT_READ and not self.closed:
            self._read()

    def _read(self) -> None:
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        self.inbox += data
        while not self.closed:
            message = self._next_message()
            if message is None:
                break
            self.loop.handler(message, self.addr, self)
        if len(self.inbox) > MAX_TCP_BUFFER:  # no end of headers in sight: not SIP
            log.warning("TCP %s:%s: unframeable input, closing", *self.addr)
            self.close()

    def _next_message(self) -> bytes | None:
        self.inbox = self.inbox.lstrip(b"\r\n")  # keep-alive CRLFs
        end = self.inbox.find(b"\r\n\r\n")
        if end < 0:
            return None
        length = 0
        for line in self.inbox[:end].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() in (b"content-length", b"l"):
                try:
                    length = int(value.strip())
                except ValueError:
                    length = -1
        if not 0 <= length <= 65535:  # a stream cannot be re-framed after a bad length
            message, self.inbox = self.inbox, b""
            self.loop.handler(message, self.addr, self)
            self.close()
            return None
        total = end + 4 + length
        if len(self.inbox) < total:
            return None
        message, self.inbox = self.inbox[:total], self.inbox[total:]
        return message

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.loop.selector.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        self.sock.close()


class Loop:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.selector = selectors.DefaultSelector()
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._inbox: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, self._drain_wake)
        self._stopping = False
        self.thread_id: int | None = None
        self.udp: UdpTransport | None = None
        self._sockets: list[socket.socket] = []

    # -- sockets ---------------------------------------------------------------------------
    def listen(self, host: str, port: int, *, tcp: bool = True) -> tuple[str, int]:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, RECEIVE_BUFFER)
        udp.bind((host, port))
        udp.setblocking(False)
        bound = udp.getsockname()
        self.udp = UdpTransport(udp)
        self._sockets.append(udp)
        self.selector.register(udp, selectors.EVENT_READ, self._read_udp)
        if tcp:
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((host, bound[1]))
            server.listen(128)
            server.setblocking(False)
            self._sockets.append(server)
            self.selector.register(server, selectors.EVENT_READ, self._accept)
        return bound[0], bound[1]

    def _read_udp(self, _mask: int) -> None:
        assert self.udp is not None
        sock = self.udp.sock
        for _ in range(256):  # bounded, so timers and other sockets get their turn
            try:
                data, addr = sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # ICMP port unreachable from an earlier send
                log.debug("UDP receive: %s", exc)
                continue
            self.handler(data, addr, self.udp)

    def _accept(self, _mask: int) -> None:
        server = self._sockets[-1]
        try:
            sock, addr = server.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        conn = TcpConnection(self, sock, addr)
        self.selector.register(sock, selectors.EVENT_READ, conn._ready)

    # -- time and other threads -----------------------------------------------------------
    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        timer = Timer(time.monotonic() + delay, fn, args)
        heapq.heappush(self._timers, (timer.when, next(self._seq), timer))
        return timer

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        self._inbox.append((fn, args))

    def call_from_thread(self, fn: Callable[..., Any], *args: Any) -> None:
        """Thread-safe: run `fn(*args)` on the loop's thread, soon."""
        self._inbox.append((fn, args))
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # the pipe is full: the loop is awake anyway

    def _drain_wake(self, _mask: int) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    # -- running ---------------------------------------------------------------------------
    def run(self) -> None:
        self.thread_id = threading.get_ident()
        while not self._stopping:
            self._run_inbox()
            timeout = self._run_timers()
            if self._inbox:
                timeout = 0
            for key, mask in self.selector.select(timeout):
                try:
                    key.data(mask)
                except Exception:  # one bad message or peer never stops the node
                    log.exception("SIP node: error while handling input")
        for sock in self._sockets:
            sock.close()
        self._wake_r.close()
        self._wake_w.close()
        self.selector.close()

    def _run_inbox(self) -> None:
        for _ in range(len(self._inbox)):
            fn, args = self._inbox.popleft()
            try:
                fn(*args)
            except Exception:
                log.exception("SIP node: error in %r", fn)

    def _run_timers(self) -> float:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            try:
                timer.fn(*timer.args)
            except Exception:
                log.exception("SIP node: error in timer %r", timer.fn)
        if not self._timers:
            return 0.5
        return max(0.0, min(0.5, self._timers[0][0] - time.monotonic()))

    def stop(self) -> None:
        self._stopping = True
        self.call_from_thread(lambda: None)

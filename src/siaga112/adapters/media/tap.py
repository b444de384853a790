"""The screening tap: a plain RTP endpoint in our process that hears a silent caller.

During screening rtpengine relays the caller's audio to the tap (the B party of its
offer/answer) while it plays announcements to the caller. The tap reports, per call:
- "speech": the caller spoke for `speech_ms` within a short window (webrtcvad, 20 ms
  frames, one `Vad` per call because it keeps state);
- "digit": a DTMF digit, from RFC 4733 telephone-events or from in-band tones (a DFT at
  the eight DTMF frequencies over 40 ms windows slid by 20 ms: Goertzel's result, done
  as one numpy product), reported once per press; in-band tones are ignored on a call that
  sends RFC 4733 (gateways that send both would otherwise give each digit twice).

One daemon thread runs a `selectors` loop over one UDP socket per call. Per-packet Python
work is kept small (numpy on whole frames; no per-sample Python), because at hundreds of
calls each 20 ms frame's microseconds add up (shared/research/telephony.md). `notify` is
called on the tap's thread, outside its lock: it must not block.
"""

from __future__ import annotations

import itertools
import logging
import math
import selectors
import socket
import threading
from collections import deque
from collections.abc import Callable

import numpy as np
import webrtcvad

from siaga112.adapters.media.g711 import ALAW, ULAW

log = logging.getLogger(__name__)

RATE = 8000
FRAME = 160  # samples in 20 ms: webrtcvad's frame and the usual RTP packet
BLOCK = 2 * FRAME  # 40 ms, the DTMF window (tones last at least that long, ITU-T Q.24),
# slid by 20 ms: a 60 ms press fills two windows wherever it starts
_TABLES = {"PCMA": np.array(ALAW, dtype=np.int16), "PCMU": np.array(ULAW, dtype=np.int16)}
_STATIC = {0: ("PCMU", 8000), 8: ("PCMA", 8000)}  # RFC 3551: usable without a=rtpmap
_PLAIN_RTP = {"RTP/AVP", "RTP/AVPF"}  # no SRTP here: rtpengine decrypts before the tap
_EVENTS = "0123456789*#"  # RFC 4733 events 0..11; A-D and flash are not digits

_ROWS, _COLS = (697, 770, 852, 941), (1209, 1336, 1477, 1633)
_KEYPAD = ("123A", "456B", "789C", "*0#D")
_t = np.arange(BLOCK) / RATE
_BASIS = np.vstack([np.cos(2 * np.pi * f * _t) for f in _ROWS + _COLS]
                   + [np.sin(2 * np.pi * f * _t) for f in _ROWS + _COLS]).astype(np.float32)
del _t
_MIN_AMP = 300.0  # per tone, ~-37 dBm0 (Q.24 asks for -25 dBm0 and up): quieter is no key
_MIN_ENERGY = BLOCK * _MIN_AMP ** 2 / 2  # one such tone alone: below it, skip the DFT
_TWIST = 10 ** (8 / 10)  # row/column power ratio allowed either way (8 dB)
_PURITY = 0.7  # share of the block's energy in the two tones for a digit
_TONAL = 0.45  # ... for "this is a tone, not speech" (edges of a tone, weaker tones)
# Quieter frames (RMS < ~-54 dBFS: digital silence, a muted line) are not speech and are
# not shown to webrtcvad: after seconds of them its noise model sinks so low that the
# first low background noise looks like seconds of speech (measured: 3.3 s, mode 2).
_QUIET_ENERGY = FRAME * 64.0 ** 2
_CONFIRM_WINDOWS = 2  # a digit is seen in 2 windows in a row before it is reported
_GAP_WINDOWS = 1  # a press ends with a window without its tone


def _tone(x: np.ndarray, energy: float) -> tuple[str | None, str | None]:
    """(a key press: strict checks, or None; the key whose tone dominates the block:
    looser checks, or None). The looser one holds a press that was already reported
    (no repeats when a weak tone wavers at the threshold) and marks tones for the VAD."""
    if energy < _MIN_ENERGY:
        return None, None
    y = _BASIS @ x
    y *= y
    p = (y[:8] + y[8:]).tolist()
    # a tone of amplitude A gives |X|^2 = (A*N/2)^2 and energy N*A^2/2: share = 2|X|^2/(N*E)
    scale = 2 / (BLOCK * energy)
    if sum(p) * scale < _TONAL:  # speech and noise: not even all eight together
        return None, None
    rows, cols = p[:4], p[4:]
    r = max(range(4), key=rows.__getitem__)
    c = max(range(4), key=cols.__getitem__)
    pr, pc = rows[r], cols[c]
    share = (pr + pc) * scale
    min_power = (_MIN_AMP * BLOCK / 2) ** 2
    if (share < _TONAL or pr < min_power / 16 or pc < min_power / 16
            or pr > pc * _TWIST * 4 or pc > pr * _TWIST * 4):
        return None, None
    key = _KEYPAD[r][c]
    if (share < _PURITY or pr < min_power or pc < min_power
            or pr > pc * _TWIST or pc > pr * _TWIST
            # the strongest row and column stand out of the other rows and columns
            or any(v * 4 > pr for i, v in enumerate(rows) if i != r)
            or any(v * 4 > pc for i, v in enumerate(cols) if i != c)):
        return None, key
    return (key if key in _EVENTS else None), key


class _Call:
    """One listened call: its socket, its codecs, its detectors' state (tap thread only,
    except the fields written under the tap's lock by open/listen/close)."""

    def __init__(self, key: str, sock: socket.socket, vad_mode: int, speech_frames: int) -> None:
        self.key, self.sock = key, sock
        self.tables: dict[int, np.ndarray] = {}
        self.event_pt: int | None = None
        self.vad = webrtcvad.Vad(vad_mode)
        self.speech_frames = speech_frames
        # voiced (1) or not (0) per frame; "spoke" = speech_frames of them in twice as many
        self.window: deque[int] = deque(maxlen=2 * speech_frames)
        self.armed = False
        self.spoke = False
        self.voiced_sum = 0
        self.pending = 0  # the last frame's voicing, held until the next frame is judged
        self.after_tone = False
        self.prev: np.ndarray | None = None  # the last frame (float32): a window's first half
        self.prev_energy = 0.0
        self.rest = np.empty(0, dtype=np.int16)  # samples of packets that are not 20 ms
        self.tone_digit: str | None = None
        self.tone_run = 0
        self.tone_gap = 0
        self.tone_reported: str | None = None
        self.events_seen = False  # RFC 4733 on this call: in-band tones are not digits
        self.event_ts: deque[int] = deque(maxlen=8)
        self.event_code = -1
        self.event_ended = True
        self.event_duration = 0
        self.session = 0  # the answer's o= line: same session, a new version per answer
        self.version = 0

    def arm(self) -> None:
        self.armed, self.spoke = True, False
        self.window.clear()
        self.voiced_sum = self.pending = 0
        self.after_tone = False
        self.prev = None
        self.tone_digit, self.tone_run, self.tone_gap, self.tone_reported = None, 0, 0, None


class MediaTap:
    def __init__(self, host: str = "127.0.0.1", *, notify: Callable[[str, str, str], None],
                 speech_ms: int = 300, vad_mode: int = 2) -> None:
        self.host, self.notify = host, notify
        self.speech_frames = max(1, math.ceil(speech_ms / 20))
        self.vad_mode = vad_mode
        webrtcvad.Vad(vad_mode)  # a bad mode fails here, not on the first call
        self.stats = {"packets": 0, "ignored": 0, "speech": 0, "digits": 0}
        self._calls: dict[str, _Call] = {}
        self._lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)  # a full pipe means "already woken", never a wait
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._out: list[tuple[str, str, str]] = []  # events to notify once the lock is free
        self._session = itertools.count(1)

    # -- control (any thread) --------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="media-tap", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._lock:
            for key in list(self._calls):
                self._close_locked(key)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def open(self, key: str, offer_sdp: bytes) -> bytes:
        """Binds (or keeps, on a new offer) the call's socket; returns the SDP answer."""
        tables, event_pt, answer_media = _negotiate(offer_sdp)
        with self._lock:
            call = self._calls.get(key)
            if call is None:
                family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
                sock = socket.socket(family, socket.SOCK_DGRAM)
                try:
                    sock.bind((self.host, 0))
                    sock.setblocking(False)
                    call = _Call(key, sock, self.vad_mode, self.speech_frames)
                    self._selector.register(sock, selectors.EVENT_READ, call)
                except BaseException:
                    sock.close()
                    raise
                call.session = next(self._session)
                self._calls[key] = call
            call.tables, call.event_pt = tables, event_pt
            call.version += 1
            port, session, version = call.sock.getsockname()[1], call.session, call.version
        self._wake()  # a select()-based selector notices new sockets only when woken
        return _answer(self.host, port, answer_media, session, version)

    def listen(self, key: str) -> None:
        """(Re)arms detection: the first speech is reported once, every digit each time.
        An unknown key (the call already closed) is ignored."""
        with self._lock:
            call = self._calls.get(key)
            if call is not None:
                call.arm()

    def close(self, key: str) -> None:
        with self._lock:
            self._close_locked(key)

    def _close_locked(self, key: str) -> None:
        call = self._calls.pop(key, None)
        if call is None:
            return
        try:
            self._selector.unregister(call.sock)
        except (KeyError, ValueError, OSError):
            pass
        call.sock.close()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except OSError:  # full (already woken) or closed (stopped)
            pass

    # -- the tap's thread ------------------------------------------------------------

    def _run(self) -> None:
        lock, calls = self._lock, self._calls
        while not self._stopping:
            try:
                ready = self._selector.select(1.0)
            except (OSError, ValueError):  # closed under us by stop()
                break
            for selector_key, _ in ready:
                call = selector_key.data
                if call is None:
                    self._drain_wake()
                    continue
                # One datagram per readiness: epoll is level-triggered, so a socket with
                # more comes back in the next select(), and the usual case (one packet in
                # 20 ms) costs one recv() instead of a second one failing.
                with lock:
                    if calls.get(call.key) is call:
                        try:
                            data = call.sock.recv(2048)
                        except OSError:
                            continue
                        self._packet(call, data)
            if self._out:
                out, self._out = self._out, []
                for event in out:
                    try:
                        self.notify(*event)
                    except Exception:  # a listener's bug must not stop every call's tap
                        log.exception("media tap: notify %s failed", event)

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(512):
                pass
        except OSError:
            pass

    def _packet(self, call: _Call, data: bytes) -> None:
        stats = self.stats
        stats["packets"] += 1
        n = len(data)
        if n < 12 or data[0] >> 6 != 2:
            stats["ignored"] += 1
            return
        start = 12 + 4 * (data[0] & 0x0F)
        end = n - data[n - 1] if data[0] & 0x20 else n  # padding: count in the last byte
        if data[0] & 0x10:  # header extension: 4 bytes + its length in words
            if start + 4 > n:
                stats["ignored"] += 1
                return
            start += 4 + 4 * int.from_bytes(data[start + 2:start + 4], "big")
        if start >= end:
            stats["ignored"] += 1
            return
        pt = data[1] & 0x7F
        table = call.tables.get(pt)
        if table is not None:
            if call.armed:
                self._audio(call, table.take(np.frombuffer(data, np.uint8, end - start, start)))
        elif pt == call.event_pt and end - start >= 4:
            self._event(call, data[start], data[start + 1] & 0x80,
                        int.from_bytes(data[start + 2:start + 4], "big"),
                        int.from_bytes(data[4:8], "big"))
        else:
            stats["ignored"] += 1

    def _event(self, call: _Call, code: int, ended: int, duration: int, ts: int) -> None:
        """RFC 4733: every packet of one event carries its start timestamp; the end packet
        is sent three times; a very long press continues with a new timestamp."""
        call.events_seen = True
        if ts in call.event_ts:
            if ts == call.event_ts[-1]:
                call.event_duration = max(call.event_duration, duration)
                call.event_ended = call.event_ended or bool(ended)
            return
        continued = (not call.event_ended and code == call.event_code
                     and 0 < (ts - call.event_ts[-1]) % 2 ** 32 <= call.event_duration + 800)
        call.event_ts.append(ts)
        call.event_code, call.event_ended, call.event_duration = code, bool(ended), duration
        if not continued and code < len(_EVENTS) and call.armed:
            self._digit(call, _EVENTS[code])

    def _digit(self, call: _Call, digit: str) -> None:
        self.stats["digits"] += 1
        self._out.append((call.key, "digit", digit))

    def _audio(self, call: _Call, pcm: np.ndarray) -> None:
        if len(pcm) != FRAME or len(call.rest):  # not 20 ms a packet: cut into 20 ms frames
            pcm = np.concatenate((call.rest, pcm))
            whole = len(pcm) - len(pcm) % FRAME
            call.rest = pcm[whole:]
            for i in range(0, whole, FRAME):
                self._frame(call, pcm[i:i + FRAME])
            return
        self._frame(call, pcm)

    def _frame(self, call: _Call, pcm: np.ndarray) -> None:
        x = pcm.astype(np.float32)
        energy = float(x @ x)
        voiced = 0
        # after the first speech, VAD is not needed until re-armed
        if not call.spoke and energy >= _QUIET_ENERGY:
            voiced = call.vad.is_speech(pcm.tobytes(), RATE)
        prev, prev_energy = call.prev, call.prev_energy
        call.prev, call.prev_energy = x, energy
        if prev is None or (call.spoke and call.events_seen):  # nothing left to learn
            digit = held = None
        else:
            digit, held = _tone(np.concatenate((prev, x)), prev_energy + energy)
        if not call.events_seen:
            self._inband(call, digit, held)
        if call.spoke:
            return
        # webrtcvad calls a pure tone speech: the frames of a tone window, the frame before
        # (its onset) and the frame after (its decay) do not count as speech.
        if held is not None:
            call.pending, call.after_tone = 0, True
            return
        self._voiced(call, call.pending)
        call.pending = 0 if call.after_tone else voiced
        call.after_tone = False

    def _voiced(self, call: _Call, frames: int) -> None:
        window = call.window
        if len(window) == window.maxlen:
            call.voiced_sum -= window[0]
        window.append(frames)
        call.voiced_sum += frames
        if call.voiced_sum >= call.speech_frames:
            call.spoke = True
            self.stats["speech"] += 1
            self._out.append((call.key, "speech", ""))

    def _inband(self, call: _Call, digit: str | None, held: str | None) -> None:
        if call.tone_reported is not None:  # a reported press lasts while its tone does
            if held == call.tone_reported:
                call.tone_gap = 0
                return
            call.tone_gap += 1
            if call.tone_gap < _GAP_WINDOWS:
                return
            call.tone_reported = None
        if digit is None:
            call.tone_digit, call.tone_run = None, 0
            return
        call.tone_run = call.tone_run + 1 if digit == call.tone_digit else 1
        call.tone_digit = digit
        if call.tone_run >= _CONFIRM_WINDOWS:
            call.tone_reported, call.tone_digit, call.tone_run = digit, None, 0
            self._digit(call, digit)


# -- SDP ------------------------------------------------------------------------------

class _Media:
    def __init__(self, line: str) -> None:
        fields = line[2:].split()
        self.kind = fields[0] if fields else ""
        self.proto = fields[2] if len(fields) > 2 else ""
        self.fmts = fields[3:]
        self.rtpmap: dict[str, tuple[str, int]] = {}


def _parse(sdp: bytes) -> list[_Media]:
    media: list[_Media] = []
    for raw in sdp.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if line.startswith("m="):
            media.append(_Media(line))
        elif line.startswith("a=rtpmap:") and media:
            pt, _, encoding = line[9:].partition(" ")
            name, _, rate = encoding.partition("/")
            rate = rate.partition("/")[0]
            media[-1].rtpmap[pt] = (name.upper(), int(rate) if rate.isdigit() else 0)
    return media


def _negotiate(offer: bytes) -> tuple[dict[int, np.ndarray], int | None, list[tuple]]:
    """The codecs the tap decodes among the offer's (its payload numbers, its order) and
    its telephone-event; per offered m-line what to answer (RFC 3264: one for each)."""
    tables: dict[int, np.ndarray] = {}
    event_pt: int | None = None
    answer: list[tuple] = []
    for media in _parse(offer):
        accepted: list[tuple[str, str]] = []
        if media.kind == "audio" and media.proto.upper() in _PLAIN_RTP and not tables:
            for fmt in media.fmts:
                if not fmt.isdigit():
                    continue
                name, rate = media.rtpmap.get(fmt) or _STATIC.get(int(fmt), ("", 0))
                if name in _TABLES and rate == RATE:
                    accepted.append((fmt, name))
                    tables[int(fmt)] = _TABLES[name]
            if tables:
                for fmt in media.fmts:
                    if media.rtpmap.get(fmt) == ("TELEPHONE-EVENT", RATE):
                        accepted.append((fmt, "telephone-event"))
                        event_pt = int(fmt)
                        break
        answer.append((media, accepted))
    if not tables:
        raise ValueError("SDP offer has no plain-RTP audio in PCMA/8000 or PCMU/8000")
    return tables, event_pt, answer


def _answer(host: str, port: int, media: list[tuple], session: int, version: int) -> bytes:
    family = "IP6" if ":" in host else "IP4"
    lines = ["v=0", f"o=siaga112-tap {session} {version} IN {family} {host}", "s=-",
             f"c=IN {family} {host}", "t=0 0"]
    for m, accepted in media:
        if not accepted:  # declined: port 0, same media and protocol
            lines.append(f"m={m.kind} 0 {m.proto} {' '.join(m.fmts[:1]) or '0'}")
            continue
        lines.append(f"m=audio {port} {m.proto} {' '.join(fmt for fmt, _ in accepted)}")
        for fmt, name in accepted:
            lines.append(f"a=rtpmap:{fmt} {name}/{RATE}")
            if name == "telephone-event":
                lines.append(f"a=fmtp:{fmt} 0-15")
        lines += ["a=sendrecv", "a=ptime:20"]
    return ("\r\n".join(lines) + "\r\n").encode()

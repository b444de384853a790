"""The screening tap over real UDP on 127.0.0.1: speech from espeak-ng, silence, noise,
RFC 4733 digits from sipp's capture, in-band DTMF tones, bad packets.

Detection counts frames, not wall time, so streams are sent faster than real time (a
short pause now and then keeps the socket's receive buffer from overflowing)."""

from __future__ import annotations

import socket
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from siaga112.adapters.media.g711 import ALAW, ULAW
from siaga112.adapters.media.tap import MediaTap
from tests.support.audio import PCAPS, speech_alaw

OFFER = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         b"m=audio 30000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
         b"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n")
PCMU_OFFER = (b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
              b"m=audio 30000 RTP/AVP 0 96\r\na=rtpmap:0 PCMU/8000\r\n"
              b"a=rtpmap:96 telephone-event/8000\r\n")
SPEECH = "Tolong, rumah saya kebakaran. Cepat kirim pemadam ke Jalan Merdeka nomor sepuluh."


def _encoder(table: tuple[int, ...]) -> np.ndarray:
    """int16 sample (+32768) -> the G.711 byte that decodes nearest to it."""
    decoded = np.array(table, dtype=np.int32)
    order = np.argsort(decoded)
    values = np.arange(-32768, 32768)
    i = np.clip(np.searchsorted(decoded[order], values), 1, 255)
    left, right = decoded[order][i - 1], decoded[order][i]
    nearest = np.where(values - left <= right - values, i - 1, i)
    return order[nearest].astype(np.uint8)


ALAW_OF, ULAW_OF = _encoder(ALAW), _encoder(ULAW)


def encode(pcm: np.ndarray, codec: np.ndarray = ALAW_OF) -> bytes:
    return codec[pcm.astype(np.int32) + 32768].tobytes()


def decode_alaw(payload: bytes) -> np.ndarray:
    return np.array(ALAW, dtype=np.int16)[np.frombuffer(payload, np.uint8)]


def rtp(pt: int, seq: int, ts: int, payload: bytes, *, marker: bool = False) -> bytes:
    return struct.pack("!BBHII", 0x80, pt | (0x80 if marker else 0), seq & 0xFFFF,
                       ts & 0xFFFFFFFF, 0x5A1A6A) + payload


def audio_packets(g711: bytes, pt: int = 8, seq: int = 0) -> list[bytes]:
    return [rtp(pt, seq + n, (seq + n) * 160, g711[i:i + 160])
            for n, i in enumerate(range(0, len(g711) - 159, 160))]


def tone(digit_freqs: tuple[int, int], ms: int, amplitude: float = 5000) -> np.ndarray:
    t = np.arange(ms * 8) / 8000
    low, high = digit_freqs
    return amplitude * (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t))


def silence(ms: int) -> np.ndarray:
    return np.zeros(ms * 8)


def pcap_rtp(path: Path) -> list[bytes]:
    """The RTP packets of a libpcap capture of Ethernet/IPv4/UDP frames."""
    data, out, offset = path.read_bytes(), [], 24
    while offset < len(data):
        length = struct.unpack_from("<I", data, offset + 8)[0]
        frame = data[offset + 16:offset + 16 + length]
        offset += 16 + length
        ip = frame[14:]
        out.append(ip[(ip[0] & 0x0F) * 4 + 8:])
    return out


def shifted(packets: list[bytes], seq: int, ts: int) -> list[bytes]:
    """The same packets as a new event: sipp's capture replayed as-is is one event."""
    out = []
    for p in packets:
        s, t = struct.unpack_from("!HI", p, 2)
        out.append(p[:2] + struct.pack("!HI", (s + seq) & 0xFFFF, (t + ts) & 0xFFFFFFFF) + p[8:])
    return out


class Events:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []
        self.threads: set[str] = set()
        self._cond = threading.Condition()

    def __call__(self, key: str, kind: str, detail: str) -> None:
        with self._cond:
            self.items.append((key, kind, detail))
            self.threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 5.0) -> list[tuple[str, str, str]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.items) >= count, timeout)
            return list(self.items)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def tap(events: Events):
    tap = MediaTap(notify=events)
    tap.start()
    yield tap
    tap.stop()


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> bytes:
    return speech_alaw(SPEECH, tmp_path_factory.mktemp("speech"))


def port_of(answer: bytes) -> int:
    line = next(x for x in answer.decode().splitlines() if x.startswith("m=audio"))
    return int(line.split()[1])


def send(tap: MediaTap, port: int, packets: list[bytes]) -> None:
    """Sends the packets, then waits until the tap has taken them all in and a little
    more (its events are notified right after each socket's turn)."""
    target = tap.stats["packets"] + len(packets)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for n, packet in enumerate(packets):
            sock.sendto(packet, ("127.0.0.1", port))
            if n % 20 == 19:
                time.sleep(0.002)
    deadline = time.monotonic() + 5
    while tap.stats["packets"] < target and time.monotonic() < deadline:
        time.sleep(0.005)
    assert tap.stats["packets"] == target, "the tap lost packets"
    time.sleep(0.05)


def test_speech_is_reported_once_per_listen(tap, events, speech):
    port = port_of(tap.open("call-1", OFFER))
    send(tap, port, audio_packets(speech))
    assert events.items == [], "not listening yet: nothing to report"

    tap.listen("call-1")
    send(tap, port, audio_packets(speech, seq=1000))
    assert events.wait(1) == [("call-1", "speech", "")]
    assert events.threads == {"media-tap"}  # notified on the tap's own thread
    send(tap, port, audio_packets(speech, seq=2000))
    assert len(events.items) == 1

    tap.listen("call-1")  # re-armed: the caller speaking again is news again
    send(tap, port, audio_packets(speech, seq=3000))
    assert events.wait(2)[1] == ("call-1", "speech", "")
    assert tap.stats["speech"] == 2


def test_recorded_human_speech_is_speech_and_no_digit(tap, events):
    recorded = pcap_rtp(PCAPS / "g711a.pcap")  # sipp's 7 s of a person talking, A-law
    port = port_of(tap.open("human", OFFER))
    tap.listen("human")
    send(tap, port, recorded)
    assert events.wait(1) == [("human", "speech", "")]
    assert tap.stats["digits"] == 0


def test_silence_and_low_noise_are_not_speech(tap, events):
    port = port_of(tap.open("quiet", OFFER))
    tap.listen("quiet")
    send(tap, port, audio_packets(b"\xd5" * 8000 * 4))  # 4 s of A-law silence
    noise = np.random.default_rng(112).normal(0, 150, 8000 * 4)  # about -47 dBFS
    send(tap, port, audio_packets(encode(noise), seq=500))
    assert events.items == []
    assert tap.stats["speech"] == 0


def test_rfc4733_five_five_is_two_digits(tap, events):
    five = pcap_rtp(PCAPS / "dtmf_2833_5.pcap")
    assert [p[1] & 0x7F for p in five] == [101] * len(five)
    port = port_of(tap.open("dtmf", OFFER))
    tap.listen("dtmf")
    send(tap, port, five)
    send(tap, port, five[-3:])  # late retransmissions of the end packet: the same press
    send(tap, port, shifted(five, 500, 80_000))
    assert events.wait(2) == [("dtmf", "digit", "5"), ("dtmf", "digit", "5")]
    assert tap.stats["digits"] == 2 and tap.stats["speech"] == 0
    # a caller that sends RFC 4733 may also leave the tones in its audio: not twice
    send(tap, port, audio_packets(encode(tone((770, 1336), 200)), seq=5000))
    assert len(events.items) == 2


def test_inband_tones_five_five_are_two_digits_and_no_speech(tap, events):
    five = (770, 1336)
    pcm = np.concatenate([silence(200), tone(five, 150), silence(150), tone(five, 600),
                          silence(300)])
    port = port_of(tap.open("inband", OFFER))
    tap.listen("inband")
    send(tap, port, audio_packets(encode(pcm)))
    assert events.wait(2) == [("inband", "digit", "5"), ("inband", "digit", "5")]
    time.sleep(0.05)
    assert len(events.items) == 2, "a long tone is one press, and a tone is not speech"


def test_every_key_inband_in_order_without_speech(tap, events):
    rows, cols = (697, 770, 852, 941), (1209, 1336, 1477)
    keys = "123456789*0#"
    freqs = {k: (rows[i // 3], cols[i % 3]) for i, k in enumerate(keys)}
    pcm = np.concatenate([part for k in keys for part in (tone(freqs[k], 100), silence(100))])
    port = port_of(tap.open("keys", OFFER))
    tap.listen("keys")
    send(tap, port, audio_packets(encode(pcm)))
    got = events.wait(len(keys))
    assert "".join(detail for _, _, detail in got) == keys
    assert all(kind == "digit" for _, kind, _ in got)


def test_speech_after_tones_is_still_speech(tap, events, speech):
    pcm = np.concatenate([tone((852, 1477), 200), silence(100), decode_alaw(speech)])
    port = port_of(tap.open("both", OFFER))
    tap.listen("both")
    send(tap, port, audio_packets(encode(pcm)))
    assert events.wait(2) == [("both", "digit", "9"), ("both", "speech", "")]


def test_pcmu_offer_with_its_own_event_payload_type(tap, events, speech):
    answer = tap.open("mulaw", PCMU_OFFER).decode()
    assert "m=audio" in answer and " RTP/AVP 0 96\r\n" in answer
    assert "a=rtpmap:0 PCMU/8000" in answer and "a=rtpmap:96 telephone-event/8000" in answer
    port = port_of(answer.encode())
    tap.listen("mulaw")
    mulaw = encode(decode_alaw(speech), ULAW_OF)
    send(tap, port, audio_packets(mulaw, pt=0))
    assert events.wait(1) == [("mulaw", "speech", "")]
    five = [p[:1] + bytes([(p[1] & 0x80) | 96]) + p[2:]
            for p in pcap_rtp(PCAPS / "dtmf_2833_5.pcap")]
    send(tap, port, five)
    assert events.wait(2)[1] == ("mulaw", "digit", "5")


def test_answer_sdp(tap):
    offer = (b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
             b"m=audio 4000 RTP/AVP 9 0 8 18 101\r\na=rtpmap:9 G722/8000\r\n"
             b"a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n"
             b"m=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n")
    answer = tap.open("sdp", offer).decode()
    assert answer.endswith("\r\n")
    lines = answer.split("\r\n")[:-1]
    port = port_of(answer.encode())
    assert "c=IN IP4 127.0.0.1" in lines
    # the codecs we decode in the offer's order (PCMU first, as preferred), then events
    assert f"m=audio {port} RTP/AVP 0 8 101" in lines
    assert {"a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000",
            "a=sendrecv", "a=ptime:20"} <= set(lines)
    assert "m=video 0 RTP/AVP 96" in lines  # one answer line per offered line, declined
    assert not any("G722" in x or "H264" in x for x in lines)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        with pytest.raises(OSError):
            probe.bind(("127.0.0.1", port))  # the tap holds the port

    again = tap.open("sdp", offer).decode()  # a new offer for the same call: same port
    assert port_of(again.encode()) == port

    no_events = OFFER.replace(b" 8 0 101", b" 8").replace(b"a=rtpmap:101", b"a=x:")
    answer = tap.open("plain", no_events).decode()
    assert f"m=audio {port_of(answer.encode())} RTP/AVP 8\r\n" in answer
    assert "telephone-event" not in answer


@pytest.mark.parametrize("offer", [
    b"v=0\r\nm=audio 4000 RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\n",
    b"v=0\r\nm=audio 4000 RTP/SAVP 8\r\n",  # SRTP: rtpengine must hand us plain RTP
    b"v=0\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMA/16000\r\n",
    b"",
])
def test_offer_without_g711_is_refused(tap, offer):
    with pytest.raises(ValueError):
        tap.open("refused", offer)


def test_close_frees_the_port(tap, events):
    port = port_of(tap.open("gone", OFFER))
    tap.close("gone")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", port))
    tap.close("gone")  # twice, or a call never opened: nothing happens
    tap.listen("gone")
    assert events.items == []


def test_bad_packets_are_ignored(tap, events):
    port = port_of(tap.open("bad", OFFER))
    tap.listen("bad")
    good = rtp(8, 1, 160, b"\xd5" * 160)
    bad = [
        b"",
        b"\x80\x08\x00",  # shorter than a header
        bytes([0x40]) + good[1:],  # RTP version 1
        bytes([0x8F]) + good[1:20],  # 15 CSRCs announced, none there
        bytes([0x90]) + good[1:12] + b"\x00\x00\xff\xff",  # extension longer than packet
        bytes([0xA0]) + good[1:-1] + b"\xff",  # padding longer than the payload
        rtp(101, 2, 320, b"\x05"),  # an event too short to read
        rtp(13, 3, 480, b"\x01" * 160),  # a payload type not in the answer
    ]
    send(tap, port, bad)
    assert tap.stats["ignored"] == len(bad)
    send(tap, port, pcap_rtp(PCAPS / "dtmf_2833_5.pcap"))  # and the tap still works
    assert events.wait(1) == [("bad", "digit", "5")]


def test_a_failing_listener_does_not_stop_the_tap(events):
    calls = []

    def notify(key: str, kind: str, detail: str) -> None:
        calls.append(detail)
        raise RuntimeError("listener bug")

    tap = MediaTap(notify=notify)
    tap.start()
    try:
        port = port_of(tap.open("x", OFFER))
        tap.listen("x")
        five = pcap_rtp(PCAPS / "dtmf_2833_5.pcap")
        send(tap, port, five)
        send(tap, port, shifted(five, 100, 16_000))
        assert calls == ["5", "5"]
    finally:
        tap.stop()

"""Speech for RTP tests: espeak-ng says a sentence, sox makes it 8 kHz A-law, and it is
wrapped as RTP (payload 8, 20 ms a packet) in a pcap that sipp's play_pcap_audio sends."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

PCAPS = Path("/usr/share/sip-tester")  # Debian's sip-tester: g711a.pcap is 7.08 s of speech


def speech_alaw(text: str, folder: Path) -> bytes:
    wav, raw = folder / "speech.wav", folder / "speech.al"
    subprocess.run(["espeak-ng", "-v", "id", "-w", str(wav), text], check=True,
                   capture_output=True, timeout=30)
    subprocess.run(["sox", str(wav), "-r", "8000", "-c", "1", "-t", "al", str(raw)],
                   check=True, capture_output=True, timeout=30)
    return raw.read_bytes()


def rtp_pcap(alaw: bytes, path: Path, *, ssrc: int = 0x5A1A6A) -> Path:
    """Ethernet/IPv4/UDP/RTP frames; sipp rewrites addresses and ports when it plays."""
    packets = [(n, struct.pack("!BBHII", 0x80, 8, n & 0xFFFF, n * 160, ssrc)
                + alaw[start:start + 160])
               for n, start in enumerate(range(0, len(alaw) - 159, 160))]
    return _write_pcap(path, packets)

SILENCE_ALAW = b"\xd5" * 160  # one 20 ms frame of A-law silence


def rtp_pcap_with_digits(path: Path, *, silence_s: float, digits: str, gap_s: float = 0.4,
                         ssrc: int = 0x5A1A6B, event_pt: int = 101) -> Path:
    """Silence (A-law frames) for `silence_s`, then each digit as RFC 4733 events (a 100 ms
    tone: three updates and three end packets, as phones send them), `gap_s` apart, with
    silence frames between: the RTP a caller sends who says nothing, then presses keys."""
    codes = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}
    packets: list[tuple[int, bytes]] = []  # (time in 20 ms frames, RTP)
    seq = ts = 0

    def frame(n: int) -> None:
        nonlocal seq, ts
        packets.append((n, struct.pack("!BBHII", 0x80, 8, seq & 0xFFFF, ts, ssrc)
                        + SILENCE_ALAW))
        seq, ts = seq + 1, ts + 160

    n = 0
    for _ in range(int(silence_s * 50)):
        frame(n)
        n += 1
    for digit in digits:
        start = ts
        for i, end in ((1, False), (2, False), (3, False), (4, True), (4, True), (4, True)):
            flags = 0x80 | 10 if end else 10  # end bit, volume 10
            body = bytes([codes[digit], flags]) + struct.pack("!H", 160 * i)
            marker = 0x80 if i == 1 and not end else 0
            packets.append((n, struct.pack("!BBHII", 0x80, marker | event_pt, seq & 0xFFFF,
                                           start, ssrc) + body))
            seq += 1
            n += 1
        ts = start + 800
        for _ in range(int(gap_s * 50)):
            frame(n)
            n += 1
    return _write_pcap(path, packets)


def _write_pcap(path: Path, packets: list[tuple[int, bytes]]) -> Path:
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for k, (n, rtp) in enumerate(packets):
        udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), k & 0xFFFF, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
        frame = b"\x00" * 12 + b"\x08\x00" + ip
        usec = n * 20_000
        out.append(struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(frame),
                               len(frame)) + frame)
    path.write_bytes(b"".join(out))
    return path

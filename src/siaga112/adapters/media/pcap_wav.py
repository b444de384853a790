"""One WAV per call from rtpengine's pcap recording (`recording-method=pcap`, raw IPv4).

rtpengine writes every RTP packet it relays, both directions, into one pcap per call.
This reads the RTP (G.711 A-law or mu-law; other payloads such as DTMF events are left
out), places each stream's audio at its RTP time and mixes both parties into one mono
8 kHz 16-bit WAV. No RTP is relayed here: this only decodes a finished file."""

from __future__ import annotations

import struct
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from siaga112.adapters.media.g711 import TABLES

RATE = 8000
LINKTYPE_RAW, LINKTYPE_ETHERNET, LINKTYPE_RAW_ALT = 101, 1, 12
MAX_SECONDS = 6 * 3600  # a file that claims more is cut there (memory stays bounded)


class RecordingFormatError(ValueError):
    pass


@dataclass(frozen=True)
class WavInfo:
    path: Path
    seconds: float
    size: int
    streams: int


def rtp_packets(pcap: bytes) -> list[tuple[float, tuple[str, int], bytes]]:
    """(arrival time, source address, RTP packet) of every UDP datagram in the pcap."""
    if not pcap:  # rtpengine opens the file at the answer: a call without RTP leaves it empty
        return []
    if len(pcap) < 24:
        raise RecordingFormatError("not a pcap file (too short)")
    magic = pcap[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise RecordingFormatError("not a pcap file")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(endian + "I", pcap[20:24])[0]
    skip = {LINKTYPE_RAW: 0, LINKTYPE_RAW_ALT: 0, LINKTYPE_ETHERNET: 14}.get(linktype)
    if skip is None:
        raise RecordingFormatError(f"pcap link type {linktype} not supported")
    out = []
    offset = 24
    while offset + 16 <= len(pcap):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", pcap[offset:offset + 16])
        frame = pcap[offset + 16:offset + 16 + caplen]
        offset += 16 + caplen
        ip = frame[skip:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:  # IPv4 UDP only
            continue
        ihl = (ip[0] & 0x0F) * 4
        src = ".".join(str(b) for b in ip[12:16])
        sport = struct.unpack("!H", ip[ihl:ihl + 2])[0]
        out.append((sec + frac / (1e9 if nano else 1e6), (src, sport), ip[ihl + 8:]))
    return out


def pcap_to_wav(pcap_path: Path, wav_path: Path) -> WavInfo:
    packets = rtp_packets(pcap_path.read_bytes())
    streams: dict[tuple[tuple[str, int], int], tuple[float, int]] = {}  # -> first time, ts
    placed: list[tuple[int, array]] = []
    start = min((t for t, _, _ in packets), default=0.0)
    for when, source, rtp in packets:
        if len(rtp) < 12 or rtp[0] >> 6 != 2:
            continue
        payload_type = rtp[1] & 0x7F
        table = TABLES.get(payload_type)
        if table is None:
            continue
        ssrc = struct.unpack("!I", rtp[8:12])[0]
        timestamp = struct.unpack("!I", rtp[4:8])[0]
        header = 12 + 4 * (rtp[0] & 0x0F)
        if rtp[0] & 0x10 and len(rtp) >= header + 4:  # header extension
            header += 4 + 4 * struct.unpack("!H", rtp[header + 2:header + 4])[0]
        payload = rtp[header:]
        if rtp[0] & 0x20 and payload:  # padding
            payload = payload[:-payload[-1]]
        first = streams.setdefault((source, ssrc), (when, timestamp))
        # the stream's own clock keeps its samples in order despite jitter on arrival
        at = round((first[0] - start) * RATE) + ((timestamp - first[1]) % 2**32)
        if at < RATE * MAX_SECONDS:
            placed.append((at, array("h", (table[b] for b in payload))))
    length = max((at + len(samples) for at, samples in placed), default=0)
    mix = array("i", bytes(4 * length))
    for at, samples in placed:
        for i, sample in enumerate(samples, at):
            mix[i] += sample
    pcm = array("h", (32767 if s > 32767 else -32768 if s < -32768 else s for s in mix))
    wav_path.parent.mkdir(parents=True, exist_ok=True)
    partial = wav_path.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())  # WAV is little-endian, as is this machine's array
    partial.replace(wav_path)
    return WavInfo(path=wav_path, seconds=length / RATE, size=wav_path.stat().st_size,
                   streams=len(streams))

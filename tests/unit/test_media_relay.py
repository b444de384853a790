"""The media relay's pieces: bencode, the NG client against a real rtpengine, the node's
relay falling back to direct media when rtpengine is gone, and pcap -> WAV."""

from __future__ import annotations

import socket
import struct
import time
import wave
from pathlib import Path

import pytest

from siaga112.adapters.media import bencode
from siaga112.adapters.media.g711 import ALAW, ULAW
from siaga112.adapters.media.pcap_wav import RecordingFormatError, pcap_to_wav, rtp_packets
from siaga112.adapters.media.relay import MediaRelay
from siaga112.adapters.media.rtpengine import MediaRelayError, RtpEngine
from tests.support.audio import PCAPS, rtp_pcap
from tests.support.rtpengine import running_rtpengine

SDP = (b"v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio %d RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")


def test_bencode_round_trips_and_sorts_keys():
    message = {"sdp": "v=0\r\n", "command": "offer", "flags": ["a", "b"], "n": -3}
    data = bencode.encode(message)
    assert data.startswith(b"d7:command5:offer5:flags")  # sorted keys, as bencode wants
    assert bencode.decode(data) == message
    assert bencode.decode(b"4:\xff\xfe\x00a") == b"\xff\xfe\x00a"  # not UTF-8: bytes
    for bad in (b"i12", b"5:abc", b"d3:keye", b"x", b"i1ei2e"):
        with pytest.raises((bencode.BencodeError, ValueError)):
            bencode.decode(bad)
    with pytest.raises(bencode.BencodeError):
        bencode.encode(True)


def test_g711_tables_match_the_standard_points():
    assert (ALAW[0xD5], ALAW[0x55], ULAW[0xFF], ULAW[0x7F]) == (8, -8, 0, 0)
    assert max(ALAW) == 32256 and min(ULAW) == -32124


def _port(sdp: bytes) -> int:
    return int(sdp.split(b"m=audio ")[1].split()[0])


def test_the_ng_client_relays_and_records_a_call_through_rtpengine(tmp_path):
    with running_rtpengine(tmp_path) as daemon:
        ng = RtpEngine("127.0.0.1", daemon.ng_port)
        caller, phone = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
        try:
            for s in (caller, phone):
                s.bind(("127.0.0.1", 0))
                s.settimeout(2)
            assert ng.ping()
            offered = ng.offer("call-1", "from-1", SDP % caller.getsockname()[1],
                               replace=["origin"], ICE="remove")
            answered = ng.answer("call-1", "from-1", "to-1", SDP % phone.getsockname()[1])
            ng.start_recording("call-1")
            to_phone, to_caller = _port(offered), _port(answered)
            assert {to_phone, to_caller}.isdisjoint({caller.getsockname()[1],
                                                     phone.getsockname()[1]})
            for n in range(5):  # RTP both ways, through rtpengine's ports
                caller.sendto(struct.pack("!BBHII", 0x80, 8, n, n * 160, 1) + b"\xd5" * 160,
                              ("127.0.0.1", to_caller))
                assert phone.recv(2048)[12:] == b"\xd5" * 160
                phone.sendto(struct.pack("!BBHII", 0x80, 8, n, n * 160, 2) + b"\x55" * 160,
                             ("127.0.0.1", to_phone))
                assert caller.recv(2048)[12:] == b"\x55" * 160
            totals = ng.query("call-1")["totals"]["RTP"]
            assert totals["packets"] >= 10
            ng.delete("call-1", delete_delay=0)
            with pytest.raises(MediaRelayError, match="(?i)unknown call-id"):
                ng.query("call-1")
            time.sleep(0.2)
            [meta] = (daemon.spool / "metadata").glob("rtpengine-meta-call-1-*.txt")
            info = pcap_to_wav(Path(meta.read_text().splitlines()[0]),
                               tmp_path / "call-1.wav")
            assert info.streams == 2 and 0.05 <= info.seconds < 2
        finally:
            ng.close()
            caller.close()
            phone.close()


def test_without_rtpengine_the_sdp_passes_and_the_relay_is_bypassed_for_a_while():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # bound, never answers
        engine = RtpEngine("127.0.0.1", silent.getsockname()[1], timeout=0.05, retries=0)
        relay = MediaRelay(engine, record=True, bypass_seconds=60)
        try:
            sdp = SDP % 7000
            assert relay.offer("ref-1", "call-1", "tag", sdp) == sdp
            started = time.monotonic()
            assert relay.offer("ref-2", "call-2", "tag", sdp) == sdp  # bypassed: no wait
            assert time.monotonic() - started < 0.01
            assert relay.answer("ref-1", "to", sdp) == sdp and relay.sessions == {}
            assert relay.failures == 1
        finally:
            engine.close()


def test_pcap_to_wav_reads_sipps_speech_and_our_own_pcaps(tmp_path):
    info = pcap_to_wav(PCAPS / "g711a.pcap", tmp_path / "a.wav")  # ethernet frames
    assert info.streams == 1 and info.seconds == pytest.approx(7.08, abs=0.05)
    with wave.open(str(info.path)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (1, 8000, 56640)
    ours = rtp_pcap(b"\xd5" * 8000, tmp_path / "one-second.pcap")
    assert pcap_to_wav(ours, tmp_path / "b.wav").seconds == pytest.approx(1.0)
    (tmp_path / "empty.pcap").write_bytes(b"")  # a recorded call that carried no RTP
    assert pcap_to_wav(tmp_path / "empty.pcap", tmp_path / "c.wav").seconds == 0
    (tmp_path / "junk.pcap").write_bytes(b"not a capture at all, really not")
    with pytest.raises(RecordingFormatError):
        rtp_packets((tmp_path / "junk.pcap").read_bytes())

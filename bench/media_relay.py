"""What does rtpengine (userspace, no kernel module) cost per relayed, recorded call on
this machine, and what does turning the recording into a WAV cost?

N calls are set up through rtpengine's NG protocol (offer, answer, start recording), as
the SIP node does, and carry G.711 RTP both ways (50 packets/s per direction, 160-byte
A-law frames) for --seconds; then deleted, and each call's pcap is converted to WAV as the
recordings collector does. The same packets sent directly between the same sockets, in
the same run, are the baseline: the generator's own cost, so the relay's share is the
rtpengine process's CPU (from /proc), measured alone. Prints one JSON object last.

    python bench/media_relay.py --calls 100 --seconds 10
    python bench/media_relay.py --sip-calls 1000 --sip-rate 100   # + the SIP node, relay on/off

With --sip-calls, the whole path of bench/sip_intake.py (sipp callers, the node, SQLite,
sipp phones; no RTP) runs twice in the same run: relay off (the baseline), then relay on
with recording, to show what the NG round trips cost the node.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from siaga112.adapters.media.pcap_wav import pcap_to_wav
from siaga112.adapters.media.rtpengine import MediaRelayError, RtpEngine

SDP = ("v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio {port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")
TICK = 0.02


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_rtpengine(spool: Path, log: Path) -> tuple[subprocess.Popen[bytes], RtpEngine]:
    binary = shutil.which("rtpengine")
    if binary is None:
        sys.exit("rtpengine missing: apt-get install rtpengine-daemon")
    port, low = free_port(), random.randrange(20000, 40000, 2)
    proc = subprocess.Popen(
        [binary, "--config-file=none", "--table=-1", "--foreground", "--log-stderr",
         "--interface=127.0.0.1", f"--listen-ng=127.0.0.1:{port}", f"--port-min={low}",
         f"--port-max={low + 4999}", "--delete-delay=0", f"--recording-dir={spool}",
         "--recording-method=pcap", "--recording-format=raw", "--log-level=4"],
        stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    ng = RtpEngine("127.0.0.1", port, timeout=0.5, retries=0)
    deadline = time.monotonic() + 10
    while True:
        try:
            ng.ping()
            return proc, ng
        except (MediaRelayError, OSError):
            if time.monotonic() > deadline:
                sys.exit(f"rtpengine did not start: {log.read_text()[-1000:]}")
            time.sleep(0.05)


def sockets(n: int) -> list[socket.socket]:
    out = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind(("127.0.0.1", 0))
        s.setblocking(False)
        out.append(s)
    return out


def pump(pairs: list[tuple[socket.socket, tuple[str, int], socket.socket, tuple[str, int]]],
         seconds: float) -> dict[str, float]:
    """Each call: a packet each way every 20 ms; receivers drained; counts returned."""
    sent = received = 0
    payload = b"\xd5" * 160
    start = time.monotonic()
    ticks = int(seconds / TICK)
    for n in range(ticks):
        header = struct.pack("!BBHI", 0x80, 8, n & 0xFFFF, n * 160)
        for i, (a, to_b, b, to_a) in enumerate(pairs):
            a.sendto(header + struct.pack("!I", 2 * i) + payload, to_b)
            b.sendto(header + struct.pack("!I", 2 * i + 1) + payload, to_a)
            sent += 2
        for a, _, b, _ in pairs:
            for s in (a, b):
                try:
                    while s.recv(2048):
                        received += 1
                except BlockingIOError:
                    pass
        delay = start + (n + 1) * TICK - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    time.sleep(0.1)
    for a, _, b, _ in pairs:
        for s in (a, b):
            try:
                while s.recv(2048):
                    received += 1
            except BlockingIOError:
                pass
    return {"sent": sent, "received": received, "wall": time.monotonic() - start}


def sip_path(calls: int, rate: float) -> dict[str, object]:
    import sip_intake  # bench/ is on the path when this runs as a script

    from siaga112.config_media import MediaConfig

    plain_load = sip_intake.load_center
    out: dict[str, object] = {}
    work = Path(tempfile.mkdtemp(prefix="media_sip_"))
    try:
        out["relay_off"] = _sip_figures(sip_intake.measure_full(
            "sqlite", calls, rate, 200, 80, work))
        proc, ng = start_rtpengine(work / "spool", work / "rtpengine.log")
        ng_port = ng.address[1]
        ng.close()
        media = MediaConfig(relay="rtpengine", rtpengine_ng=f"127.0.0.1:{ng_port}",
                            spool_dir=str(work / "spool"),
                            recordings_dir=str(work / "recordings"))
        sip_intake.load_center = lambda path: plain_load(path).model_copy(  # type: ignore
            update={"media": media})
        try:
            cpu0 = cpu_seconds(proc.pid)
            out["relay_on"] = _sip_figures(sip_intake.measure_full(
                "sqlite", calls, rate, 200, 80, work))
            out["relay_on"]["rtpengine_cpu_ms_per_call"] = round(  # type: ignore[index]
                1000 * (cpu_seconds(proc.pid) - cpu0) / calls, 3)
        finally:
            sip_intake.load_center = plain_load
            proc.terminate()
            proc.wait(10)
        out["recordings"] = len(list((work / "recordings").rglob("*.wav")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _sip_figures(run: dict[str, object]) -> dict[str, object]:
    keys = ("sent", "successful", "failed", "calls_stored", "released", "clean",
            "cpu_ms_per_call", "invite_200_ms", "rate_in")
    return {k: run.get(k) for k in keys}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sip-calls", type=int, default=0)
    parser.add_argument("--sip-rate", type=float, default=100.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="media_bench_"))
    own_cpu = lambda: sum(os.times()[:2])  # noqa: E731
    socks = sockets(2 * args.calls)
    try:
        # Baseline: the same packets, direct (no relay).
        direct = [(socks[2 * i], socks[2 * i + 1].getsockname(), socks[2 * i + 1],
                   socks[2 * i].getsockname()) for i in range(args.calls)]
        before = own_cpu()
        base = pump(direct, args.seconds)
        base_cpu = own_cpu() - before

        proc, ng = start_rtpengine(work / "spool", work / "rtpengine.log")
        try:
            idle = cpu_seconds(proc.pid)
            relayed, setup = [], []
            for i in range(args.calls):
                a, b = socks[2 * i], socks[2 * i + 1]
                t0 = time.perf_counter()
                call = f"bench-{i}"
                offer = ng.offer(call, "f", SDP.format(port=a.getsockname()[1]).encode())
                answer = ng.answer(call, "f", "t", SDP.format(port=b.getsockname()[1]).encode())
                ng.start_recording(call)
                setup.append(time.perf_counter() - t0)
                to_b = ("127.0.0.1", int(offer.split(b"m=audio ")[1].split()[0]))
                to_a = ("127.0.0.1", int(answer.split(b"m=audio ")[1].split()[0]))
                # a sends to the port offered to b's side and the other way round
                relayed.append((a, to_a, b, to_b))
            setup_cpu = cpu_seconds(proc.pid) - idle
            mid = cpu_seconds(proc.pid)
            relay = pump(relayed, args.seconds)
            relay_cpu = cpu_seconds(proc.pid) - mid
            t0 = time.perf_counter()
            for i in range(args.calls):
                ng.delete(f"bench-{i}", delete_delay=0)
            delete_s = time.perf_counter() - t0
        finally:
            ng.close()
            proc.terminate()
            proc.wait(10)
        time.sleep(0.2)
        t0 = time.perf_counter()
        audio = 0.0
        pcaps = sorted((work / "spool" / "pcaps").glob("*.pcap"))
        for pcap in pcaps:
            audio += pcap_to_wav(pcap, work / "wav" / f"{pcap.stem}.wav").seconds
        convert_s = time.perf_counter() - t0
    finally:
        for s in socks:
            s.close()
    packets = relay["received"]
    call_seconds = args.calls * args.seconds
    figures = {
        "calls": args.calls, "seconds": args.seconds, "cores": os.cpu_count(),
        "baseline_direct": {"sent": base["sent"], "received": base["received"],
                            "generator_cpu_s": round(base_cpu, 3)},
        "relay_recording": {
            "sent": relay["sent"], "received": packets,
            "lost_ratio": round(1 - packets / max(1, relay["sent"]), 5),
            "rtpengine_cpu_s": round(relay_cpu, 3),
            "rtpengine_us_per_packet": round(1e6 * relay_cpu / max(1, packets), 2),
            "rtpengine_core_share": round(relay_cpu / relay["wall"], 3),
            "concurrent_calls_per_core": int(call_seconds / max(relay_cpu, 1e-9)),
        },
        "signalling": {"offer_answer_record_ms_median": round(
            1000 * sorted(setup)[len(setup) // 2], 3),
            "rtpengine_setup_cpu_ms_per_call": round(1000 * setup_cpu / args.calls, 3),
            "delete_ms_per_call": round(1000 * delete_s / args.calls, 3)},
        "wav": {"files": len(pcaps), "audio_seconds": round(audio, 1),
                "convert_s": round(convert_s, 3),
                "convert_cpu_s_per_audio_minute": round(60 * convert_s / max(audio, 1e-9), 3)},
    }
    shutil.rmtree(work, ignore_errors=True)
    if args.sip_calls:
        figures["sip_node"] = sip_path(args.sip_calls, args.sip_rate)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

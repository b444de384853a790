"""A real rtpengine (Debian's rtpengine-daemon) for tests: userspace forwarding only
(`--table=-1`, no kernel module), on 127.0.0.1 with a free NG port and an RTP port range
of its own, recording as pcap into a spool folder. Never skipped: scripts/lib.sh installs
the package."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from siaga112.adapters.media.rtpengine import MediaRelayError, RtpEngine


@dataclass(frozen=True)
class RunningRtpEngine:
    ng_port: int
    spool: Path
    log: Path
    pid: int

    @property
    def ng(self) -> str:
        return f"127.0.0.1:{self.ng_port}"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_rtpengine(folder: Path) -> Iterator[RunningRtpEngine]:
    binary = shutil.which("rtpengine")
    if binary is None:
        pytest.fail("rtpengine is missing: install Debian's rtpengine-daemon "
                    "(scripts/lib.sh SIAGA112_SYSTEM_PACKAGES)", pytrace=False)
    folder.mkdir(parents=True, exist_ok=True)
    spool, log = folder / "spool", folder / "rtpengine.log"
    ng_port = _free_udp_port()
    low = random.randrange(30000, 44000, 2)  # its own RTP range: tests may run side by side
    log_file = log.open("wb")
    proc = subprocess.Popen(
        [binary, "--config-file=none", "--table=-1", "--foreground", "--log-stderr",
         "--interface=127.0.0.1", f"--listen-ng=127.0.0.1:{ng_port}",
         f"--port-min={low}", f"--port-max={low + 199}", "--delete-delay=0",
         f"--recording-dir={spool}", "--recording-method=pcap", "--recording-format=raw",
         "--log-level=5"],
        stdout=subprocess.DEVNULL, stderr=log_file)
    client = RtpEngine("127.0.0.1", ng_port, timeout=0.2, retries=0)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except (MediaRelayError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"rtpengine did not start: {log.read_text()[-2000:]}",
                                pytrace=False)
                time.sleep(0.05)
        yield RunningRtpEngine(ng_port=ng_port, spool=spool, log=log, pid=proc.pid)
    finally:
        client.close()
        proc.terminate()  # calls are deleted by then (it may crash on open recorded calls)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log_file.close()

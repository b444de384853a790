"""A center as deployed for reliability, on one machine: Kamailio (deploy/kamailio) in front
of two `siaga112 serve` processes sharing one PostgreSQL, each ringing its own desks (sipp
phones). Used by tests/sip/test_proxy.py and bench/faults.py.

Every process is started here, on 127.0.0.1 and free ports, and ended here by its own id.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "sip" / "scenarios"
KAMAILIO_CFG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"
TINY = ROOT / "src" / "siaga112" / "centers" / "tiny.toml"
SIAGA112 = str(Path(sys.executable).with_name("siaga112"))
DESKS_PER_NODE = 4


def free_port() -> int:
    """A port free for both UDP and TCP (SIP listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = int(u.getsockname()[1])
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port")


def center_file(workdir: Path, phones: dict[str, int], per_node: int = DESKS_PER_NODE) -> Path:
    """tiny.toml with `per_node` desks per node, each ringing its node's sipp phone."""
    text = TINY.read_text(encoding="utf-8")
    text = re.sub(r"\[\[positions\]\]\n(?:(?!\n\[).*\n)*\n?", "", text)
    desks = []
    for node, port in phones.items():
        for i in range(1, per_node + 1):
            code = f"{node}-{i:02d}"
            desks.append(f'[[positions]]\ncode = "{code}"\nname = "Meja {code}"\n'
                         f'sip_uri = "sip:{code}@127.0.0.1:{port}"\ndemo = true\n')
    path = workdir / "center.toml"
    path.write_text(text + "\n" + "\n".join(desks), encoding="utf-8")
    return path


def desks(node: str, per_node: int = DESKS_PER_NODE) -> list[str]:
    return [f"{node}-{i:02d}" for i in range(1, per_node + 1)]


@dataclass
class Node:
    name: str
    sip_port: int
    http_port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


@dataclass
class Cluster:
    url: str
    workdir: Path
    proxy_port: int
    nodes: dict[str, Node] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    kamailio_log: Path | None = None

    # -- driving it ---------------------------------------------------------------------------
    def callers(self, *, calls: int, rate: float, transport: str = "u1", hold_ms: int = 200,
                tag: str = "callers", recv_timeout_ms: int = 4000,
                extra: tuple[str, ...] = ()) -> subprocess.Popen[str]:
        """sipp callers through Kamailio (started; `caller_stats` reads the outcome, and
        `<tag>.out` has what sipp said)."""
        command = [
            "sipp", f"127.0.0.1:{self.proxy_port}", "-sf", str(SCENARIOS / "caller_via_proxy.xml"),
            "-key", "caller", "081234567890", "-i", "127.0.0.1", "-p", str(free_port()),
            "-m", str(calls), "-r", str(rate), "-d", str(hold_ms), "-t", transport,
            "-l", "1000", "-nostdin", "-timeout", f"{int(calls / rate) + 30}s",
            "-recv_timeout", str(recv_timeout_ms), "-trace_stat", "-stf",
            str(self.workdir / f"{tag}.csv"), "-fd", "1", "-trace_err", "-error_file",
            str(self.workdir / f"{tag}_errors.log"), "-trace_logs", "-log_file",
            str(self.workdir / f"{tag}_answered.log"), *extra]
        with (self.workdir / f"{tag}.out").open("w") as out:
            return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True,
                                    cwd=self.workdir)

    def said(self, tag: str) -> str:
        return (self.workdir / f"{tag}.out").read_text(errors="replace")[-2000:]

    def caller_stats(self, tag: str) -> dict[str, int]:
        text = (self.workdir / f"{tag}.csv").read_text()
        rows = list(csv.DictReader(text.splitlines(), delimiter=";"))
        last = rows[-1]
        return {"sent": int(last["OutgoingCall(C)"]), "successful": int(last["SuccessfulCall(C)"]),
                "failed": int(last["FailedCall(C)"])}

    def answered(self, tag: str) -> set[str]:
        """The Call-IDs of the calls these callers got a 200 for."""
        path = self.workdir / f"{tag}_answered.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return set(re.findall(r"answered (\S+)", text))

    def aborted_on(self, tag: str, status: int) -> set[str]:
        """The Call-IDs of the calls these callers gave up on receiving a `status` they did
        not expect there (sipp's error log): a 503 or 500 (refused), or a 200 that overtook
        its 180 (answered, but caller_via_proxy.xml insists on the 180 first)."""
        path = self.workdir / f"{tag}_errors.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        # One entry per aborted call, each starting with sipp's date, time and epoch.
        entries = re.split(r"\n?\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: ", text)
        found = set()
        for entry in entries:
            if f"received 'SIP/2.0 {status} " in entry:
                match = re.search(r"Call-I[Dd]: (\S+?)[,\s]", entry)
                if match:
                    found.add(match.group(1))
        return found

    @staticmethod
    def call_id(pid: int, number: int) -> str:
        """The Call-ID sipp gives its `number`th call (from 1) in the process `pid`."""
        return f"{number}-{pid}@127.0.0.1"

    @staticmethod
    def call_number(call_id: str) -> int:
        return int(call_id.split("-", 1)[0])

    def call_states(self, call_ids: set[str]) -> dict[str, str]:
        """The stored state of each of these Call-IDs that has a call in the database."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT external_id, state FROM calls "
                                            "WHERE external_id LIKE 'sip:%'")).all()
        finally:
            engine.dispose()
        wanted = {f"sip:{i}": i for i in call_ids}
        return {wanted[external]: state for external, state in rows if external in wanted}

    def not_stored(self, call_ids: set[str]) -> set[str]:
        """Those of these Call-IDs that have no call in the database: lost calls."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                stored = set(conn.scalars(sa.text("SELECT external_id FROM calls "
                                                  "WHERE external_id LIKE 'sip:%'")))
        finally:
            engine.dispose()
        return {i for i in call_ids if f"sip:{i}" not in stored}

    def kill(self, name: str) -> None:
        """kill -9: no goodbye, no flush."""
        node = self.nodes[name]
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(10)

    def calls_by_node(self) -> dict[str, dict[str, int]]:
        """Stored calls per node (sip_call_nodes) and state."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT n.node, c.state, count(*) FROM calls c JOIN sip_call_nodes n "
                    "ON n.call_id = c.id GROUP BY n.node, c.state")).all()
        finally:
            engine.dispose()
        found: dict[str, dict[str, int]] = {}
        for node, state, count in rows:
            found.setdefault(node, {})[state] = int(count)
        return found

    def wait_until_stored(self, total: int, seconds: float = 10) -> dict[str, dict[str, int]]:
        deadline = time.monotonic() + seconds
        while True:
            found = self.calls_by_node()
            if sum(sum(s.values()) for s in found.values()) >= total or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


def _wait_ready(node: Node, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise RuntimeError(f"node {node.name} exited: {node.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{node.base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"node {node.name} not ready: {node.log.read_text()[-3000:]}")


def _ready_desks(url: str, center: Path, prepare: Callable[[Any], None] | None = None) -> None:
    """Every desk logged in and ready before the nodes start (they load it from the database);
    `prepare(siaga)` adds what else a run needs then (users, tokens): never while a node
    runs, since bootstrap syncs the center's positions that a node keeps in memory."""
    from siaga112.bootstrap import bootstrap
    from siaga112.config import Settings
    from siaga112.services import commands as c

    siaga = bootstrap(Settings(database_url=url, center=str(center), env="test"))
    with siaga.uow() as uow:
        codes = [p.code for p in uow.positions.list()]
    for code in codes:
        siaga.bus.handle(c.LogInPosition(position_code=code, operator=f"op-{code}"))
        siaga.bus.handle(c.SetPositionReady(position_code=code))
    if prepare is not None:
        prepare(siaga)
    if siaga.notifier is not None:
        siaga.notifier.close()
    siaga.engine.dispose()


def start_node(cluster: Cluster, name: str, center: Path, per_node: int) -> Node:
    sip_port, http_port = free_port(), free_port()
    log = cluster.workdir / f"{name}.log"
    env = {**os.environ, "SIAGA112_DATABASE_URL": cluster.url, "SIAGA112_CENTER": str(center),
           "SIAGA112_HTTP_HOST": "127.0.0.1", "SIAGA112_HTTP_PORT": str(http_port),
           "SIAGA112_SIP_HOST": "127.0.0.1", "SIAGA112_SIP_PORT": str(sip_port),
           "SIAGA112_NODE_NAME": name, "SIAGA112_SIP_POSITIONS": ",".join(desks(name, per_node)),
           "SIAGA112_DATA_DIR": str(cluster.workdir)}
    with log.open("wb") as out:
        process = subprocess.Popen([SIAGA112, "serve"], stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, cwd=cluster.workdir)
    cluster.processes.append(process)
    node = Node(name, sip_port, http_port, process, log)
    cluster.nodes[name] = node
    return node


def start_kamailio(cluster: Cluster, *, probe_seconds: int = 1,
                   defines: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """Kamailio with deploy/kamailio/kamailio.cfg; `defines` are more `-A` settings of it
    (WITH_TLS, TLS_PORT=...)."""
    listing = cluster.workdir / "dispatcher.list"
    lines = [f"1 sip:127.0.0.1:{n.sip_port}" for n in cluster.nodes.values()]
    lines += [f"2 sip:127.0.0.1:{n.sip_port};transport=tcp" for n in cluster.nodes.values()]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rundir = cluster.workdir / "kamailio-run"
    rundir.mkdir(exist_ok=True)
    cluster.kamailio_log = cluster.workdir / "kamailio.log"
    with cluster.kamailio_log.open("wb") as out:
        process = subprocess.Popen(
            [shutil.which("kamailio") or "/usr/sbin/kamailio", "-f", str(KAMAILIO_CFG),
             "-DD", "-E", "-m", "32", "-M", "4", "-Y", str(rundir),
             "-P", str(rundir / "kamailio.pid"), "-A", "PROXY_IP=127.0.0.1",
             "-A", f"PROXY_PORT={cluster.proxy_port}", "-A", f'DISPATCHER_LIST="{listing}"',
             "-A", f"PROBE_SECONDS={probe_seconds}", "-A", "CHILDREN=2",
             "-A", f'CTL_SOCKET="unix:{rundir / "kamailio_ctl"}"',
             *(arg for define in defines for arg in ("-A", define))],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # its children in its own group, ended with it
    cluster.processes.append(process)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # listening on TCP means it has started
        try:
            socket.create_connection(("127.0.0.1", cluster.proxy_port), timeout=0.5).close()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"kamailio did not start: {cluster.kamailio_log.read_text()[-3000:]}")


@contextmanager
def sip_cluster(url: str, workdir: Path, names: tuple[str, ...] = ("node-a", "node-b"),
                probe_seconds: int = 1, desks_per_node: int = DESKS_PER_NODE,
                kamailio_defines: tuple[str, ...] = (),
                prepare: Callable[[Any], None] | None = None) -> Iterator[Cluster]:
    for tool in ("sipp", "kamailio"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise RuntimeError(f"{tool} is missing (scripts/test installs sip-tester and kamailio)")
    cluster = Cluster(url=url, workdir=workdir, proxy_port=free_port())
    phone_ports = {name: free_port() for name in names}
    center = center_file(workdir, phone_ports, desks_per_node)
    try:
        for port in phone_ports.values():  # each node's desks ring one sipp phone
            cluster.processes.append(subprocess.Popen(
                ["sipp", "-sf", str(SCENARIOS / "phone_answers.xml"), "-i", "127.0.0.1",
                 "-p", str(port), "-nostdin", "-l", "1000", "-fd", "3600"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=workdir))
        _ready_desks(url, center, prepare)
        for name in names:
            start_node(cluster, name, center, desks_per_node)
        for node in cluster.nodes.values():
            _wait_ready(node)
        start_kamailio(cluster, probe_seconds=probe_seconds, defines=kamailio_defines)
        yield cluster
    finally:
        for process in reversed(cluster.processes):
            if process.poll() is None:
                if process.args and "kamailio" in str(process.args[0]):
                    os.killpg(process.pid, signal.SIGTERM)  # the group it was started in
                else:
                    process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)

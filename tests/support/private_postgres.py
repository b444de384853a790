"""A throwaway PostgreSQL server of our own (initdb + pg_ctl, its own port and directory),
so that a test or a benchmark can stop and restart it under load without touching the
server every other test uses. Used by bench/faults.py (`--fault pg-restart`).

As root (CI, this machine) the server runs as the `postgres` user, which Debian's
postgresql package creates; initdb refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.support.sip_cluster import free_port

SUPERUSER = "siaga112"
DATABASE = "siaga112"


def postgres_bin() -> Path:
    """The newest installed server's programs (Debian keeps them out of PATH)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are missing: "
                       "install Debian's postgresql package (scripts/test does)")


@dataclass
class PrivatePostgres:
    root: Path
    port: int
    bindir: Path
    as_user: list[str]

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data),
                        "-l", str(self.log), "-w", "-t", str(int(timeout)), *args],
                       check=True, capture_output=True, timeout=timeout + 10)

    def start(self) -> None:
        self._ctl("start")

    def stop(self, mode: str = "fast") -> None:
        """fast: clients are disconnected, the server shuts down cleanly (as systemd's
        restart does); immediate: as a crash (recovery from the WAL at the next start)."""
        self._ctl("stop", "-m", mode)

    def restart(self, *, down_seconds: float = 0.0, mode: str = "fast") -> tuple[float, float]:
        """Stop, stay down `down_seconds`, start; in wall time, when the stop was asked (its
        clients are cut at once) and when the server accepted connections again."""
        asked = time.time()
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()
        return asked, time.time()

    def running(self) -> bool:
        result = subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D",
                                 str(self.data), "status"], capture_output=True)
        return result.returncode == 0


def _as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root, and there is no `postgres` user to run a "
                           "private PostgreSQL as (install Debian's postgresql package)") from None
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A new server with one empty database `siaga112`, trusted on 127.0.0.1 only; stopped
    and removed at the end."""
    bindir, as_user = postgres_bin(), _as_postgres()
    root = Path(tempfile.mkdtemp(prefix="siaga112-pg-"))
    if as_user:
        shutil.chown(root, "postgres", "postgres")
    server = PrivatePostgres(root=root, port=free_port(), bindir=bindir, as_user=as_user)
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(server.data), "-U", SUPERUSER,
                        "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                       check=True, capture_output=True, timeout=120)
        with (server.data / "postgresql.conf").open("a") as conf:
            # Its own port and socket directory: nothing shared with the system's server.
            conf.write(f"\nport = {server.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{root}'\nmax_connections = 100\n"
                       "shared_buffers = 32MB\n")
        server.start()
        admin = sa.create_engine(server.url.rsplit("/", 1)[0] + "/postgres",
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
        admin.dispose()
        yield server
    finally:
        if server.running():
            try:
                server.stop("immediate")
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(root, ignore_errors=True)

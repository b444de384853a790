"""Backups of the center's database and their restore (`siaga112 backup`, `siaga112 restore`).

- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot while the center runs),
  restored with `pg_restore --single-transaction` (all or nothing). The client tools must be
  of the server's major version or newer (Debian's `postgresql-client`).
- SQLite: SQLite's online backup API (a consistent copy while the center writes), restored
  with the same API into the target file.

A restore goes into an empty database (a new one: `createdb`, or a new SQLite path); over a
database that has tables it is refused unless `force`, which first drops everything there.
The password of a PostgreSQL URL goes to the tools through PGPASSWORD, never on the command
line (where `ps` would show it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    backend: str
    tables: int
    rows: int


def backup(database_url: str, out: Path) -> Outcome:
    url = make_url(database_url)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")  # never a half-written file under the name
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"no SQLite database at {source}")
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
        backend = "sqlite"
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={partial}", f"--dbname={_libpq(url)}"], url)
        backend = "postgresql"
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    partial.replace(out)
    tables, rows = count_rows(database_url)
    return Outcome(out, backend, tables, rows)


def restore(database_url: str, file: Path, *, force: bool = False) -> Outcome:
    url = make_url(database_url)
    if not file.is_file():
        raise BackupError(f"no backup file at {file}")
    head = file.read_bytes()[:16]
    backend = url.get_backend_name()
    if backend == "sqlite" and not head.startswith(SQLITE_MAGIC):
        raise BackupError(f"{file} is not a SQLite backup (a PostgreSQL dump restores only "
                          "into PostgreSQL)")
    if backend == "postgresql" and not head.startswith(PG_MAGIC):
        raise BackupError(f"{file} is not a PostgreSQL dump (pg_dump --format=custom)")
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot restore into a {backend} database")
    existing = table_names(database_url)
    if existing and not force:
        raise BackupError(
            f"the target database is not empty ({len(existing)} tables, e.g. "
            f"{', '.join(sorted(existing)[:3])}): restore into a new, empty database, or "
            "add --force to drop everything in it first")
    if backend == "sqlite":
        # The backup API replaces the whole target database, in one step.
        with sqlite3.connect(file) as src, sqlite3.connect(_sqlite_path(url)) as dst:
            src.backup(dst)
    else:
        if existing:
            _drop_everything(database_url)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={_libpq(url)}", str(file)], url)
    tables, rows = count_rows(database_url)
    return Outcome(file, backend, tables, rows)


def table_names(database_url: str) -> set[str]:
    engine = sa.create_engine(database_url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def count_rows(database_url: str) -> tuple[int, int]:
    engine = sa.create_engine(database_url)
    try:
        names = sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            rows = sum(int(conn.execute(sa.select(sa.func.count()).select_from(
                sa.table(name))).scalar() or 0) for name in names)
        return len(names), rows
    finally:
        engine.dispose()


def _drop_everything(database_url: str) -> None:
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database).resolve()


def _libpq(url: URL) -> str:
    """The URL as libpq reads it, without the password (given through PGPASSWORD)."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(command, capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=6 * 3600)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")

"""`siaga112 backup` and `siaga112 restore` as an administrator runs them, on SQLite and
PostgreSQL: every row of every table comes back, the audit trail verifies on the copy, and
a restore over a database that is not empty is refused unless --force."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from typer.testing import CliRunner

from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel
from siaga112.entrypoints.cli.main import app
from siaga112.services import commands as c
from tests.conftest import new_database_url

SIAGA112 = str(Path(sys.executable).with_name("siaga112"))


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as the administrator types it."""
    return subprocess.run([SIAGA112, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SIAGA112_DATABASE_URL": url},
                          stdin=subprocess.DEVNULL)


def cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    """The same command line in this process (a start of the command costs ~2 s here)."""
    result = CliRunner().invoke(app, list(args), env={"SIAGA112_DATABASE_URL": url})
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def every_row(url: str) -> dict[str, list[tuple]]:
    """Each table's rows, ordered by its primary key (by every column without one)."""
    engine = sa.create_engine(url)
    found = {}
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            for name, table in meta.tables.items():
                order = list(table.primary_key.columns) or list(table.columns)
                found[name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    finally:
        engine.dispose()
    return found


def some_history(siaga) -> None:
    """Calls, an incident and a user: rows in the main tables and in the audit chain."""
    siaga.bus.handle(c.CreateUser(username="sari", full_name="Sari", role=Role.SUPERVISOR,
                                  password="a-long-secret-123", agency_code=None,
                                  must_change_password=False))
    for number in ("081234567890", "081298765432", None):
        call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=number))
        siaga.bus.handle(c.AnswerCall(call_id=call_id, call_taker="ani"))
        siaga.bus.handle(c.ReleaseCall(call_id=call_id))


def test_backup_then_restore_into_an_empty_database_gives_back_every_row(
        siaga, database_url, tmp_path, request):
    some_history(siaga)
    source = every_row(database_url)
    assert len(source["calls"]) == 3 and len(source["event_log"]) > 10
    backend = make_url(database_url).get_backend_name()

    out = tmp_path / "backups" / f"siaga112.{backend}.backup"
    made = run("backup", "--out", str(out), url=database_url)
    assert made.returncode == 0, made.stderr
    assert f"backup written: {out}" in made.stdout and out.stat().st_size > 10_000

    target = new_database_url(backend, tmp_path / "restored", request) if backend == "postgresql" \
        else f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = cli("restore", str(out), url=target)
    assert restored.returncode == 0, restored.stderr
    assert "audit trail intact" in restored.stdout
    assert every_row(target) == source  # every table, every row

    verified = run("audit", "verify", url=target)
    assert verified.returncode == 0, verified.stderr
    assert f"audit trail intact: {len(source['event_log'])} rows" in verified.stdout

    # The copy is not empty now: a second restore must not overwrite it by accident.
    again = cli("restore", str(out), url=target)
    assert again.returncode == 1
    assert "the target database is not empty" in again.stderr and "--force" in again.stderr
    engine = sa.create_engine(target)
    with engine.begin() as conn:  # a change made after the restore...
        conn.execute(sa.text("DELETE FROM users WHERE username = 'sari'"))
    engine.dispose()
    forced = cli("restore", str(out), "--force", url=target)
    assert forced.returncode == 0, forced.stderr
    assert every_row(target) == source  # ...is replaced by the backup's state


def test_a_restore_refuses_a_file_of_the_other_database_or_none(siaga, database_url, tmp_path):
    backend = make_url(database_url).get_backend_name()
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes(b"PGDMP" if backend == "sqlite" else b"SQLite format 3\x00")
    empty_target = (f"sqlite:///{tmp_path / 'empty.sqlite3'}" if backend == "sqlite"
                    else database_url)
    refused = cli("restore", str(wrong), url=empty_target)
    assert refused.returncode == 1
    assert "is not a" in refused.stderr
    missing = cli("restore", str(tmp_path / "nothing.backup"), url=empty_target)
    assert missing.returncode == 1 and "no backup file at" in missing.stderr

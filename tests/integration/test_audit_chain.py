"""The event log is tamper-evident: `siaga112 audit verify` finds the first changed row."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from siaga112.adapters.db import tables
from siaga112.adapters.db.audit import verify_chain
from siaga112.domain.calls import Channel
from siaga112.services import commands as c

SIAGA112 = str(Path(sys.executable).with_name("siaga112"))
log = tables.event_log


@pytest.fixture
def history(siaga, clock):
    for i in range(4):
        call_id = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=f"0812000{i}"))
        clock.advance(3)
        siaga.bus.handle(c.AbandonCall(call_id=call_id))
    return siaga


def audit_verify(siaga) -> subprocess.CompletedProcess:
    url = siaga.engine.url.render_as_string(hide_password=False)
    return subprocess.run([SIAGA112, "audit", "verify"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SIAGA112_DATABASE_URL": url})


def test_an_untouched_log_verifies(history):
    result = audit_verify(history)
    assert result.returncode == 0, result.stderr
    with history.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(log)).scalar()
    assert f"intact: {total} rows" in result.stdout and total >= 12


def test_an_edited_row_is_named(history):
    with history.engine.begin() as conn:
        conn.execute(sa.update(log).where(log.c.id == 5).values(actor="someone-else"))
    result = audit_verify(history)
    assert result.returncode == 1
    assert "row 5: edited" in result.stderr


def test_a_deleted_row_is_named(history):
    with history.engine.begin() as conn:
        conn.execute(sa.delete(log).where(log.c.id == 7))
    result = audit_verify(history)
    assert result.returncode == 1 and "row 7: deleted" in result.stderr


def test_deleting_the_newest_rows_is_found_too(history):
    with history.engine.begin() as conn:
        last = conn.execute(sa.select(sa.func.max(log.c.id))).scalar()
        conn.execute(sa.delete(log).where(log.c.id == last))
    with history.engine.connect() as conn:
        _, finding = verify_chain(conn)
    assert finding is not None and finding.row_id == last and "deleted" in finding.problem


def test_an_inserted_row_with_a_forged_hash_is_named(history):
    with history.engine.begin() as conn:
        row = dict(conn.execute(sa.select(log).where(log.c.id == 3)).mappings().one())
        conn.execute(sa.update(log).where(log.c.id >= 4).values(id=log.c.id + 1000))
        conn.execute(sa.insert(log).values({**row, "id": 4, "actor": "forger"}))
    result = audit_verify(history)
    assert result.returncode == 1 and "row 4:" in result.stderr

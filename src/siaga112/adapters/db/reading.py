"""Read-only snapshots for reports: one consistent view that never holds up a writer.

On SQLite the main engine opens every transaction with BEGIN IMMEDIATE (the write
lock), which a report running for seconds must not take while calls arrive. Reports
read through a sibling engine on the same file whose transactions are plain deferred
BEGINs with `query_only` on: in WAL mode such a reader sees one snapshot and never
blocks the writer. On PostgreSQL a report is one REPEATABLE READ, READ ONLY
transaction, with more sort memory than a command needs.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

_readers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


@contextmanager
def snapshot(engine: Engine) -> Iterator[sa.Connection]:
    """A connection inside one read-only transaction, rolled back at the end."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin() as tx:
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
                # Compiling a report's few queries costs more than it saves (~0.2 s).
                conn.exec_driver_sql("SET LOCAL jit = off")
                yield conn
                tx.rollback()
        return
    with _sqlite_reader(engine).connect() as conn, conn.begin() as tx:
        yield conn
        tx.rollback()


def _sqlite_reader(engine: Engine) -> Engine:
    database = engine.url.database
    if not database or database == ":memory:":
        return engine  # nothing to share a file with; the caller's engine it is
    reader = _readers.get(engine)
    if reader is None:
        reader = sa.create_engine(engine.url, poolclass=NullPool,
                                  connect_args={"timeout": 30})

        @event.listens_for(reader, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # BEGIN below, deferred: a reader, no lock
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA query_only=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-65536")  # 64 MiB for the report's scans
            cur.close()

        @event.listens_for(reader, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        _readers[engine] = reader
    return reader

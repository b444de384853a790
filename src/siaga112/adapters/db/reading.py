"""Read-only snapshots for reports: one consistent view that never holds up a writer.

On SQLite the main engine opens every transaction with BEGIN IMMEDIATE (the write
lock), which a report running for seconds must not take while calls arrive. Reports
read through a sibling engine on the same file whose transactions are plain deferred
BEGINs with `query_only` on: in WAL mode such a reader sees one snapshot and never
blocks the writer. On PostgreSQL a report is one REPEATABLE READ, READ ONLY
transaction, with more sort memory than a command needs; `alongside` lets more
connections read in that very snapshot at the same time.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
_readers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_siblings: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
T = TypeVar("T")


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


class Beside(Generic[T]):
    """A read submitted to `alongside`; `result()` waits for it."""

    def __init__(self, future: Future[T], read: Callable[[sa.Connection], T],
                 conn: sa.Connection) -> None:
        self._future, self._read, self._conn = future, read, conn

    def result(self) -> T:
        try:
            return self._future.result()
        except _NoConnection as exc:
            # No second connection to be had (the server's limit, say): the same read on
            # the caller's connection, in the same snapshot; only slower.
            log.warning("no second connection for a report's read (%s): it reads on the "
                        "report's own", exc.__cause__)
            return self._read(self._conn)


class _NoConnection(Exception):
    pass


@contextmanager
def alongside(conn: sa.Connection, *, workers: int = 1
              ) -> Iterator[Callable[[Callable[[sa.Connection], T]], Beside[T]]]:
    """`submit(read)`: run `read(connection)` beside the caller's own reads, in the same
    snapshot as `conn` (one opened by `snapshot`).

    PostgreSQL: up to `workers` more connections import `conn`'s exported snapshot, each
    worked by a thread, so long queries (a report's repeat callers: a year's calls grouped
    by number) run while the caller reads the rest. SQLite (one snapshot per connection
    in this process): `read(conn)` runs at once."""
    if conn.dialect.name != "postgresql":
        def at_once(read: Callable[[sa.Connection], T]) -> Beside[T]:
            done: Future[T] = Future()
            done.set_result(read(conn))
            return Beside(done, read, conn)

        yield at_once
        return
    exported = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()

    def in_snapshot(read: Callable[[sa.Connection], T]) -> T:
        with ExitStack() as stack:
            try:
                other = stack.enter_context(_beside(conn.engine).connect())
                other = other.execution_options(isolation_level="REPEATABLE READ")
                tx = stack.enter_context(other.begin())
                other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{exported}'")
                other.exec_driver_sql("SET TRANSACTION READ ONLY")
                other.exec_driver_sql("SET LOCAL work_mem = '64MB'")
                other.exec_driver_sql("SET LOCAL jit = off")
            except sa.exc.OperationalError as exc:
                raise _NoConnection() from exc
            result = read(other)
            tx.rollback()
            return result

    # Waits for the threads on the way out: the export lives only as long as `conn`'s
    # transaction, which must outlast the imports.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report-reader") as pool:
        yield lambda read: Beside(pool.submit(in_snapshot, read), read, conn)


def _beside(engine: Engine) -> Engine:
    """A sibling engine without a pool for `alongside`: a report holding one of the main
    pool's connections never waits for a second one from it (many reports at once could
    each hold one and wait for ever), and no connection outlives its report (a few
    milliseconds to connect)."""
    sibling = _siblings.get(engine)
    if sibling is None:
        sibling = _siblings[engine] = sa.create_engine(engine.url, poolclass=NullPool)
    return sibling


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

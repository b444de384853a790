"""Many rows at once: COPY on PostgreSQL, batched executemany on SQLite.

For history imports, benchmarks and test fixtures. Rows are mappings of the columns'
Python values (aware datetimes, UUIDs, enum values); on SQLite each value goes through
the column type's own bind processor, so a bulk-loaded row reads back exactly like one
written by the repositories. Runs inside the caller's transaction; never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from itertools import chain, islice
from typing import Any

import sqlalchemy as sa

BATCH = 5000


def insert_rows(conn: sa.Connection, table: sa.Table,
                rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (all with the same keys) into `table`; returns how many."""
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    names = list(first.keys())
    # Columns left out get their scalar Python-side default, as a single insert would.
    defaults = {c.name: c.default.arg for c in table.columns
                if c.name not in first and c.default is not None and c.default.is_scalar}
    everything: Iterator[Mapping[str, Any]] = chain([first], it)
    if defaults:
        names += list(defaults)
        everything = ({**defaults, **row} for row in everything)
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, names, everything)
    return _executemany(conn, table, names, everything)


def _executemany(conn: sa.Connection, table: sa.Table, names: list[str],
                 rows: Iterator[Mapping[str, Any]]) -> int:
    dialect = conn.dialect
    procs = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    columns = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    count = 0
    try:
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(sql, [
                tuple(p(row[n]) if p is not None else row[n] for p, n in zip(procs, names))
                for row in batch])
            count += len(batch)
    finally:
        cursor.close()
    return count


def _copy(conn: sa.Connection, table: sa.Table, names: list[str],
          rows: Iterator[Mapping[str, Any]]) -> int:
    from psycopg.types.json import Jsonb

    json_columns = {n for n in names if isinstance(table.c[n].type, sa.JSON)}
    columns = ", ".join(f'"{n}"' for n in names)
    raw = conn.connection.driver_connection  # the same transaction as `conn`
    count = 0
    with raw.cursor() as cur:  # type: ignore[union-attr]
        with cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(tuple(
                    Jsonb(row[n]) if n in json_columns else _plain(row[n]) for n in names))
                count += 1
    return count


def _plain(value: Any) -> Any:
    """Enum members travel as their value; psycopg adapts datetimes and UUIDs itself."""
    return value.value if isinstance(value, Enum) else value

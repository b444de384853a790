"""A scratch database for one benchmark run: a SQLite file, or a PostgreSQL database dropped after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

PG_ADMIN = os.environ.get("SIAGA112_TEST_POSTGRES_URL",
                          "postgresql+psycopg://root@127.0.0.1:5432/postgres")


def scratch_database(backend: str, workdir: Path,
                     filename: str = "bench.sqlite3") -> tuple[str, Callable[[], None]]:
    """The database's URL and the function that removes it."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / filename}", lambda: None
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"siaga112_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), drop

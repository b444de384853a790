"""Migrations run from empty on both databases and match the tables the code uses."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from siaga112.adapters.db import migrate
from siaga112.adapters.db.engine import create_db_engine
from siaga112.adapters.db.tables import metadata


def test_migrations_build_the_schema_from_empty_and_match_the_code(engine):
    migrate.upgrade(engine)
    assert not migrate.pending(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == [], f"tables.py and migrations differ: {diff}"
    assert set(sa.inspect(engine).get_table_names()) >= {t.name for t in metadata.sorted_tables}


def test_migrations_go_down_to_empty_and_up_again(engine):
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert "calls" in sa.inspect(engine).get_table_names()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()

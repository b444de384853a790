"""Shared fixtures: a fresh database on SQLite and on PostgreSQL, and a running center."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from siaga112.adapters.db.engine import create_db_engine
from siaga112.bootstrap import Siaga, bootstrap
from siaga112.config import CENTERS_DIR, Settings, load_center
from siaga112.domain.clock import FixedClock
from siaga112.services.batching import GroupCommitter

DEFAULT_PG_ADMIN = "postgresql+psycopg://root@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", "postgresql"]


def pg_admin_url() -> str:
    return os.environ.get("SIAGA112_TEST_POSTGRES_URL", DEFAULT_PG_ADMIN)


@pytest.fixture(autouse=True, scope="module")
def _collect_garbage_after_each_module() -> Iterator[None]:
    """A database connection left open (a pool nobody closed) warns when collected; collect
    at each module's end so the warning, an error here, names the module that leaked it
    rather than whichever later test the collector happened to run in."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """PostgreSQL is required, never skipped: scripts/test installs and starts it."""
    engine = sa.create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {pg_admin_url()} (run scripts/test, which "
                    f"installs and starts it): {exc}", pytrace=False)
    yield engine
    engine.dispose()


def new_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'siaga112.sqlite3'}"
    admin: Engine = request.getfixturevalue("pg_admin")
    name = f"siaga112_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    request.addfinalizer(drop)
    return make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database, once on each backend."""
    return new_database_url(request.param, tmp_path, request)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 6, 10, 1, 0, tzinfo=UTC))  # 09:00 WITA, Kendari's day one


@pytest.fixture
def kendari():
    return load_center(CENTERS_DIR / "kendari.toml")


@pytest.fixture
def siaga(engine: Engine, clock: FixedClock, kendari) -> Iterator[Siaga]:
    """The Kendari center on a fresh database, migrated and synced, with a controllable clock."""
    settings = Settings(database_url=str(engine.url.render_as_string(hide_password=False)),
                        env="test")
    siaga = bootstrap(settings, center=kendari, clock=clock, engine=engine)
    yield siaga
    # Background workers first: a connection they still hold, returned after the engine's
    # disposal, would go back to a pool nobody closes (a ResourceWarning at some later GC).
    stop_background_workers(siaga)


def stop_background_workers(siaga: Siaga) -> None:
    GroupCommitter.wait_all_idle()  # e.g. a new call's waiting location fixes joining it
    if siaga.notifier is not None:
        siaga.notifier.close()
    hub = getattr(siaga, "_live_hub", None)
    if hub is not None:
        if hub.relay is not None:
            hub.relay.stop()
        hub.close()

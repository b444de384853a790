"""Alembic environment: the engine comes from the caller (siaga112 migrate) or the settings."""

from __future__ import annotations

from alembic import context

from siaga112.adapters.db.engine import create_db_engine
from siaga112.adapters.db.tables import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from siaga112.config import Settings

    engine = create_db_engine(Settings().effective_database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=metadata, compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copy
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

"""report rollups: per UTC hour, the calls' figures, kept honest by triggers on calls

Revision ID: 0013_report_rollups
Revises: 0007_reports
Create Date: 2026-11-29

The triggers raise `report_hour_changes.changes` for the UTC hour of every call inserted,
deleted, or updated in a column the rollups read, in the writer's own transaction: a
rollup is used only while the counter still stands where it stood when the rollup was
built (reports/rollup.py). Only hours that were ever rolled up have a counter (the
builder makes it), and only hours that ended more than an hour ago are rolled up (its
SETTLE): a call of this hour or the last one fires no trigger at all (`WHEN`), so the
calls being taken pay nothing. Their hour is the builder's: PostgreSQL
`floor(date_part('epoch', received_at) / 3600)`, SQLite the text's 'YYYY-MM-DD HH'
(stored times are UTC text there, compared as text by every period filter).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_report_rollups"
down_revision = "0007_reports"
branch_labels = None
depends_on = None

READ_COLUMNS = ("received_at", "connected_at", "released_at", "interrupted_at", "state",
                "disposition")
DISPOSITIONS = ("emergency", "non_emergency", "prank", "silent", "hang_up", "wrong_number",
                "test")
TRIGGERS = ("calls_report_hour_insert", "calls_report_hour_update", "calls_report_hour_moved",
            "calls_report_hour_delete")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _postgresql_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in READ_COLUMNS)
    # Before the hour before this one (the server's clock, now, not the transaction's).
    settled = "< date_trunc('hour', clock_timestamp(), 'UTC') - interval '1 hour'"
    return [
        # The hour of the row inserted, deleted, or (an update) of its old or new version.
        """
CREATE FUNCTION report_hour_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moment timestamptz;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND TG_ARGV[0] = 'new') THEN
        moment := NEW.received_at;
    ELSE
        moment := OLD.received_at;
    END IF;
    UPDATE report_hour_changes SET changes = changes + 1
    WHERE hour = floor(date_part('epoch', moment) / 3600)::bigint;
    RETURN NULL;
END $$""",
        # TRUNCATE fires no row trigger: forget every rollup instead.
        """
CREATE FUNCTION report_hours_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM report_hour_answers;
    DELETE FROM report_hours;
    RETURN NULL;
END $$""",
        "CREATE TRIGGER calls_report_hour_insert AFTER INSERT ON calls FOR EACH ROW "
        f"WHEN (NEW.received_at {settled}) EXECUTE FUNCTION report_hour_changed()",
        f"CREATE TRIGGER calls_report_hour_update AFTER UPDATE OF {', '.join(READ_COLUMNS)} "
        f"ON calls FOR EACH ROW WHEN (OLD.received_at {settled} AND ({changed})) "
        "EXECUTE FUNCTION report_hour_changed('old')",
        "CREATE TRIGGER calls_report_hour_moved AFTER UPDATE OF received_at ON calls "
        f"FOR EACH ROW WHEN (NEW.received_at {settled} "
        "AND OLD.received_at IS DISTINCT FROM NEW.received_at) "
        "EXECUTE FUNCTION report_hour_changed('new')",
        "CREATE TRIGGER calls_report_hour_delete AFTER DELETE ON calls FOR EACH ROW "
        f"WHEN (OLD.received_at {settled}) EXECUTE FUNCTION report_hour_changed()",
        "CREATE TRIGGER calls_report_hours_truncate AFTER TRUNCATE ON calls "
        "FOR EACH STATEMENT EXECUTE FUNCTION report_hours_truncated()",
    ]


def _sqlite_triggers() -> list[str]:
    def bump(row: str) -> str:
        hour = (f"CAST(strftime('%s', substr({row}.received_at, 1, 13) || ':00:00') "
                "AS INTEGER) / 3600")
        return f"UPDATE report_hour_changes SET changes = changes + 1 WHERE hour = {hour};"

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in READ_COLUMNS)
    # Before the hour before this one; stored times are 'YYYY-MM-DD HH:MM:SS.ffffff' text.
    settled = "< strftime('%Y-%m-%d %H:00:00', 'now', '-1 hour')"
    return [
        f"CREATE TRIGGER calls_report_hour_insert AFTER INSERT ON calls "
        f"WHEN NEW.received_at {settled} BEGIN {bump('NEW')} END",
        f"CREATE TRIGGER calls_report_hour_update AFTER UPDATE OF {', '.join(READ_COLUMNS)} "
        f"ON calls WHEN OLD.received_at {settled} AND ({changed}) BEGIN {bump('OLD')} END",
        "CREATE TRIGGER calls_report_hour_moved AFTER UPDATE OF received_at ON calls "
        f"WHEN NEW.received_at {settled} AND OLD.received_at IS NOT NEW.received_at "
        f"BEGIN {bump('NEW')} END",
        f"CREATE TRIGGER calls_report_hour_delete AFTER DELETE ON calls "
        f"WHEN OLD.received_at {settled} BEGIN {bump('OLD')} END",
    ]


def upgrade() -> None:
    op.create_table(
        "report_hour_changes",
        sa.Column("hour", BigId, autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hour", name=op.f("pk_report_hour_changes")),
    )
    op.create_table(
        "report_hours",
        sa.Column("hour", BigId, autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.Column("recipe", sa.String(length=80), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("abandoned_in_queue", sa.Integer(), nullable=False),
        sa.Column("abandoned_by_fault", sa.Integer(), nullable=False),
        sa.Column("screened_out", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("answer_micros", sa.BigInteger(), nullable=False),
        *[sa.Column(f"disposition_{d}", sa.Integer(), nullable=False) for d in DISPOSITIONS],
        sa.PrimaryKeyConstraint("hour", name=op.f("pk_report_hours")),
    )
    op.create_table(
        "report_hour_answers",
        sa.Column("hour", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seconds", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "seconds", name=op.f("pk_report_hour_answers")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _postgresql_triggers() if postgresql else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in (*TRIGGERS, "calls_report_hours_truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON calls" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS report_hour_changed()")
        op.execute("DROP FUNCTION IF EXISTS report_hours_truncated()")
    op.drop_table("report_hour_answers")
    op.drop_table("report_hours")
    op.drop_table("report_hour_changes")

"""Is this node ready to take calls? (`/readyz`; `/healthz` only says the process answers.)

Ready means: the database answers a real query on the schema, the schema is at the newest
migration, and, when this node takes SIP, its listener runs. A load balancer or Kamailio's
operator sends traffic only to a ready node; each reason it is not is named.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from siaga112.adapters.db import migrate, tables
from siaga112.operations.metrics import sip_running
from siaga112.operations.node import node_status

if TYPE_CHECKING:
    from siaga112.bootstrap import Siaga


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or why not
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    def fail(self, name: str, why: str) -> None:
        self.checks[name] = why
        self.problems.append(f"{name}: {why}")


@functools.cache
def _newest_revisions() -> frozenset[str]:
    """The migrations this code needs (read once: they do not change while it runs)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.migrations_dir()))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


def check(siaga: Siaga) -> Readiness:
    result = Readiness()
    try:
        with siaga.engine.connect() as conn:
            # A real query on the schema: a database that answers SELECT 1 but lost its
            # tables (or its permissions on them) cannot take calls.
            conn.execute(sa.select(sa.func.count()).select_from(tables.positions)).scalar()
            result.checks["database"] = "ok"
            current = frozenset(MigrationContext.configure(conn).get_current_heads())
    except sa.exc.SQLAlchemyError as exc:
        result.fail("database", f"unreachable or unusable ({type(exc).__name__})")
        result.checks["migrations"] = "unknown"
    else:
        needed = _newest_revisions()
        if current == needed:
            result.checks["migrations"] = "ok"
        else:
            missing = ", ".join(sorted(needed - current)) or "none"
            result.fail("migrations", f"not at the newest schema (missing {missing}; "
                                      "run `siaga112 migrate`)")
    status = node_status(siaga)
    if not status.settings.sip_enabled:
        result.checks["sip"] = "disabled on this node"
    elif status.telephony is None:
        result.fail("sip", "the SIP listener is not started")
    elif not sip_running(status.telephony):
        result.fail("sip", "the SIP listener stopped")
    else:  # no address here: the answer is public
        result.checks["sip"] = "ok (UDP and TCP)"
    return result

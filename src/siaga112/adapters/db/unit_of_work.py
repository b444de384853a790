"""The SQLAlchemy unit of work: one transaction per command, events logged in the same one."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from typing import Self

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from siaga112.adapters.db import repositories as repos
from siaga112.adapters.db import repositories_telephony as repos_telephony
from siaga112.adapters.db import repositories_dispatch as repos_dispatch
from siaga112.adapters.db.repositories_knowledge import SqlKnowledgeRepository
from siaga112.adapters.db.orm import start_mappers
from siaga112.domain.clock import Clock
from siaga112.domain.events import DomainEvent


_factories: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()
_factories_lock = threading.Lock()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """One sessionmaker per engine, made once. A new one per unit of work makes a new Session
    subclass each time, whose event dispatch SQLAlchemy sets up on its first use: ~0.5 ms
    and a few KB of garbage per request, which the soak (bench/soak.py) saw as RSS growing."""
    factory = _factories.get(engine)
    if factory is None:
        with _factories_lock:
            factory = _factories.setdefault(engine, sessionmaker(bind=engine,
                                                                 expire_on_commit=False))
    return factory


class SqlAlchemyUnitOfWork:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        start_mappers()
        self._factory = session_factory(engine)
        self._clock = clock
        self._published: list[DomainEvent] = []

    def __enter__(self) -> Self:
        self.session: Session = self._factory()
        self.calls = repos.SqlCallRepository(self.session)
        self.incidents = repos.SqlIncidentRepository(self.session)
        self.units = repos.SqlUnitRepository(self.session)
        self.positions = repos.SqlPositionRepository(self.session)
        self.organization = repos.SqlOrganizationRepository(self.session)
        self.locations = repos.SqlLocationRepository(self.session)
        self.users = repos.SqlUserRepository(self.session)
        self.event_log = repos.SqlEventLog(self.session)
        self.callbacks = repos_telephony.SqlCallbackRepository(self.session)
        self.sip_calls = repos_telephony.SqlSipCallRepository(self.session)
        self.assignments = repos_dispatch.SqlAssignmentRepository(self.session)
        self.deliveries = repos_dispatch.SqlDeliveryRepository(self.session)
        self.knowledge = SqlKnowledgeRepository(self.session)  # quick answers
        self._recorded: list[DomainEvent] = []
        return self

    def __exit__(self, *args: object) -> None:
        # Detach first: what was read stays readable after the transaction ends.
        self.session.expunge_all()
        self.rollback()
        self.session.close()

    def _tracked(self) -> Iterator[object]:
        for repo in (self.calls, self.incidents, self.units, self.positions, self.callbacks):
            yield from repo.seen

    def record(self, event: DomainEvent) -> None:
        """An event that belongs to no aggregate here (an access, an account change)."""
        self._recorded.append(event)

    def commit(self) -> None:
        """Write every new event to the event log, then commit it all at once."""
        now = self._clock.now()
        pending: list[DomainEvent] = self._recorded
        self._recorded = []
        for aggregate in self._tracked():
            new = getattr(aggregate, "events", [])
            pending.extend(new)
            aggregate.events = []  # type: ignore[attr-defined]
        pending.sort(key=lambda e: e.at)
        self.event_log.append_all(pending, recorded_at=now)
        self.session.commit()
        self._published.extend(pending)

    def rollback(self) -> None:
        self.session.rollback()

    def collect_new_events(self) -> Iterator[DomainEvent]:
        while self._published:
            yield self._published.pop(0)

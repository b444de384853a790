"""Wires the concrete adapters into the services: the one place that knows them all."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine

from siaga112.adapters.db import migrate
from siaga112.adapters.db.engine import create_db_engine
from siaga112.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from siaga112.adapters.notify.webhooks import WebhookNotifier
from siaga112.adapters.passwords import Argon2PasswordHasher
from siaga112.adapters.routing.factory import travel_time_provider
from siaga112.config import CenterConfig, Settings, load_center
from siaga112.domain.clock import Clock, SystemClock
from siaga112.domain.events import UnitDispatched
from siaga112.services import commands as c
from siaga112.services.handlers import accounts, calls, center, incidents, locations
from siaga112.services.handlers import dispatch, positions, telephony
from siaga112.services.messagebus import MessageBus
from siaga112.services.ports import PasswordHasher, TravelTimeProvider

COMMAND_HANDLERS: dict[type[c.Command], Callable[..., Any]] = {
    c.ReceiveCall: calls.receive_call,
    c.AnswerCall: calls.answer_call,
    c.ReleaseCall: calls.release_call,
    c.AbandonCall: calls.abandon_call,
    c.DisposeCall: calls.dispose_call,
    c.OpenIncident: incidents.open_incident,
    c.VerifyIncident: incidents.verify_incident,
    c.AddIncidentNote: incidents.add_incident_note,
    c.LinkCallToIncident: incidents.link_call,
    c.RecordLocationFix: locations.record_location_fix,
    c.ChooseCallLocation: locations.choose_call_location,
    c.IngestLocationFixes: locations.ingest_location_fixes,
    c.AttachWaitingFixes: locations.attach_waiting_fixes,
    c.CreateUser: accounts.create_user,
    c.SyncCenter: center.sync_center,
    c.DispatchUnits: dispatch.dispatch_units,
    c.UpdateUnitStatus: dispatch.update_unit_status,
    c.AcknowledgeDispatch: dispatch.acknowledge_dispatch,
    c.TakeSipCall: telephony.take_sip_call,
    c.OfferCall: telephony.offer_call,
    c.ConnectCall: telephony.connect_call,
    c.PositionNoAnswer: telephony.position_no_answer,
    c.WithdrawOffer: telephony.withdraw_offer,
    c.RecordOverflowOffer: telephony.record_overflow_offer,
    c.EndSipCall: telephony.end_sip_call,
    c.InterruptCall: telephony.interrupt_call,
    c.InterruptLiveCalls: telephony.interrupt_live_calls,
    c.EndWrapUp: telephony.end_wrap_up,
    c.LogInPosition: positions.log_in_position,
    c.SetPositionReady: positions.set_position_ready,
    c.SetPositionNotReady: positions.set_position_not_ready,
    c.LogOutPosition: positions.log_out_position,
    c.CloseCallbackTask: positions.close_callback_task,
}


@dataclass
class Siaga:
    """A running center: its settings, configuration, database and message bus."""

    settings: Settings
    center: CenterConfig
    engine: Engine
    clock: Clock
    hasher: PasswordHasher
    bus: MessageBus
    travel: TravelTimeProvider | None = None  # routing for dispatch recommendations
    notifier: WebhookNotifier | None = None  # agencies' webhooks

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine, self.clock)


def _inject(handler: Callable[..., Any], deps: dict[str, Any]) -> Callable[..., Any]:
    wanted = inspect.signature(handler).parameters
    return partial(handler, **{name: dep for name, dep in deps.items() if name in wanted})


def bootstrap(settings: Settings | None = None, *, center: CenterConfig | None = None,
              clock: Clock | None = None, engine: Engine | None = None,
              run_migrations: bool = True, sync_center: bool = True) -> Siaga:
    settings = settings or Settings()
    center = center or load_center(settings.center_path)
    clock = clock or SystemClock()
    engine = engine or create_db_engine(settings.effective_database_url)
    if run_migrations:
        migrate.upgrade(engine)
    hasher = Argon2PasswordHasher()
    travel = travel_time_provider(center.routing, base_dir=settings.center_path.parent)
    deps = {"clock": clock, "center": center, "hasher": hasher, "travel": travel}
    bus = MessageBus(
        uow_factory=lambda: SqlAlchemyUnitOfWork(engine, clock),
        command_handlers={cmd: _inject(h, deps) for cmd, h in COMMAND_HANDLERS.items()},
        event_handlers={},
    )
    locations.subscribe(bus)  # a new call takes in the location fixes waiting for it
    notifier = WebhookNotifier(uow_factory=lambda: SqlAlchemyUnitOfWork(engine, clock),
                               center=center, clock=clock)
    bus.subscribe(UnitDispatched, notifier.on_unit_dispatched)  # after commit, in background
    siaga = Siaga(settings=settings, center=center, engine=engine, clock=clock,
                  hasher=hasher, bus=bus, travel=travel, notifier=notifier)
    if sync_center:
        bus.handle(c.SyncCenter())
    return siaga

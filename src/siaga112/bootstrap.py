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
from siaga112.services.handlers import unit_positions  # the consoles' unit position fixes
from siaga112.services.handlers import call_taking  # the call-taker console's web calls
from siaga112.operations import cluster  # several SIP nodes sharing one database
from siaga112.services.handlers import location_links  # share-my-location links
from siaga112.adapters.db.repositories_location_link import SqlLocationLinkRepository
from siaga112.adapters.photos import clean_photo
from siaga112.adapters.sms import sender_for
from siaga112.services.handlers import knowledge  # quick answers (docs/quick-answers.md)
from siaga112.services.handlers import information_first  # the message before the queue
from siaga112.services import nuisance  # nuisance callers, queue priority
from siaga112.adapters.db.repositories_nuisance import SqlNuisanceRepository
from siaga112.adapters.db.repositories_nuisance import SqlNuisanceRepository
from siaga112.services import personal_data
from siaga112.services.messagebus import MessageBus
from siaga112.services.ports import PasswordHasher, TravelTimeProvider

COMMAND_HANDLERS: dict[type[c.Command], Callable[..., Any]] = {
    # Stored, then screened: its place in line (docs/nuisance-callers.md).
    c.ReceiveCall: partial(nuisance.receive_and_screen, repo=SqlNuisanceRepository),
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
    c.ReportUnitPosition: unit_positions.report_unit_position,
    c.TakeSipCall: telephony.take_sip_call,
    c.OfferCall: telephony.offer_call,
    c.EndScreening: telephony.end_screening,  # silent-call screening
    c.CheckInformationFirst: information_first.information_first,  # quick-answers.md
    c.ConnectCall: telephony.connect_call,
    c.PositionNoAnswer: telephony.position_no_answer,
    c.WithdrawOffer: telephony.withdraw_offer,
    c.RecordOverflowOffer: telephony.record_overflow_offer,
    c.EndSipCall: telephony.end_sip_call,
    c.InterruptCall: telephony.interrupt_call,
    c.InterruptLiveCalls: telephony.interrupt_live_calls,
    c.InterruptNodeCalls: cluster.interrupt_node_calls,  # several SIP nodes (operations)
    c.InterruptLostNodeCalls: cluster.interrupt_lost_node_calls,  # operations/heartbeat.py
    c.EndWrapUp: telephony.end_wrap_up,
    c.LogInPosition: positions.log_in_position,
    c.SetPositionReady: positions.set_position_ready,
    c.SetPositionNotReady: positions.set_position_not_ready,
    c.LogOutPosition: positions.log_out_position,
    c.CloseCallbackTask: positions.close_callback_task,
    # Share-my-location links (docs/location-link.md): their repository, SMS and photos.
    c.CreateLocationLink: partial(location_links.create_location_link,
                                  links=SqlLocationLinkRepository.of),
    c.SendLocationLinkSms: partial(location_links.send_location_link_sms,
                                   links=SqlLocationLinkRepository.of, sender_for=sender_for),
    c.ReportFromLinkPhone: partial(location_links.report_from_link_phone,
                                   links=SqlLocationLinkRepository.of),
    c.ShareLinkPosition: partial(location_links.share_link_position,
                                 links=SqlLocationLinkRepository.of),
    c.AttachLinkPhoto: partial(location_links.attach_link_photo,
                               links=SqlLocationLinkRepository.of, clean_photo=clean_photo),
    c.ExpireLocationLinks: partial(location_links.expire_location_links,
                                   links=SqlLocationLinkRepository.of),
    c.TakeWaitingCall: call_taking.take_waiting_call,
    c.EndTakenCall: call_taking.end_taken_call,
    # Quick answers (docs/quick-answers.md): knowledge base, question topics, SMS.
    c.SaveKnowledgeEntry: knowledge.save_entry,
    c.SeedKnowledgeBase: knowledge.seed_knowledge_base,
    c.DisposeWithTopic: knowledge.dispose_with_topic,
    c.SendQuickAnswer: partial(knowledge.send_quick_answer, sender_for=sender_for),
    # Nuisance callers (docs/nuisance-callers.md): blocks after pranks, lifted by supervisors.
    c.ApplyNuisancePolicy: partial(nuisance.apply_nuisance_policy, repo=SqlNuisanceRepository),
    c.LiftNuisanceBlock: partial(nuisance.lift_nuisance_block, repo=SqlNuisanceRepository),
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

    def purge_personal_data(self, *, dry_run: bool = False,
                            actor: str = "retention") -> personal_data.PurgeReport:
        """The center's retention, over every store that keeps personal data."""
        return personal_data.purge(
            self.uow(), retention=self.center.retention, clock=self.clock, dry_run=dry_run,
            actor=actor, purge_photos=SqlLocationLinkRepository.purge_photos_in,
            mask_block_numbers=SqlNuisanceRepository.purge_numbers_in)


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
    location_links.subscribe(bus)  # a location link's expiry reaches the consoles on time
    nuisance.subscribe(bus, center)  # a prank may block its number (if the center blocks)
    notifier = WebhookNotifier(uow_factory=lambda: SqlAlchemyUnitOfWork(engine, clock),
                               center=center, clock=clock)
    bus.subscribe(UnitDispatched, notifier.on_unit_dispatched)  # after commit, in background
    siaga = Siaga(settings=settings, center=center, engine=engine, clock=clock,
                  hasher=hasher, bus=bus, travel=travel, notifier=notifier)
    if sync_center:
        bus.handle(c.SyncCenter())
        bus.handle(c.SeedKnowledgeBase())  # an empty knowledge base gets the starter set
    return siaga

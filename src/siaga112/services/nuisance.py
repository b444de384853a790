"""Nuisance callers and queue priority: screening before the queue, blocks after a prank
(docs/nuisance-callers.md). The rules are in domain/nuisance.py and domain/queue_priority.py;
this module reads what they need and records what they decide.

- A call that comes over SIP is screened inside the SIP writer's transaction that stores it
  (`screen_sip_calls` wraps the TakeSipCall handler); the decision goes to the switchboard
  through a `ScreeningDesk`: refuse it (603) or queue it at its place in line.
- A call that comes through the API (web, SMS gateway, the demo's callers) is screened right
  after it is stored (`receive_and_screen`); it is never refused, only warned and moved.
- After a counted disposition, `apply_nuisance_policy` may block the number for a while.

The warning announcement is played by silent-call screening when it runs
(services/silent_screening.py, `first`); otherwise the decision is stored and logged.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from siaga112.config import CenterConfig
from siaga112.domain.calls import Call, CallState, Channel, Disposition
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict, NotFound
from siaga112.domain.events import CallDisposed, CallScreened
from siaga112.domain.nuisance import (
    BLOCKED_REASON, SIP_DECLINE, BlockStatus, FactsAsked, NuisanceBlock, NuisancePolicy,
    NumberFacts, Screening, ScreeningOutcome, block_due, plain, screen_arrival, screenable,
)
from siaga112.domain.phone import CallerNumber, normalize_number
from siaga112.domain.queue_priority import PriorityRules
from siaga112.services import commands as c
from siaga112.services.handlers.calls import receive_call
from siaga112.services.ports import UnitOfWork

log = logging.getLogger(__name__)
DESK_CAPACITY = 10_000  # decisions never taken (a batch that failed for good) are forgotten
SCREENING_PAUSE = 60  # seconds without screening after it failed in the SIP writer


class NuisanceRepository(Protocol):
    """What this service reads and writes (adapters/db/repositories_nuisance.py)."""

    def arrival_facts(self, number: str, *, at: datetime, policy: NuisancePolicy,
                      asked: FactsAsked) -> NumberFacts: ...
    def add_screening(self, call_id: uuid.UUID, screening: Screening, *,
                      at: datetime) -> None: ...
    def screening_of(self, call_id: uuid.UUID) -> dict[str, Any] | None: ...
    def counted_calls(self, number: str, *, since: datetime, until: datetime,
                      counted: Collection[Disposition]) -> int: ...
    def verified_emergency(self, number: str, *, since: datetime) -> bool: ...
    def latest_block(self, number: str) -> NuisanceBlock | None: ...
    def get_block(self, block_id: uuid.UUID, *,
                  for_update: bool = False) -> NuisanceBlock | None: ...
    def add_block(self, block: NuisanceBlock, *, now: datetime) -> None: ...
    def save_lift(self, block: NuisanceBlock) -> None: ...


RepositoryFactory = Callable[[Any], NuisanceRepository]  # a session in, the repository out


@dataclass(frozen=True)
class Rules:
    """A center's screening rules, read once from its file (not again for every call)."""

    on: bool
    policy: NuisancePolicy
    rules: PriorityRules
    asked: FactsAsked

    @classmethod
    def of(cls, center: CenterConfig) -> Rules:
        cfg, p = center.nuisance, center.nuisance.priority
        return cls(on=cfg.screening_on, policy=cfg.policy(), rules=cfg.rules(), asked=FactsAsked(
            fresh_location_minutes=p.fresh_location_minutes if p.fresh_location else None,
            verified_emergency_days=p.verified_emergency_days if p.verified_emergency else None,
            callback=bool(p.callback_return)))


def screen(repo: NuisanceRepository, *, number: str | None, at: datetime, rules: Rules,
           located: bool = False, can_refuse: bool = True) -> Screening:
    """Read the number's facts and decide; `located`: the call brought its own location
    (PIDF-LO in the INVITE), a fresh fix as good as one from AML."""
    if not rules.on or not screenable(number):
        return plain(at)
    assert number is not None
    facts = repo.arrival_facts(number, at=at, policy=rules.policy, asked=rules.asked)
    if located and rules.asked.fresh_location_minutes is not None:
        facts = replace(facts, fresh_location=True)
    return screen_arrival(number=number, at=at, facts=facts, policy=rules.policy,
                          rules=rules.rules, can_refuse=can_refuse)


def record(uow: UnitOfWork, repo: NuisanceRepository, call_id: uuid.UUID,
           screening: Screening, at: datetime) -> None:
    """When something was decided (refused, warned, moved): its row (the API's waiting list
    sorts by it; without one a call's place is its arrival) and its line in the audit log."""
    if screening.noteworthy:
        repo.add_screening(call_id, screening, at=at)
        uow.record(CallScreened(
            aggregate_id=str(call_id), at=at, after=screening.outcome.value,
            data={"facts": sorted(f.value for f in screening.facts), "level": screening.level,
                  "announcement": screening.announcement.value if screening.announcement
                  else None, "block": str(screening.block_id) if screening.block_id else None}))


# --- calls over SIP: in the writer's transaction --------------------------------------------
class ScreeningDesk:
    """Decisions made on the SIP writer's thread, taken once on the node's thread (after the
    commit: the writer hands its result over only then)."""

    def __init__(self) -> None:
        self._made: OrderedDict[uuid.UUID, Screening] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, call_id: uuid.UUID, screening: Screening) -> None:
        with self._lock:
            self._made[call_id] = screening
            while len(self._made) > DESK_CAPACITY:
                self._made.popitem(last=False)

    def take(self, call_id: uuid.UUID) -> Screening | None:
        with self._lock:
            return self._made.pop(call_id, None)


def screen_sip_calls(take: Callable[..., uuid.UUID], *, center: CenterConfig, clock: Clock,
                     repo: RepositoryFactory, desk: ScreeningDesk) -> Callable[..., uuid.UUID]:
    """The TakeSipCall handler, screening each new call in the same transaction: a blocked
    number's call is stored as released (reason `blocked_nuisance`, answer 603); any other
    is stored and queued by `take` as before, with its decision left on the desk.

    Screening must never cost a call its storing: if it fails, the error goes up (the writer
    runs the batch again command by command) and for SCREENING_PAUSE seconds calls are
    stored unscreened, queued at their arrival."""
    rules = Rules.of(center)
    paused_until = [0.0]

    def take_and_screen(cmd: c.TakeSipCall, uow: Any) -> uuid.UUID:
        number = normalize_number(cmd.caller)
        if (cmd.refused_with is not None or not screenable(number)
                or time.monotonic() < paused_until[0]):
            return take(cmd, uow)
        at = cmd.at or clock.now()
        blocked: uuid.UUID | None = None
        with uow:
            known = uow.calls.by_external_id(cmd.external_id) is not None
            if not known:
                try:
                    screening = screen(repo(uow.session), number=number, at=at, rules=rules,
                                       located=(cmd.location_status or "").startswith("ok"))
                except Exception:
                    paused_until[0] = time.monotonic() + SCREENING_PAUSE
                    log.exception("screening failed: calls are queued unscreened for %d s",
                                  SCREENING_PAUSE)
                    raise
                if screening.outcome is ScreeningOutcome.BLOCKED:
                    blocked = _store_blocked(cmd, uow, at)
        if known:
            return take(cmd, uow)  # a retransmitted INVITE: decided the first time
        call_id = blocked or take(cmd, uow)
        with uow:
            record(uow, repo(uow.session), call_id, screening, at)
            uow.commit()
        desk.put(call_id, screening)
        return call_id

    return take_and_screen


def _store_blocked(cmd: c.TakeSipCall, uow: Any, at: datetime) -> uuid.UUID:
    """Stored like any call (nothing is lost), then released at once: never queued."""
    call = Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse(cmd.caller), at=at,
                        external_id=cmd.external_id)
    call.start_screening(at=at)
    call.release(at=at, reason=BLOCKED_REASON)
    uow.calls.add(call)
    uow.sip_calls.add(call_id=call.id, sip_call_id=cmd.external_id,
                      identity_header=cmd.identity_header, identity_raw=cmd.identity_raw,
                      remote=cmd.remote, location_status=cmd.location_status,
                      refused_with=SIP_DECLINE)
    uow.commit()
    log.info("call %s from a blocked number: stored, refused with %d", call.id, SIP_DECLINE)
    return call.id


# --- calls through the API: right after they are stored -------------------------------------
def receive_and_screen(cmd: c.ReceiveCall, uow: UnitOfWork, *, clock: Clock,
                       center: CenterConfig, repo: RepositoryFactory) -> uuid.UUID:
    """ReceiveCall, then the call's screening in a second transaction (never refused: an API
    channel has no "no" to send; a blocked number is warned and moved down instead)."""
    call_id = receive_call(cmd, uow, clock=clock)
    if not center.nuisance.screening_on:
        return call_id
    try:
        _screen_stored_call(call_id, uow, center=center, repo=repo)
    except Exception:  # the call is stored and queued at its arrival: that is what matters
        log.exception("call %s: screening failed; queued at its arrival", call_id)
    return call_id


def _screen_stored_call(call_id: uuid.UUID, uow: UnitOfWork, *, center: CenterConfig,
                        repo: RepositoryFactory) -> None:
    with uow:
        nuisance = repo(uow.session)  # type: ignore[attr-defined]
        call = uow.calls.get(call_id)
        if (call is None or call.state is not CallState.QUEUED or call.queued_at is None
                or nuisance.screening_of(call_id) is not None):
            return  # a retried delivery: screened the first time
        screening = screen(nuisance, number=call.caller_number, at=call.queued_at,
                           rules=Rules.of(center), can_refuse=False)
        record(uow, nuisance, call_id, screening, call.queued_at)
        uow.commit()


# --- after a disposition: blocks ----------------------------------------------------------
def apply_nuisance_policy(cmd: c.ApplyNuisancePolicy, uow: UnitOfWork, *, clock: Clock,
                          center: CenterConfig, repo: RepositoryFactory) -> uuid.UUID | None:
    """A temporary block when the number reached the center's threshold: counted calls in
    the window since its last block, no verified emergency in it, no block running."""
    policy = center.nuisance.policy()
    if not policy.blocking_on:
        return None
    with uow:
        call = uow.calls.get(cmd.call_id)
        if call is None:
            raise NotFound(f"no call {cmd.call_id}")
        number, now = call.caller_number, clock.now()
        if not screenable(number) or call.disposition not in policy.counted:
            return None
        assert number is not None
        nuisance = repo(uow.session)  # type: ignore[attr-defined]
        last = nuisance.latest_block(number)
        since = policy.window_start(now)
        if last is not None and last.created_at > since:
            since = last.created_at  # the calls that caused a block never cause another
        counted = nuisance.counted_calls(number, since=since, until=now, counted=policy.counted)
        if not block_due(number=number, counted_calls=counted,
                         verified_emergency=nuisance.verified_emergency(
                             number, since=policy.window_start(now)),
                         has_active_block=last is not None
                         and last.status(now) is BlockStatus.ACTIVE, policy=policy):
            return None
        block = NuisanceBlock.impose(caller_number=number, counted_calls=counted,
                                     call_id=call.id, at=now, policy=policy)
        try:
            nuisance.add_block(block, now=now)
        except Conflict:
            return None  # blocked a moment ago by another request
        _record_events(uow, block)
        uow.commit()
        log.info("number of call %s blocked until %s (%d counted calls)", call.id,
                 block.expires_at.isoformat(), counted)
        return block.id


def lift_nuisance_block(cmd: c.LiftNuisanceBlock, uow: UnitOfWork, *, clock: Clock,
                        repo: RepositoryFactory) -> None:
    with uow:
        nuisance = repo(uow.session)  # type: ignore[attr-defined]
        block = nuisance.get_block(cmd.block_id, for_update=True)
        if block is None:
            raise NotFound(f"no block {cmd.block_id}")
        block.lift(by=cmd.by, at=clock.now(), note=cmd.note)
        nuisance.save_lift(block)
        _record_events(uow, block)
        uow.commit()


def _record_events(uow: UnitOfWork, block: NuisanceBlock) -> None:
    for event in block.events:
        uow.record(event)
    block.events = []


def subscribe(bus: Any, center: CenterConfig) -> None:
    """A counted disposition (committed) may block its number: checked at once, after it."""
    policy = center.nuisance.policy()
    if not policy.blocking_on:
        return
    counted = {d.value for d in policy.counted}

    def on_disposed(event: CallDisposed) -> None:
        if event.after in counted:
            bus.handle(c.ApplyNuisancePolicy(call_id=uuid.UUID(event.aggregate_id)))

    bus.subscribe(CallDisposed, on_disposed)



def install_sip_screening(handlers: dict[type, Callable[..., Any]], *, center: CenterConfig,
                          clock: Clock, repo: RepositoryFactory) -> ScreeningDesk | None:
    """Wrap the SIP writer's TakeSipCall handler when the center screens; the desk it returns
    goes to the switchboard. Nothing changes (and nothing is read) when it does not."""
    if not center.nuisance.screening_on:
        return None
    desk = ScreeningDesk()
    handlers[c.TakeSipCall] = screen_sip_calls(handlers[c.TakeSipCall], center=center,
                                               clock=clock, repo=repo, desk=desk)
    return desk

"""Commands: what a user or a machine asks the center to do (imperative names)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from siaga112.domain.accounts import Role
from siaga112.domain.calls import Channel, Disposition
from siaga112.domain.incidents import IncidentLocation, Priority, VerificationMethod
from siaga112.domain.units import UnitStatus
from siaga112.domain.locations import LocationMethod, LocationSource


class Command:
    pass


@dataclass(frozen=True, kw_only=True)
class ReceiveCall(Command):
    channel: Channel
    caller: str | None
    external_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerCall(Command):
    call_id: uuid.UUID
    call_taker: str
    position_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReleaseCall(Command):
    call_id: uuid.UUID
    actor: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AbandonCall(Command):
    call_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DisposeCall(Command):
    call_id: uuid.UUID
    disposition: Disposition
    by: str


@dataclass(frozen=True, kw_only=True)
class OpenIncident(Command):
    type_code: str
    subtype_code: str | None
    by: str
    priority: Priority | None = None  # else from the triage answers, else the protocol's default
    triage_answers: dict[str, str] = field(default_factory=dict)
    location: IncidentLocation = IncidentLocation()
    description: str | None = None
    call_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class VerifyIncident(Command):
    incident_id: uuid.UUID
    by: str
    method: VerificationMethod


@dataclass(frozen=True, kw_only=True)
class AddIncidentNote(Command):
    incident_id: uuid.UUID
    text: str
    by: str


@dataclass(frozen=True, kw_only=True)
class LinkCallToIncident(Command):
    call_id: uuid.UUID
    incident_id: uuid.UUID
    by: str


@dataclass(frozen=True, kw_only=True)
class CreateUser(Command):
    username: str
    full_name: str
    role: Role
    password: str
    agency_code: str | None = None
    must_change_password: bool = True
    demo: bool = False


@dataclass(frozen=True, kw_only=True)
class SyncCenter(Command):
    """Bring agencies, stations, units and positions in line with the center's file."""


@dataclass(frozen=True, kw_only=True)
class RecordLocationFix(Command):
    """A fix for a known call (network PIDF-LO, the call-taker's pick)."""

    call_id: uuid.UUID
    source: LocationSource
    lat: float
    lon: float
    radius_m: float | None = None
    confidence: float | None = None
    method: LocationMethod = LocationMethod.UNKNOWN
    fixed_at: datetime | None = None  # None: now
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChooseCallLocation(Command):
    """The call-taker takes a fix as the call's location (never done automatically)."""

    call_id: uuid.UUID
    fix_id: uuid.UUID
    by: str


@dataclass(frozen=True, kw_only=True)
class IncomingFix:
    """A fix from outside (AML) that names the caller's number, not a call."""

    caller: str | None  # as the sender wrote it; normalized for matching
    source: LocationSource
    lat: float
    lon: float
    radius_m: float | None = None
    confidence: float | None = None
    method: LocationMethod = LocationMethod.UNKNOWN
    fixed_at: datetime | None = None  # None: when it arrived
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class IngestLocationFixes(Command):
    """Match each fix to its call and store them all in one transaction (group commit);
    the handler answers one outcome, or one error, per fix."""

    fixes: tuple[IncomingFix, ...]


@dataclass(frozen=True, kw_only=True)
class AttachWaitingFixes(Command):
    """Calls arrived: fixes from their numbers that matched no call yet join their trail."""

    call_ids: tuple[uuid.UUID, ...]


# --- telephony (services/handlers/telephony.py, positions.py) -------------------------------
@dataclass(frozen=True, kw_only=True)
class TakeSipCall(Command):
    """An INVITE arrived: store it at once, queued; or, beyond the admission limit,
    stored as interrupted before it is refused (`refused_with`, e.g. 503)."""

    external_id: str
    caller: str | None
    identity_header: str | None = None  # which header gave the number
    identity_raw: str | None = None  # that header's text as it arrived
    remote: str | None = None
    location_status: str | None = None
    refused_with: int | None = None
    # Silent-call screening (docs/screening.md): stored as `screening` instead of `queued`.
    screen: bool = False
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class EndScreening(Command):
    """Silent-call screening is over for a call: the caller spoke or pressed the digits
    (`speech`, `digits`: queued), the screening could not run (`unavailable`: queued), or
    nobody answered the announcement (`silent`: released, screened out)."""

    call_id: uuid.UUID
    outcome: str
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CheckInformationFirst(Command):
    """Should this stored call hear the information message before anything? (a number that
    called only with questions lately: docs/quick-answers.md)"""

    call_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class OfferCall(Command):
    call_id: uuid.UUID
    position_code: str
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ConnectCall(Command):
    """The position (or, with `position_code` None, the backup destination) answered."""

    call_id: uuid.UUID
    position_code: str | None
    destination: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PositionNoAnswer(Command):
    """The offer rang out or was refused: the position becomes not ready, the call waits."""

    call_id: uuid.UUID
    position_code: str
    reason: str = "no_answer"
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class WithdrawOffer(Command):
    """Take the call back from a ringing position that is not at fault (it was set not
    ready meanwhile, or the backup destination answered)."""

    call_id: uuid.UUID
    position_code: str
    reason: str
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RecordOverflowOffer(Command):
    call_id: uuid.UUID
    destination: str
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class EndSipCall(Command):
    """The caller hung up (abandoned if not yet answered), or either side ended a call."""

    call_id: uuid.UUID
    by: str  # "caller", "position", "destination" or "system"
    reason: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class InterruptCall(Command):
    """A fault ended the call (lost dialog, no ACK, stuck): interrupted, and a callback."""

    call_id: uuid.UUID
    reason: str
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class InterruptLiveCalls(Command):
    """At start: calls that were live when the node stopped are interrupted."""

    reason: str = "node_restart"


@dataclass(frozen=True, kw_only=True)
class EndWrapUp(Command):
    position_code: str
    at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class LogInPosition(Command):
    position_code: str
    operator: str


@dataclass(frozen=True, kw_only=True)
class SetPositionReady(Command):
    position_code: str


@dataclass(frozen=True, kw_only=True)
class SetPositionNotReady(Command):
    position_code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LogOutPosition(Command):
    position_code: str


@dataclass(frozen=True, kw_only=True)
class CloseCallbackTask(Command):
    task_id: uuid.UUID
    by: str
    done: bool = True  # False: cancelled
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class DispatchUnits(Command):
    """Send these units to the incident: all of them, or none (one transaction)."""

    incident_id: uuid.UUID
    unit_codes: tuple[str, ...]
    by: str


@dataclass(frozen=True, kw_only=True)
class UpdateUnitStatus(Command):
    """A unit reports en route, on scene, transporting, returning, available, out of service."""

    unit_code: str
    status: UnitStatus
    by: str


@dataclass(frozen=True, kw_only=True)
class AcknowledgeDispatch(Command):
    """The unit's agency confirms it received the dispatch."""

    unit_code: str
    by: str


# --- consoles (services/handlers/unit_positions.py; docs/consoles.md) ------------------------
@dataclass(frozen=True, kw_only=True)
class ReportUnitPosition(Command):
    """Where a unit is now (the crew's phone or a tracker); an older fix never wins."""

    unit_code: str
    lat: float
    lon: float
    accuracy_m: float | None
    by: str


# --- several SIP nodes (operations/cluster.py; docs/deployment.md) ---------------------------
@dataclass(frozen=True, kw_only=True)
class InterruptNodeCalls(Command):
    """At a node's start, when several nodes share the database: the calls this node had
    taken (and those no node claims) are interrupted; only its own positions are reset."""

    node: str
    positions: tuple[str, ...]
    reason: str = "node_restart"


@dataclass(frozen=True, kw_only=True)
class InterruptLostNodeCalls(Command):
    """A peer node stopped beating (killed, its machine gone): the calls it had taken are
    interrupted with callbacks, once (the first node to see it takes it)."""

    node: str
    silent_since: datetime  # its last heartbeat must be older than this


# --- the call-taker console (services/handlers/call_taking.py) ------------------------------
@dataclass(frozen=True, kw_only=True)
class TakeWaitingCall(Command):
    """A call-taker takes a waiting call that no desk phone rings (web, SMS gateway, the
    demo's simulated callers): the ready position rings and answers it in one step."""

    call_id: uuid.UUID
    position_code: str
    call_taker: str


@dataclass(frozen=True, kw_only=True)
class EndTakenCall(Command):
    """A call taken at a position ends (the call-taker or the caller hangs up): released,
    and the position goes to wrap-up (straight back to ready when wrap-up is 0 s)."""

    call_id: uuid.UUID
    position_code: str
    by: str
    reason: str | None = None


# --- location link (services/handlers/location_links.py; docs/location-link.md) ----------
@dataclass(frozen=True, kw_only=True)
class CreateLocationLink(Command):
    """A new share-my-location link for the call; an older one of the call stops working."""

    call_id: uuid.UUID
    by: str


@dataclass(frozen=True, kw_only=True)
class SendLocationLinkSms(Command):
    """Send the link (its URL, known only now) to the call's number through the center's
    SMS adapter, and log the outcome."""

    link_id: uuid.UUID
    url: str
    by: str


@dataclass(frozen=True, kw_only=True)
class ReportFromLinkPhone(Command):
    """The page on the caller's phone says it opened, was refused, found no position or
    finished (values of domain.location_links.PhoneReport)."""

    token: str
    report: str


@dataclass(frozen=True, kw_only=True)
class ShareLinkPosition(Command):
    """A position from the caller's phone: a location fix (source `link`) of the link's
    call, never of another."""

    token: str
    lat: float
    lon: float
    accuracy_m: float | None
    fixed_at: datetime | None
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class AttachLinkPhoto(Command):
    """One photo of the scene from the caller (only where the center allows it)."""

    token: str
    image: bytes


@dataclass(frozen=True, kw_only=True)
class ExpireLocationLinks(Command):
    """Mark links past their time as expired (each one's state change reaches the consoles)."""


# --- quick answers (services/handlers/knowledge.py; docs/quick-answers.md) ------------------
from siaga112.domain.knowledge import KnowledgeContent  # noqa: E402


@dataclass(frozen=True, kw_only=True)
class SaveKnowledgeEntry(Command):
    """A new topic (`base_version` None) or a new version of one, started from
    `base_version`: refused with a conflict when someone else saved in between."""

    code: str
    content: KnowledgeContent
    by: str
    base_version: int | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class SeedKnowledgeBase(Command):
    """At start: an empty knowledge base gets the center file's starter entries."""


@dataclass(frozen=True, kw_only=True)
class DisposeWithTopic(Command):
    """The call was a question on this topic: disposed `non_emergency` and the topic (with
    the version read out) recorded, in one transaction."""

    call_id: uuid.UUID
    topic: str
    by: str


@dataclass(frozen=True, kw_only=True)
class SendQuickAnswer(Command):
    """Send the topic's answer and referrals by SMS to the call's number; log the outcome."""

    call_id: uuid.UUID
    topic: str
    by: str


# --- nuisance callers (services/nuisance.py; docs/nuisance-callers.md) ---------------------
@dataclass(frozen=True, kw_only=True)
class ApplyNuisancePolicy(Command):
    """After a counted disposition (a prank, by default): a temporary block of the call's
    number when the center blocks and the number reached its threshold."""

    call_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class LiftNuisanceBlock(Command):
    """A supervisor ends a block early; the note (why) goes to the audit log."""

    block_id: uuid.UUID
    by: str
    note: str


# Commands that change a position's state. While a SIP node runs, its writer is the only one
# that applies them (entrypoints/sip.py); with several nodes, only the node that rings the
# position may (operations/cluster.py). One list, so neither can miss a new one.
POSITION_COMMANDS: tuple[type[Command], ...] = (
    LogInPosition, SetPositionReady, SetPositionNotReady, LogOutPosition,
    TakeWaitingCall, EndTakenCall)

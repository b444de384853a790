"""Past-tense events the aggregates record; handlers react to them after commit.

Every event is also a row of the append-only event log: what changed, from what
to what, who did it, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    aggregate: ClassVar[str] = ""
    aggregate_id: str
    at: datetime
    actor: str | None = None
    reason: str | None = None
    before: str | None = None
    after: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CallReceived(DomainEvent):
    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class CallStateChanged(DomainEvent):
    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class CallDisposed(DomainEvent):
    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class CallLinkedToIncident(DomainEvent):
    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class IncidentOpened(DomainEvent):
    aggregate: ClassVar[str] = "incident"


@dataclass(frozen=True, kw_only=True)
class IncidentStatusChanged(DomainEvent):
    aggregate: ClassVar[str] = "incident"


@dataclass(frozen=True, kw_only=True)
class IncidentClassified(DomainEvent):
    aggregate: ClassVar[str] = "incident"


@dataclass(frozen=True, kw_only=True)
class IncidentNoteAdded(DomainEvent):
    aggregate: ClassVar[str] = "incident"


@dataclass(frozen=True, kw_only=True)
class UnitStatusChanged(DomainEvent):
    aggregate: ClassVar[str] = "unit"


@dataclass(frozen=True, kw_only=True)
class UnitDispatched(DomainEvent):
    """A unit was sent to an incident (data: unit, agency, dispatch, assignment); the
    agency's webhook reacts to it after commit."""

    aggregate: ClassVar[str] = "incident"


@dataclass(frozen=True, kw_only=True)
class DispatchAcknowledged(DomainEvent):
    """The unit's agency confirmed it received the dispatch."""

    aggregate: ClassVar[str] = "incident"


@dataclass(frozen=True, kw_only=True)
class PositionStateChanged(DomainEvent):
    aggregate: ClassVar[str] = "position"


@dataclass(frozen=True, kw_only=True)
class AccountChanged(DomainEvent):
    """A person's account: created, password changed, locked after failed logins."""

    aggregate: ClassVar[str] = "user"


@dataclass(frozen=True, kw_only=True)
class PersonalDataViewed(DomainEvent):
    """Who saw a caller's full number, a recording or an export (UU 27/2022)."""

    aggregate: ClassVar[str] = "personal_data"


@dataclass(frozen=True, kw_only=True)
class LocationFixRecorded(DomainEvent):
    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class CallLocationChosen(DomainEvent):
    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class LocationFixUnmatched(DomainEvent):
    """A fix (AML) that matched no call: kept and listed for the supervisor."""

    aggregate: ClassVar[str] = "location"


@dataclass(frozen=True, kw_only=True)
class CallbackTaskChanged(DomainEvent):
    """A callback task opened, got another missed call, or was done or cancelled."""

    aggregate: ClassVar[str] = "callback"


@dataclass(frozen=True, kw_only=True)
class CallOfferedToOverflow(DomainEvent):
    """A call waited past the overflow time and was offered to the backup destination."""

    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class UnitPositionReported(DomainEvent):
    """A unit's position fix (its crew's phone, a tracker): data lat, lon, accuracy_m."""

    aggregate: ClassVar[str] = "unit"


# --- location link (docs/location-link.md) ------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class LocationLinkStateChanged(DomainEvent):
    """A share-my-location link of the call moved (created, sent, opened, shared, refused,
    unavailable, expired); data: the link's id, never its token."""

    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class LocationLinkSmsAttempted(DomainEvent):
    """An SMS with the link was handed to the center's SMS adapter: its outcome (no number)."""

    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class LocationLinkPhotoAdded(DomainEvent):
    """The caller attached a photo of the scene through the link (re-encoded, no metadata)."""

    aggregate: ClassVar[str] = "call"


# --- quick answers (docs/quick-answers.md) -------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class KnowledgeEntryChanged(DomainEvent):
    """A quick answer got a new version (before/after: version numbers; data: title, active)."""

    aggregate: ClassVar[str] = "knowledge"


@dataclass(frozen=True, kw_only=True)
class CallTopicSet(DomainEvent):
    """A question call got its topic (before/after: topic codes; data: the version read out)."""

    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class QuickAnswerSmsAttempted(DomainEvent):
    """A quick answer was handed to the SMS adapter: topic, version, outcome (no number)."""

    aggregate: ClassVar[str] = "call"


# --- nuisance callers and queue priority (docs/nuisance-callers.md) ------------------------
@dataclass(frozen=True, kw_only=True)
class CallScreened(DomainEvent):
    """What screening decided for a call before the queue: after = queued, warned,
    blocked or broke_through; data: the priority facts, level, warning, block (no number)."""

    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True, kw_only=True)
class NuisanceBlockChanged(DomainEvent):
    """A temporary block of a nuisance number: created by the center's policy (data: expiry,
    the calls counted), or lifted by a supervisor (reason: their note). Never the number."""

    aggregate: ClassVar[str] = "nuisance_block"

"""Importing call history from another system (a PBX's CDRs, a spreadsheet).

A parser (adapters/cdr) turns each row into a `HistoricCall` or a `RowProblem` naming
its line; this service checks each call's times, keeps the good ones and stores them
in batches through a `CallHistoryStore`. Importing the same file twice adds nothing:
every call carries its source's unique id (`asterisk:<uniqueid>`), and ids already
stored, or repeated in the file, are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Protocol

from siaga112.domain.calls import Disposition
from siaga112.domain.clock import Clock
from siaga112.domain.events import DomainEvent

BATCH = 2000
MAX_ID = 200  # calls.external_id


class Outcome(StrEnum):
    ANSWERED = "answered"  # a call-taker answered
    ABANDONED = "abandoned"  # the caller hung up before an answer
    INTERRUPTED = "interrupted"  # a fault ended it
    SCREENED_OUT = "screened_out"  # automatic screening ended it before the queue


@dataclass(frozen=True, kw_only=True)
class HistoricCall:
    line: int
    external_id: str
    caller_raw: str | None
    received_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    outcome: Outcome
    disposition: Disposition | None = None
    position_code: str | None = None

    def problem(self) -> str | None:
        """Why these times cannot be one call's, or None."""
        if len(self.external_id) > MAX_ID:
            return f"the id is longer than {MAX_ID - 10} characters"
        if self.outcome is Outcome.ANSWERED and self.answered_at is None:
            return "answered, but no answer time"
        if self.outcome in (Outcome.ABANDONED, Outcome.SCREENED_OUT) and self.answered_at:
            return f"{self.outcome.value}, yet it has an answer time"
        if self.answered_at is not None and self.answered_at < self.received_at:
            return "answered before it started"
        if self.ended_at < (self.answered_at or self.received_at):
            return "ended before it started or was answered"
        if self.disposition is not None and self.answered_at is None:
            return "a disposition needs an answered call"
        return None


@dataclass(frozen=True, kw_only=True)
class CallImported(DomainEvent):
    """A call taken into the history from another system's records."""

    aggregate: ClassVar[str] = "call"


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    already_stored: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.rows} rows: {self.imported} calls imported, {self.already_stored} "
                f"already stored, {len(self.problems)} bad rows")


class CallHistoryStore(Protocol):
    def write(self, calls: Sequence[HistoricCall], *, source: str,
              recorded_at: datetime) -> int:
        """Store, in one transaction, the calls whose external ids are new; return how many."""
        ...


def import_history(*, rows: Iterable[HistoricCall | RowProblem], store: CallHistoryStore,
                   source: str, clock: Clock, batch: int = BATCH,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import every good row; report each bad one with its line. Returns the tally.

    `progress` is told how many rows were handled, batch by batch.
    """
    result = ImportResult()
    seen: dict[str, int] = {}  # external id -> the line it was first seen on
    pending: list[HistoricCall] = []
    handled = 0

    def flush() -> None:
        nonlocal handled
        if pending:
            stored = store.write(pending, source=source, recorded_at=clock.now())
            result.imported += stored
            result.already_stored += len(pending) - stored
            pending.clear()
        if progress and handled:
            progress(handled)
        handled = 0

    for row in rows:
        result.rows += 1
        handled += 1
        if isinstance(row, RowProblem):
            result.problems.append(row)
            continue
        reason = row.problem()
        if reason is None and row.external_id in seen:
            reason = f"the same id '{row.external_id}' as line {seen[row.external_id]}"
        if reason is not None:
            result.problems.append(RowProblem(row.line, reason))
            continue
        seen[row.external_id] = row.line
        pending.append(row)
        if len(pending) >= batch:
            flush()
    flush()
    return result

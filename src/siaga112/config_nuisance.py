"""The center file's `[nuisance]` section: nuisance callers and the queue's priority rules
(docs/nuisance-callers.md). Validated at start with the rest of the center file (config.py
has one field pointing here).

Off by default except the history: no warning, no block, and no fact moves a call in the
queue until the center writes its numbers here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from siaga112.domain.calls import Disposition
from siaga112.domain.nuisance import NuisancePolicy
from siaga112.domain.queue_priority import PriorityFact, PriorityRules

Weight = int


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorityConfig(_Strict):
    """`[nuisance.priority]`: levels each fact adds (or takes away) and the ageing rate."""

    # Waiting this long adds one level: no call waits behind newer ones for more than
    # (highest level - lowest level) x this many seconds.
    seconds_per_level: float = Field(default=30.0, ge=1, le=3600)
    fresh_location: Weight = Field(default=0, ge=0, le=5)  # a fix from the phone lately
    fresh_location_minutes: float = Field(default=10.0, gt=0, le=24 * 60)
    callback_return: Weight = Field(default=0, ge=0, le=5)  # the number has an open callback
    verified_emergency: Weight = Field(default=0, ge=0, le=5)  # it reported real ones before
    verified_emergency_days: int = Field(default=90, ge=1, le=3650)
    # Numbers past `warn_after`; applies only when warnings are on.
    nuisance: Weight = Field(default=-1, ge=-5, le=0)

    def rules(self) -> PriorityRules:
        return PriorityRules(weights={
            PriorityFact.FRESH_LOCATION: self.fresh_location,
            PriorityFact.CALLBACK_RETURN: self.callback_return,
            PriorityFact.VERIFIED_EMERGENCY: self.verified_emergency,
            PriorityFact.NUISANCE: self.nuisance}, seconds_per_level=self.seconds_per_level)


class NuisanceConfig(_Strict):
    # The supervisor's list of nuisance numbers looks back this far by default.
    history_days: int = Field(default=30, ge=1, le=365)
    # What counts toward warnings and blocks. Pranks only by default: a silent call may be
    # someone who cannot speak, a hang-up someone who was interrupted.
    count: list[Literal["prank", "silent", "hang_up"]] = Field(default=["prank"], min_length=1)
    window_days: int = Field(default=30, ge=1, le=365)
    # After this many counted calls in the window: the warning announcement before the queue
    # and the `nuisance` priority. 0: off.
    warn_after: int = Field(default=0, ge=0, le=100)
    # After this many: a temporary block (SIP 603, the call stored). 0: off (the default;
    # some Indonesian centers block, e.g. Kota Bogor after 5 pranks, Bontang for 24 h).
    block_after: int = Field(default=0, ge=0, le=100)
    block_hours: float = Field(default=24.0, gt=0, le=30 * 24)
    # A blocked number's Nth call within these minutes is queued anyway (never 0: a person
    # who keeps calling may be in real trouble).
    break_through_calls: int = Field(default=3, ge=2, le=10)
    break_through_minutes: float = Field(default=10.0, gt=0, le=24 * 60)
    priority: PriorityConfig = PriorityConfig()

    @model_validator(mode="after")
    def _sensible(self) -> NuisanceConfig:
        if self.block_after == 1:
            raise ValueError("block_after: one call never blocks a number (2 or more, or 0)")
        if self.block_after and self.warn_after and self.block_after < self.warn_after:
            raise ValueError("block_after: a number is warned before it is blocked "
                             "(block_after >= warn_after)")
        return self

    def policy(self) -> NuisancePolicy:
        return NuisancePolicy(
            counted=frozenset(Disposition(d) for d in self.count), window_days=self.window_days,
            warn_after=self.warn_after, block_after=self.block_after,
            block_hours=self.block_hours, break_through_calls=self.break_through_calls,
            break_through_minutes=self.break_through_minutes)

    def rules(self) -> PriorityRules:
        return self.priority.rules()

    @property
    def screening_on(self) -> bool:
        """Is anything read about an arriving call's number? (Else nothing costs a query.)"""
        p = self.priority
        return bool(self.warn_after or self.block_after or p.fresh_location
                    or p.callback_return or p.verified_emergency)

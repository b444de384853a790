"""API schemas of the consoles: the dispatcher board, the wallboard, a unit's position fix."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class UnitPositionReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class BoardUnit(BaseModel):
    unit: str
    agency: str
    status: str
    acknowledged: bool
    dispatched_at: str | None
    eta_seconds: float | None


class BoardIncident(BaseModel):
    id: str
    number: str
    type: str
    subtype: str | None
    priority: str
    status: str
    created_at: str | None
    received_at: str | None  # the first linked call's arrival
    answered_at: str | None  # ... and answer
    timer_from: str | None  # the answer, else the incident's opening
    verified_at: str | None
    dispatched_at: str | None  # the first unit sent: the timer stops
    on_scene_at: str | None
    target_seconds: float
    location: dict[str, float | str | None]
    units: list[BoardUnit]
    failed_deliveries: int


class BoardDelivery(BaseModel):
    id: str
    incident_id: str
    number: str
    agency: str
    attempts: int
    last_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None


class DispatchBoard(BaseModel):
    now: str
    incidents: list[BoardIncident]  # active ones, the most urgent first, then the oldest
    failed_deliveries: list[BoardDelivery]  # the newest 50 that failed: tell them by radio


class WallboardQueue(BaseModel):
    waiting: int
    oldest_received_at: str | None
    longest_wait_seconds: float | None


class WallboardToday(BaseModel):
    calls: int
    offered: int
    answered: int
    abandoned_in_queue: int
    abandonment_rate: float | None
    answered_within: dict[str, float | None]  # "15": share of the offered calls
    targets: dict[str, float]
    meets_target: dict[str, bool | None]
    prank: int
    silent: int
    prank_silent_share: float | None  # of the answered calls


class WallboardTypeCount(BaseModel):
    type: str
    count: int


class WallboardIncidents(BaseModel):
    open: int
    by_type: list[WallboardTypeCount]


class Wallboard(BaseModel):
    now: str
    day: str  # the center's day (its zone) the figures of `today` cover
    queue: WallboardQueue
    positions: dict[str, int]  # every position state, with its count
    today: WallboardToday
    incidents: WallboardIncidents

"""Settings (from SIAGA112_* environment variables) and the center's configuration (TOML).

Both are validated once, at start: a broken value is refused with a message that
names where it is and what is wrong, never discovered in the middle of a call.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from siaga112.config_location_link import LocationLinkConfig
from siaga112.config_information import InformationConfig
from siaga112.config_nuisance import NuisanceConfig
from siaga112.config_media import MediaConfig
from siaga112.config_screening import ScreeningConfig
from siaga112.domain.incidents import Priority
from siaga112.domain.plans import ResponsePlan, ResponsePlanBook, UnitRequirement
from siaga112.domain.triage import TriageAnswer, TriageProtocol, TriageQuestion

CENTERS_DIR = Path(__file__).parent / "centers"
DEFAULT_SECRET = "dev-only-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIAGA112_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str | None = None
    center: str = "kendari"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8112, ge=1, le=65535)
    secret_key: str = DEFAULT_SECRET
    session_hours: float = Field(default=12.0, gt=0)
    # Per node, per minute: login attempts per address, public requests per address,
    # requests per machine token.
    rate_login: int = Field(default=20, ge=1)
    rate_public: int = Field(default=300, ge=1)
    rate_machine: int = Field(default=1200, ge=1)
    # The SIP listener of `serve` and `demo` (UDP and TCP), for the trunk and the phones.
    sip_host: str = "127.0.0.1"
    sip_port: int = Field(default=5060, ge=1, le=65535)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'siaga112.sqlite3').resolve()}"

    @property
    def center_path(self) -> Path:
        return center_file(self.center)

    def production_problems(self) -> list[str]:
        """What keeps this configuration from running a real center."""
        problems = []
        if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
            problems.append("SIAGA112_SECRET_KEY is the default or shorter than 32 characters")
        return problems


def center_file(name_or_path: str) -> Path:
    """A center by its bundled name (`kendari`) or by the path of its TOML file."""
    bundled = CENTERS_DIR / f"{name_or_path}.toml"
    return bundled if bundled.exists() else Path(name_or_path)


# --- the center's configuration -------------------------------------------------------
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=40)]
UnitCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=40)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """Words shown to users, Indonesian first."""

    id: str = Field(min_length=1)
    en: str | None = None

    def get(self, locale: str) -> str:
        return (self.en if locale == "en" and self.en else None) or self.id


class CenterInfo(_Strict):
    code: Code
    name: str
    city: str
    timezone: str
    languages: list[Literal["id", "en"]] = ["id", "en"]
    incident_prefix: str = Field(pattern=r"^[A-Z]{2,5}$")
    map_center: tuple[Lat, Lon]
    map_zoom: int = Field(default=12, ge=1, le=19)
    tile_url: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Asia' is a directory
            raise ValueError(f"unknown time zone '{value}'") from None
        return value


class Thresholds(_Strict):
    valid_call_seconds: float = Field(default=10.0, ge=0)
    service_level_seconds: list[int] = [15, 20]
    service_level_targets: list[float] = [0.90, 0.95]
    ring_timeout_seconds: int = Field(default=20, ge=5)
    # The call-taker console's duplicate warning (domain/duplicates.py): open incidents of the
    # same type at most this far away and this many minutes old.
    duplicate_distance_m: float = Field(default=500, gt=0, le=50_000)
    duplicate_minutes: float = Field(default=30, gt=0, le=24 * 60)
    # The dispatcher board's timers (docs/consoles.md): from the call's answer to the first unit
    # sent; a priority may have its own target (a P4 that waits 60 s is not late).
    answer_to_dispatch_seconds: float = Field(default=60, gt=0)
    answer_to_dispatch_by_priority: dict[Priority, Annotated[float, Field(gt=0)]] = {}

    def dispatch_target(self, priority: str) -> float:
        return self.answer_to_dispatch_by_priority.get(Priority(priority),
                                                       self.answer_to_dispatch_seconds)


class Retention(_Strict):
    """How long personal data is kept, per class (UU 27/2022); 0 keeps it forever."""

    numbers_days: int = Field(default=730, ge=0)
    locations_days: int = Field(default=730, ge=0)
    notes_days: int = Field(default=1825, ge=0)
    recordings_days: int = Field(default=90, ge=0)


class Telephony(_Strict):
    """The queue and the SIP node (docs/telephony.md); ring timeout is in [thresholds]."""

    wrap_up_seconds: float = Field(default=0, ge=0, le=3600)  # then ready again by itself
    overflow_after_seconds: float | None = Field(default=None, gt=0)
    overflow_uri: str | None = Field(default=None, pattern=r"^sips?:\S+$")
    admission_limit: int = Field(default=400, ge=1)  # live calls; beyond: stored, then 503
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    max_call_seconds: float = Field(default=4 * 3600, gt=0)  # a dialog longer is cleaned up


class Subtype(_Strict):
    code: Code
    name: Text


class IncidentTypeConfig(_Strict):
    code: Code
    name: Text
    subtypes: list[Subtype] = []


class AgencyConfig(_Strict):
    code: Code
    name: str
    kind: str
    phone: str | None = None
    incident_types: list[Code] = []
    # Dispatches are posted here as EIDO, signed with HMAC-SHA256. The secret is never in
    # this file: only the name of the environment variable that holds it (docs/dispatch.md).
    webhook_url: str | None = Field(default=None, pattern=r"^https?://", max_length=400)
    webhook_secret_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")

    @model_validator(mode="after")
    def _secret_named(self) -> AgencyConfig:
        if self.webhook_url and not self.webhook_secret_env:
            raise ValueError("webhook_url needs webhook_secret_env: the environment variable "
                             "that holds the signing secret")
        return self


# Average speeds of emergency vehicles by OpenStreetMap road class (highway=*), km/h.
DEFAULT_ROAD_SPEEDS = {
    "motorway": 70.0, "motorway_link": 45.0, "trunk": 55.0, "trunk_link": 40.0,
    "primary": 45.0, "primary_link": 35.0, "secondary": 40.0, "secondary_link": 30.0,
    "tertiary": 35.0, "tertiary_link": 30.0, "unclassified": 25.0, "residential": 25.0,
    "living_street": 10.0, "service": 15.0, "road": 20.0,
}


class RoutingConfig(_Strict):
    """How travel times are estimated: straight line (default), the center's OSM file, OSRM."""

    provider: Literal["straight_line", "osm", "osrm"] = "straight_line"
    circuity: float = Field(default=1.35, ge=1.0, le=3.0)  # road distance / straight distance
    speed_kmh: float = Field(default=30.0, gt=0, le=200)  # straight line: average speed
    osm_file: str | None = None  # .osm or .osm.pbf; relative to the center file's folder
    speeds_kmh: dict[str, Annotated[float, Field(gt=0, le=200)]] = DEFAULT_ROAD_SPEEDS
    access_speed_kmh: float = Field(default=15.0, gt=0, le=100)  # from a point to its road
    max_snap_m: float = Field(default=1000.0, gt=0)  # farther from any road: unreachable
    # A road graph measures units up to this far (then further if a requirement lacks
    # units); units past it are listed as `farther`. None: always measure every unit.
    search_minutes: float | None = Field(default=15.0, gt=0)
    osrm_url: str | None = Field(default=None, pattern=r"^https?://")
    osrm_profile: Code = "driving"
    timeout_seconds: float = Field(default=2.0, gt=0, le=60)

    @model_validator(mode="after")
    def _source_given(self) -> RoutingConfig:
        if self.provider == "osm" and not self.osm_file:
            raise ValueError("provider 'osm' needs osm_file")
        if self.provider == "osrm" and not self.osrm_url:
            raise ValueError("provider 'osrm' needs osrm_url")
        return self


class WebhooksConfig(_Strict):
    """Delivery of dispatches to agencies: attempts, and the wait doubling between them."""

    max_attempts: int = Field(default=6, ge=1, le=20)
    backoff_seconds: float = Field(default=2.0, gt=0, le=600)
    backoff_max_seconds: float = Field(default=300.0, gt=0)
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)


class StationConfig(_Strict):
    code: Code
    name: str
    agency: Code
    lat: Lat
    lon: Lon
    address: str | None = None
    phone: str | None = None
    demo: bool = False
    source: str | None = None


class UnitConfig(_Strict):
    code: UnitCode
    name: str
    agency: Code
    station: Code | None = None
    type: Code
    demo: bool = False


class PositionConfig(_Strict):
    code: Code
    name: str
    sip_uri: str | None = None
    demo: bool = False


class RequirementConfig(_Strict):
    agency: Code
    unit_type: Code
    count: int = Field(default=1, ge=1, le=20)


class ResponsePlanConfig(_Strict):
    incident_type: Code
    subtype: Code | None = None
    priority: Priority | None = None
    units: list[RequirementConfig] = Field(min_length=1)


class TriageAnswerConfig(_Strict):
    code: Code
    label: Text
    priority: Priority | None = None


class TriageQuestionConfig(_Strict):
    code: Code
    text: Text
    answers: list[TriageAnswerConfig] = Field(min_length=2)


class TriageConfig(_Strict):
    incident_type: Code
    default_priority: Priority
    questions: list[TriageQuestionConfig] = []


class Kecamatan(_Strict):
    code: Code
    name: str


class Kelurahan(_Strict):
    code: Code
    name: str
    kecamatan: Code
    lat: Lat
    lon: Lon
    # The boundary, when the center has it (else the office point stands for the kelurahan).
    polygon: list[tuple[Lat, Lon]] = Field(default=[], max_length=5000)

    @field_validator("polygon")
    @classmethod
    def _a_real_polygon(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if value and len(value) < 3:
            raise ValueError("a polygon needs at least 3 points")
        return value


class Gazetteer(_Strict):
    source: str | None = None
    kecamatan: list[Kecamatan] = []
    kelurahan: list[Kelurahan] = []


class LocationSettings(_Strict):
    """Caller locations (docs/location.md): matching fixes to calls and the center's area."""

    # A fix joins the live call from its number, else the most recent one that began or
    # ended at most this long before (or began at most this long after) it arrived.
    match_window_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    # The center's boundary, if drawn; else the hull of the kelurahan offices plus the margin.
    area: list[tuple[Lat, Lon]] = Field(default=[], max_length=20000)
    area_margin_km: float = Field(default=3.0, ge=0, le=100)

    @field_validator("area")
    @classmethod
    def _a_real_area(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if value and len(value) < 3:
            raise ValueError("an area needs at least 3 points")
        return value


class CenterConfig(_Strict):
    center: CenterInfo
    thresholds: Thresholds = Thresholds()
    retention: Retention = Retention()
    telephony: Telephony = Telephony()
    incident_types: list[IncidentTypeConfig] = Field(min_length=1)
    agencies: list[AgencyConfig] = Field(min_length=1)
    stations: list[StationConfig] = []
    units: list[UnitConfig] = []
    positions: list[PositionConfig] = Field(min_length=1)
    response_plans: list[ResponsePlanConfig] = []
    triage: list[TriageConfig] = []
    gazetteer: Gazetteer = Gazetteer()
    location: LocationSettings = LocationSettings()
    routing: RoutingConfig = RoutingConfig()
    webhooks: WebhooksConfig = WebhooksConfig()
    location_link: LocationLinkConfig = LocationLinkConfig()  # config_location_link.py
    information: InformationConfig = InformationConfig()  # config_information.py
    nuisance: NuisanceConfig = NuisanceConfig()  # config_nuisance.py
    media: MediaConfig = MediaConfig()  # config_media.py: relay, recordings
    screening: ScreeningConfig = ScreeningConfig()  # config_screening.py: silent calls

    @model_validator(mode="after")
    def _references_resolve(self) -> CenterConfig:
        _check_references(self)
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.center.timezone)

    def incident_type(self, code: str) -> IncidentTypeConfig | None:
        return next((t for t in self.incident_types if t.code == code), None)

    @cached_property
    def response_plan_book(self) -> ResponsePlanBook:
        return ResponsePlanBook(
            ResponsePlan(
                incident_type=p.incident_type, subtype=p.subtype, priority=p.priority,
                requirements=tuple(UnitRequirement(r.agency, r.unit_type, r.count) for r in p.units),
            )
            for p in self.response_plans
        )

    @cached_property
    def triage_protocols(self) -> dict[str, TriageProtocol]:
        return {
            t.incident_type: TriageProtocol(
                incident_type=t.incident_type, default_priority=t.default_priority,
                questions=tuple(
                    TriageQuestion(q.code, q.text.id, tuple(
                        TriageAnswer(a.code, a.label.id, a.priority) for a in q.answers))
                    for q in t.questions),
            )
            for t in self.triage
        }


class _RefError(ValueError):
    pass


def _unique(items: list, what: str, loc: str) -> set[str]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.code in seen:
            raise _RefError(f"{loc}[{i}].code: duplicate {what} code '{item.code}'")
        seen.add(item.code)
    return seen


def _check_references(c: CenterConfig) -> None:
    types = _unique(c.incident_types, "incident type", "incident_types")
    agencies = _unique(c.agencies, "agency", "agencies")
    stations = _unique(c.stations, "station", "stations")
    _unique(c.units, "unit", "units")
    _unique(c.positions, "position", "positions")
    kecamatan = _unique(c.gazetteer.kecamatan, "kecamatan", "gazetteer.kecamatan")
    _unique(c.gazetteer.kelurahan, "kelurahan", "gazetteer.kelurahan")
    subtypes = {t.code: _unique(t.subtypes, "subtype", f"incident_types[{i}].subtypes")
                for i, t in enumerate(c.incident_types)}

    def need(value: str | None, known: set[str], loc: str, what: str) -> None:
        if value is not None and value not in known:
            raise _RefError(f"{loc}: unknown {what} '{value}'")

    for i, a in enumerate(c.agencies):
        for j, t in enumerate(a.incident_types):
            need(t, types, f"agencies[{i}].incident_types[{j}]", "incident type")
    for i, s in enumerate(c.stations):
        need(s.agency, agencies, f"stations[{i}].agency", "agency")
    station_agency = {s.code: s.agency for s in c.stations}
    for i, u in enumerate(c.units):
        need(u.agency, agencies, f"units[{i}].agency", "agency")
        need(u.station, stations, f"units[{i}].station", "station")
        if u.station and station_agency[u.station] != u.agency:
            raise _RefError(f"units[{i}].station: station '{u.station}' belongs to agency "
                            f"'{station_agency[u.station]}', not '{u.agency}'")
    unit_types = {(u.agency, u.type) for u in c.units}
    plan_keys: dict[tuple[str, str | None, str | None], int] = {}
    for i, p in enumerate(c.response_plans):
        key = (p.incident_type, p.subtype, p.priority)
        if key in plan_keys:  # the later plan would silently shadow the earlier one
            raise _RefError(f"response_plans[{i}]: same incident type, subtype and priority as "
                            f"response_plans[{plan_keys[key]}]")
        plan_keys[key] = i
        need(p.incident_type, types, f"response_plans[{i}].incident_type", "incident type")
        need(p.subtype, subtypes.get(p.incident_type, set()), f"response_plans[{i}].subtype",
             f"subtype of '{p.incident_type}'")
        for j, r in enumerate(p.units):
            need(r.agency, agencies, f"response_plans[{i}].units[{j}].agency", "agency")
            if (r.agency, r.unit_type) not in unit_types:
                raise _RefError(f"response_plans[{i}].units[{j}].unit_type: agency '{r.agency}' "
                                f"has no unit of type '{r.unit_type}'")
    triaged: set[str] = set()
    for i, t in enumerate(c.triage):
        need(t.incident_type, types, f"triage[{i}].incident_type", "incident type")
        if t.incident_type in triaged:
            raise _RefError(f"triage[{i}].incident_type: a second protocol for '{t.incident_type}'")
        triaged.add(t.incident_type)
        _unique(t.questions, "question", f"triage[{i}].questions")
        for j, q in enumerate(t.questions):
            _unique(q.answers, "answer", f"triage[{i}].questions[{j}].answers")
    for i, k in enumerate(c.gazetteer.kelurahan):
        need(k.kecamatan, kecamatan, f"gazetteer.kelurahan[{i}].kecamatan", "kecamatan")


class CenterConfigError(Exception):
    """A center file that cannot run a center; the message names file, key and reason."""


def load_center(path: Path) -> CenterConfig:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CenterConfigError(f"{path}: no such file") from None
    except OSError as exc:  # a directory, no permission
        raise CenterConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CenterConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return CenterConfig.model_validate(raw)
    except ValidationError as exc:
        raise CenterConfigError(_describe(path, exc)) from None


def _describe(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        message = err["msg"].removeprefix("Value error, ")
        if err.get("ctx", {}).get("error") and isinstance(err["ctx"]["error"], _RefError):
            loc, _, message = str(err["ctx"]["error"]).partition(": ")
        lines.append(f"{path}: key '{loc or '(top)'}': {message}")
    return "\n".join(lines)

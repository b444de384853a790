"""Simulated callers for the demo center (`siaga112 demo`; docs/consoles.md).

Callers ring 112 at a chosen rate with Kendari's mix of questions, pranks, silence,
hang-ups, wrong numbers and real emergencies of every incident type, from plausible
places in the center's kelurahan. Each call comes in like a call from an SMS or web
gateway: `ReceiveCall` (channel voice) through the bus, and a network location fix at the
caller's place. No phone rings: a person takes it at the call-taker console (a virtual
position without audio) and reads what the caller says as text, revealed as the call goes
on (`GET /api/v1/demo/calls/{id}/caller`, only while the simulator runs). Callers give up
in the queue when nobody answers within their patience, and hang up as their kind does.

Everything a caller says is derived from the call's external id (kind, script entry,
place), so the words survive a restart; the simulator only keeps the timers.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from siaga112.adapters.db.repositories_console import SqlConsoleQueries
from siaga112.bootstrap import Siaga
from siaga112.config import Kelurahan
from siaga112.domain.calls import Call, CallState, Channel
from siaga112.domain.locations import LocationMethod, LocationSource
from siaga112.demo.script import Caller, Line, load_script
from siaga112.services import commands as c

log = logging.getLogger(__name__)

PREFIX = "demo-caller:"
# Kendari, 10-30 June 2025 (shared research, standards.md): of 3,744 answered calls, 166
# were verified emergencies (4.4 %) and 1,222 pranks, silence or hang-ups (32.6 %); the rest
# mostly questions. The 2,238 callers who gave up in the queue are not drawn: here they come
# from the callers' patience and how fast the console answers.
KENDARI_MIX = {"question": 0.60, "prank": 0.14, "silent": 0.12, "hang_up": 0.065,
               "wrong_number": 0.03, "emergency": 0.045}
LANDMARKS = ("pasar", "masjid", "kantor lurah", "SD Negeri", "lapangan", "pertigaan",
             "jembatan", "puskesmas", "gereja", "warung makan")
# Simulated seconds (divided by the speed for the wall clock).
FIRST_LINE_AFTER = 1.0
BETWEEN_LINES = 4.0
STAYS_ON_LINE = {"hang_up": 2.0, "silent": 30.0, "question": 180.0}
AFTER_LAST_LINE = {"wrong_number": 3.0, "prank": 4.0}
PATIENCE_MEAN = {"emergency": 150.0}
DEFAULT_PATIENCE_MEAN, MIN_PATIENCE = 75.0, 10.0
AGAIN_WITHIN = timedelta(minutes=10)  # a second caller about the same emergency
AGAIN_CHANCE = 0.35
TICK_SECONDS = 0.25
_PREFIX_OF_NAME = re.compile(r"^\s*(kantor|kator)\s+lurah\s+", re.I)


@dataclass(frozen=True)
class Identity:
    """What the external id of a simulated call says about its caller."""

    kind: str
    index: int
    again: bool
    kelurahan: str
    landmark: int

    def external_id(self, nonce: str) -> str:
        return (f"{PREFIX}{self.kind}:{self.index}:{int(self.again)}:{self.kelurahan}:"
                f"{self.landmark}:{nonce}")

    @classmethod
    def parse(cls, external_id: str | None) -> Identity | None:
        if not external_id or not external_id.startswith(PREFIX):
            return None
        parts = external_id[len(PREFIX):].split(":")
        try:
            kind, index, again, kelurahan, landmark = parts[:5]
            return cls(kind, int(index), again == "1", kelurahan, int(landmark))
        except ValueError:
            return None


@dataclass(frozen=True)
class CallerWords:
    said: tuple[Line, ...]
    more: bool  # the caller has more to say
    next_in_seconds: float | None  # wall-clock seconds until the next line, if any
    hung_up: bool  # the call ended


@dataclass
class _Waiting:
    call_id: uuid.UUID
    identity: Identity
    gives_up_at: datetime


@dataclass
class _Recent:
    at: datetime
    caller: Caller
    kelurahan: Kelurahan
    landmark: int
    lat: float
    lon: float


def place_name(kelurahan: Kelurahan) -> str:
    """A kelurahan as a caller says it: "Alolama", not "Kantor lurah Alolama"."""
    name = _PREFIX_OF_NAME.sub("", kelurahan.name).strip()
    return name[:1].upper() + name[1:]


class CallerSimulator:
    def __init__(self, siaga: Siaga, *, callers_per_minute: float = 2.0, speed: float = 1.0,
                 emergency_share: float | None = None, first_emergency: bool = True,
                 seed: int | None = None) -> None:
        if callers_per_minute < 0 or speed <= 0:
            raise ValueError("callers per minute must be 0 or more and the speed above 0")
        if emergency_share is not None and not 0 <= emergency_share <= 1:
            raise ValueError("the share of emergencies is between 0 and 1")
        if not siaga.center.gazetteer.kelurahan:
            raise ValueError("the center has no kelurahan to place callers in")
        self.siaga, self.speed = siaga, speed
        self.callers_per_minute = callers_per_minute
        self.mix = _mix(emergency_share)
        self.script = load_script()
        self.rng = random.Random(seed)
        self.kelurahan = {k.code: k for k in siaga.center.gazetteer.kelurahan}
        types = {t.code for t in siaga.center.incident_types}
        self.emergencies = [e for e in self.script["emergency"] if e.incident_type in types]
        # A few numbers that call again and again, as Kendari's pranksters do.
        self.pranksters = [self._number() for _ in range(4)]
        self.first_emergency = first_emergency
        self.waiting: dict[uuid.UUID, _Waiting] = {}
        self.connected: set[uuid.UUID] = set()
        self.recent: list[_Recent] = []
        self.next_arrival: datetime | None = None
        self.placed = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- running ------------------------------------------------------------------------------
    def start(self) -> None:
        """Close what an earlier run left open, then place callers in the background."""
        self.close_leftovers()
        self._thread = threading.Thread(target=self._run, name="demo-callers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.tick()
            except Exception:  # a demo caller must never take the server down
                log.exception("demo callers: a step failed")

    def tick(self) -> None:
        """One step: new callers due, callers who give up waiting, callers who hang up."""
        now = self.siaga.clock.now()
        with self._lock:
            if self.callers_per_minute > 0:
                if self.next_arrival is None:
                    self.next_arrival = now + timedelta(seconds=3.0 / self.speed)
                while self.next_arrival <= now:
                    self._place(self._draw(), at=self.next_arrival)
                    self.next_arrival += timedelta(seconds=self._gap())
            self._follow(now)

    def close_leftovers(self) -> int:
        """Simulated calls a stopped server left open: abandoned or ended, so that no
        console shows a caller who is not there any more."""
        with self.siaga.uow() as uow:
            calls = list(SqlConsoleQueries(uow.session).unfinished_calls(PREFIX))
        for call in calls:
            self._hang_up(call, reason="demo_restarted")
        return len(calls)

    # --- one caller ------------------------------------------------------------------------
    def place_call(self, kind: str | None = None, *, incident_type: str | None = None,
                   subtype: str | None = None, again: bool = False) -> uuid.UUID:
        """A caller rings now: of this kind (else drawn from the mix), for an emergency of
        this incident type (and subtype), or the second caller about the latest emergency."""
        if again and kind is None:
            kind = "emergency"
        with self._lock:
            caller = self._draw(kind, incident_type, subtype)
            return self._place(caller, at=self.siaga.clock.now(), again=again)

    def _draw(self, kind: str | None = None, incident_type: str | None = None,
              subtype: str | None = None) -> Caller:
        if kind is None and self.first_emergency:
            kind = "emergency"  # the newcomer's first call shows the whole flow
        self.first_emergency = False
        if kind is None:
            kind = self.rng.choices(list(self.mix), weights=list(self.mix.values()))[0]
        if kind == "emergency":
            pool = [e for e in self.emergencies
                    if incident_type in (None, e.incident_type) and subtype in (None, e.subtype)]
        else:
            pool = list(self.script.get(kind, ()))
        if not pool:
            raise ValueError(f"no simulated caller of kind '{kind}'" + "".join(
                f" and {what} '{value}'" for what, value in (("type", incident_type),
                                                             ("subtype", subtype)) if value))
        return self.rng.choice(pool)

    def _place(self, caller: Caller, *, at: datetime, again: bool = False) -> uuid.UUID:
        recent = self._recent_same(caller, at, force=again)
        if recent is not None:
            kelurahan, landmark = recent.kelurahan, recent.landmark
            lat, lon = _near(self.rng, recent.lat, recent.lon, 120.0)
            caller, again = recent.caller, True
        else:
            kelurahan = self.rng.choice(list(self.kelurahan.values()))
            landmark = self.rng.randrange(len(LANDMARKS))
            lat, lon = _near(self.rng, kelurahan.lat, kelurahan.lon, 300.0)
            again = False
        identity = Identity(caller.kind, caller.index, again, kelurahan.code, landmark)
        number = (self.rng.choice(self.pranksters) if caller.kind == "prank"
                  and self.rng.random() < 0.7 else self._number())
        call_id = self.siaga.bus.handle(c.ReceiveCall(
            channel=Channel.VOICE, caller=number,
            external_id=identity.external_id(uuid.uuid4().hex[:12])))
        radius = self.rng.choice((60.0, 150.0, 350.0, 700.0))
        self.siaga.bus.handle(c.RecordLocationFix(
            call_id=call_id, source=LocationSource.NETWORK, lat=lat, lon=lon, radius_m=radius,
            confidence=68.0, method=LocationMethod.CELL if radius > 100 else LocationMethod.GNSS,
            detail=json.dumps({"shape": "circle", "simulated": True})))
        patience = max(MIN_PATIENCE, self.rng.expovariate(
            1.0 / PATIENCE_MEAN.get(caller.kind, DEFAULT_PATIENCE_MEAN)))
        self.waiting[call_id] = _Waiting(call_id, identity,
                                         at + timedelta(seconds=patience / self.speed))
        if caller.kind == "emergency" and not again:
            self.recent.append(_Recent(at, caller, kelurahan, landmark, lat, lon))
        self.placed += 1
        log.info("demo caller %s (%s) rings from %s", call_id, caller.kind, kelurahan.name)
        return call_id

    def _recent_same(self, caller: Caller, at: datetime, *, force: bool) -> _Recent | None:
        """Now and then an emergency is a second caller about one reported lately."""
        self.recent = [r for r in self.recent if at - r.at <= AGAIN_WITHIN / self.speed]
        candidates = [r for r in self.recent if r.caller.again]
        if not candidates or caller.kind != "emergency":
            return None
        if force or self.rng.random() < AGAIN_CHANCE:
            return candidates[-1]
        return None

    def _follow(self, now: datetime) -> None:
        """Callers give up when nobody answers in time, and hang up as their kind does."""
        ids = list(self.waiting) + list(self.connected)
        if not ids:
            return
        with self.siaga.uow() as uow:
            calls = {i: uow.calls.get(i) for i in ids}
        for call_id, call in calls.items():
            if call is None or call.ended_at is not None:
                self.waiting.pop(call_id, None)
                self.connected.discard(call_id)
                continue
            if call.state is CallState.QUEUED:
                waiting = self.waiting.get(call_id)
                if waiting is not None and now >= waiting.gives_up_at:
                    self._hang_up(call, reason="caller_gave_up")
                continue
            if call.state is CallState.CONNECTED:
                self.waiting.pop(call_id, None)
                self.connected.add(call_id)
                identity = Identity.parse(call.external_id)
                if identity is None:
                    continue
                after = self.stays_on_line(identity)
                assert call.connected_at is not None
                if after is not None and now >= call.connected_at + timedelta(
                        seconds=after / self.speed):
                    self._hang_up(call, reason="caller_hung_up")

    def _hang_up(self, call: Call, *, reason: str) -> None:
        try:
            if call.state in (CallState.RECEIVED, CallState.SCREENING, CallState.QUEUED,
                              CallState.OFFERED):
                self.siaga.bus.handle(c.AbandonCall(call_id=call.id))
            elif call.state is CallState.CONNECTED:
                known = {p.code for p in self.siaga.center.positions}
                if call.position_code in known:
                    self.siaga.bus.handle(c.EndTakenCall(
                        call_id=call.id, position_code=call.position_code or "", by="caller",
                        reason=reason))
                else:
                    self.siaga.bus.handle(c.ReleaseCall(call_id=call.id, actor="caller",
                                                        reason=reason))
        except Exception as exc:  # the console may have ended it a moment ago
            log.info("demo caller %s: could not hang up (%s)", call.id, exc)
        self.waiting.pop(call.id, None)
        self.connected.discard(call.id)

    # --- what a caller says ----------------------------------------------------------------
    def caller_of(self, identity: Identity) -> Caller | None:
        callers = self.script.get(identity.kind, ())
        return callers[identity.index] if 0 <= identity.index < len(callers) else None

    def lines_of(self, identity: Identity) -> tuple[Line, ...]:
        caller = self.caller_of(identity)
        if caller is None:
            return ()
        lines = caller.again if identity.again and caller.again else caller.lines
        kelurahan = self.kelurahan.get(identity.kelurahan)
        name = place_name(kelurahan) if kelurahan else identity.kelurahan
        place = f"{LANDMARKS[identity.landmark % len(LANDMARKS)]} {name}"
        return tuple(Line(_fill(line.text, place, name), _fill(line.translation, place, name))
                     for line in lines)

    def stays_on_line(self, identity: Identity) -> float | None:
        """Simulated seconds after the answer when this caller hangs up; None: stays."""
        if identity.kind in STAYS_ON_LINE:
            return STAYS_ON_LINE[identity.kind]
        if identity.kind in AFTER_LAST_LINE:
            lines = len(self.lines_of(identity))
            return FIRST_LINE_AFTER + BETWEEN_LINES * max(0, lines - 1) + AFTER_LAST_LINE[
                identity.kind]
        return None

    def words(self, call: Call) -> CallerWords | None:
        """What the caller of this call has said by now; None: not a simulated call."""
        identity = Identity.parse(call.external_id)
        if identity is None:
            return None
        lines = self.lines_of(identity)
        if call.connected_at is None:
            return CallerWords((), bool(lines), None, call.ended_at is not None)
        end = call.ended_at or self.siaga.clock.now()
        talked = (end - call.connected_at).total_seconds() * self.speed
        said = sum(1 for i in range(len(lines)) if FIRST_LINE_AFTER + BETWEEN_LINES * i <= talked)
        more = said < len(lines) and call.ended_at is None
        next_in = ((FIRST_LINE_AFTER + BETWEEN_LINES * said - talked) / self.speed
                   if more else None)
        return CallerWords(lines[:said], more, next_in, call.ended_at is not None)

    # --- helpers ----------------------------------------------------------------------------
    def _gap(self) -> float:
        """Wall-clock seconds to the next caller (a Poisson process)."""
        return self.rng.expovariate(self.callers_per_minute * self.speed / 60.0)

    def _number(self) -> str:
        prefix = self.rng.choice(("0811", "0812", "0813", "0821", "0822", "0823", "0852",
                                  "0853", "0815", "0856", "0857", "0817", "0818", "0819",
                                  "0877", "0878", "0895", "0896"))
        return prefix + "".join(str(self.rng.randrange(10)) for _ in range(8))


def _mix(emergency_share: float | None) -> dict[str, float]:
    if emergency_share is None:
        return dict(KENDARI_MIX)
    rest = 1.0 - KENDARI_MIX["emergency"]
    mix = {k: v / rest * (1.0 - emergency_share) for k, v in KENDARI_MIX.items()
           if k != "emergency"}
    mix["emergency"] = emergency_share
    return mix


def _near(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point at most `metres` from (lat, lon), uniformly spread over the disc."""
    r, angle = metres * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    dlat = r * math.cos(angle) / 111_320.0
    dlon = r * math.sin(angle) / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _fill(text: str, place: str, kelurahan: str) -> str:
    return text.replace("{place}", place).replace("{kelurahan}", kelurahan)


# --- the running simulator of a center (demo mode) --------------------------------------------
def install(siaga: Siaga, simulator: CallerSimulator) -> None:
    setattr(siaga, "_caller_simulator", simulator)  # noqa: B010 - demo mode, kept off the dataclass


def running_simulator(siaga: Siaga) -> CallerSimulator | None:
    """The simulator of this center if the demo runs one: demo mode."""
    found: Any = getattr(siaga, "_caller_simulator", None)
    return found if isinstance(found, CallerSimulator) else None


def start_demo_callers(siaga: Siaga, *, callers_per_minute: float, speed: float = 1.0,
                       emergency_share: float | None = None,
                       seed: int | None = None) -> CallerSimulator:
    """Demo mode on: the simulator is installed (the console shows callers' words) and runs."""
    simulator = CallerSimulator(siaga, callers_per_minute=callers_per_minute, speed=speed,
                                emergency_share=emergency_share, seed=seed)
    install(siaga, simulator)
    simulator.start()
    return simulator

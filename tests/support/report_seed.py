"""Kendari's evaluation of 10-30 June 2025 as a generated history, with its exact figures.

5,982 calls received in the period (WITA): 2,238 abandoned in the queue (38 of them
ended by a fault), 3,744 answered: 2,522 valid (talk more than 10 s, not a nuisance)
and 1,222 invalid; 166 verified emergencies. Besides them, calls just outside the period
(23:59:59 WITA on 9 June, 00:00:00 WITA on 1 July) that the report must leave out, and
calls on its very edges (00:00:00 WITA on 10 June = 9 June 16:00 UTC, 23:59:59 WITA on
30 June) that it must count. Times are whole milliseconds, so both databases agree to
the last call. Everything comes from a fixed seed and is written with bulk inserts.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from siaga112.adapters.db import tables
from siaga112.adapters.db.bulk import insert_rows
from siaga112.config import CenterConfig

WITA = ZoneInfo("Asia/Makassar")
FIRST, LAST = datetime(2025, 6, 10, tzinfo=WITA), datetime(2025, 6, 30, tzinfo=WITA)
DAYS = 21
TOTAL, ABANDONED, ANSWERED, VALID, INVALID, VERIFIED = 5982, 2238, 3744, 2522, 1222, 166
INTERRUPTED = 38  # of ABANDONED: a fault ended them before an answer
FALSE_ALARMS = 4  # emergency calls whose incident was not real: not verified emergencies
TYPES = {"fire": 25, "accident": 40, "medical": 45, "natural_disaster": 15, "crime": 12,
         "domestic_violence": 5, "social_unrest": 2, "public_order": 10, "rescue": 8,
         "other": 4}
# What the valid and invalid answered calls were (counts add up to VALID and INVALID).
VALID_MIX = {"emergency": VERIFIED + FALSE_ALARMS, "non_emergency": 2196, None: 156}
INVALID_MIX = {"prank": 420, "silent": 480, "hang_up": 180, "non_emergency": 92, None: 50}
REPEATERS = tuple(range(11_000_000, 11_000_000 + 40 * 7919, 7919))  # 40 numbers
EDGE_IN = (datetime(2025, 6, 9, 16, 0, tzinfo=UTC),  # 10 June 00:00:00 WITA
           datetime(2025, 6, 30, 23, 59, 59, tzinfo=WITA))
EDGE_OUT = (datetime(2025, 6, 9, 23, 59, 59, tzinfo=WITA), datetime(2025, 7, 1, tzinfo=WITA))


@dataclass
class Seed:
    calls: int = 0
    dispositions: Counter[str | None] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    kecamatan: Counter[str] = field(default_factory=Counter)
    answer_seconds: list[float] = field(default_factory=list)


def _ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def seed_kendari(engine: Engine, center: CenterConfig, *, seed: int = 112) -> Seed:
    rng = random.Random(seed)
    span = (LAST + timedelta(days=1) - FIRST).total_seconds()
    arrivals = sorted(_ms(FIRST + timedelta(seconds=rng.uniform(1, span - 2)))
                      for _ in range(TOTAL - len(EDGE_IN)))
    kinds = (["abandoned"] * (ABANDONED - INTERRUPTED) + ["interrupted"] * INTERRUPTED
             + [("valid", d) for d, n in VALID_MIX.items() for _ in range(n)]
             + [("invalid", d) for d, n in INVALID_MIX.items() for _ in range(n)])
    assert len(kinds) == TOTAL
    rng.shuffle(kinds)
    # The edge calls in the period: the first answered and valid, the last abandoned.
    first_valid = next(i for i, k in enumerate(kinds) if k == ("valid", "non_emergency"))
    last_abandoned = next(i for i, k in enumerate(kinds) if k == "abandoned")
    edge_kinds = [kinds.pop(max(first_valid, last_abandoned)),
                  kinds.pop(min(first_valid, last_abandoned))]
    if edge_kinds[0] == "abandoned":
        edge_kinds.reverse()
    plan = [(EDGE_IN[0].astimezone(UTC), edge_kinds[0])]
    plan += list(zip((a.astimezone(UTC) for a in arrivals), kinds, strict=True))
    plan += [(EDGE_IN[1].astimezone(UTC), edge_kinds[1])]
    plan += [(EDGE_OUT[0].astimezone(UTC), "abandoned"),
             (EDGE_OUT[1].astimezone(UTC), ("valid", "non_emergency"))]

    result = Seed()
    call_rows, emergency_calls = [], []
    # Exactly 10 s of talk is invalid; 10.001 s is valid.
    invalid_edge, valid_edge = iter([10.0]), iter([10.001])
    for index, (received, kind) in enumerate(plan):
        inside = index < TOTAL
        nuisance = kind in ("abandoned",) or kind[1] in ("prank", "silent", "hang_up")
        if nuisance and rng.random() < 0.3:  # a few numbers call again and again
            caller = f"0813{REPEATERS[rng.randrange(len(REPEATERS))]:08d}"
        else:
            caller = f"0812{rng.randrange(10**8):08d}"
        row = _call(rng, received, caller)
        if kind in ("abandoned", "interrupted"):
            end = received + timedelta(milliseconds=rng.randrange(1000, 90_000))
            row.update(state=kind, **{f"{kind}_at": end})
        else:
            validity, disposition = kind
            wait = timedelta(milliseconds=min(120_000, int(rng.expovariate(1 / 8000))))
            connected = received + wait
            if validity == "valid":
                talk = 10.5 + rng.lognormvariate(4.0, 0.6)
            elif disposition in ("prank", "silent", "hang_up"):
                talk = rng.uniform(0.5, 40.0)
            else:
                talk = next(invalid_edge, None) or rng.uniform(0.5, 10.0)
            if validity == "valid" and disposition is None:
                talk = next(valid_edge, None) or talk
            row.update(state="released", offered_at=connected, connected_at=connected,
                       released_at=connected + timedelta(milliseconds=round(talk * 1000)),
                       offer_count=1, disposition=disposition, call_taker="operator1",
                       position_code="pos1")
            if inside:
                result.answer_seconds.append(wait.total_seconds())
                result.dispositions[disposition] += 1
            if disposition == "emergency" and inside:
                emergency_calls.append(row)
        if inside:
            result.calls += 1
        call_rows.append(row)
    incident_rows = _incidents(rng, emergency_calls, center, result)
    with engine.begin() as conn:
        insert_rows(conn, tables.incidents, incident_rows)
        insert_rows(conn, tables.calls, call_rows)
    return result


def _call(rng: random.Random, received: datetime, caller: str) -> dict[str, object]:
    return {
        "id": uuid.UUID(int=rng.getrandbits(128)), "channel": "voice", "caller_raw": caller,
        "caller_number": "+62" + caller[1:], "external_id": None, "received_at": received,
        "screening_at": None, "queued_at": received, "offered_at": None, "connected_at": None,
        "released_at": None, "abandoned_at": None, "interrupted_at": None, "offer_count": 0,
        "position_code": None, "call_taker": None, "disposition": None, "incident_id": None,
        "version": 1,
    }


def _incidents(rng: random.Random, emergency_calls: list[dict[str, object]],
               center: CenterConfig, result: Seed) -> list[dict[str, object]]:
    types = [t for t, n in TYPES.items() for _ in range(n)] + ["other"] * FALSE_ALARMS
    rng.shuffle(types)
    places = center.gazetteer.kelurahan
    rows = []
    for number, (call, type_code) in enumerate(zip(emergency_calls, types, strict=True), 1):
        real = number > FALSE_ALARMS
        place = rng.choice(places)
        created = call["connected_at"] + timedelta(seconds=rng.randrange(30, 120))  # type: ignore[operator]
        verified = created + timedelta(seconds=rng.randrange(20, 300))
        dispatched = verified + timedelta(seconds=rng.randrange(30, 180))
        on_scene = dispatched + timedelta(seconds=rng.randrange(300, 1500))
        resolved = on_scene + timedelta(seconds=rng.randrange(600, 3600))
        incident_id = uuid.UUID(int=rng.getrandbits(128))
        call["incident_id"] = incident_id
        rows.append({
            "id": incident_id, "number": f"KDI-2025-{number:06d}", "type_code": type_code,
            "subtype_code": None, "priority": "P2",
            "status": "resolved" if real else "false_alarm",
            "location_lat": place.lat, "location_lon": place.lon, "address": None,
            "kelurahan": place.code, "kecamatan": place.kecamatan,
            "description": "seeded", "created_at": created, "created_by": "operator1",
            "verified_at": verified if real else None, "verified_by": "operator1" if real else None,
            "verification_method": "caller_confirmed" if real else None,
            "dispatched_at": dispatched if real else None, "on_scene_at": on_scene if real else None,
            "resolved_at": resolved if real else None, "closed_at": None,
            "cancelled_at": None if real else verified, "version": 1,
        })
        if real:
            result.types[type_code] += 1
            result.kecamatan[place.kecamatan] += 1
    return rows

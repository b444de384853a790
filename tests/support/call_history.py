"""A generated call history with the composition of Kendari's first 20 days, as calls-table rows.

Kendari, 10-29 June 2025: 5,982 calls; 2,238 abandoned in the queue; 3,744 answered, of which
1,222 invalid (prank, silent, instant hang-up, or no more than 10 s of talk). Times of day
follow a daytime-and-evening profile; everything else is drawn from a fixed seed, so the
history (and the staffing computed from it) is the same on every run and every database.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db.tables import calls

WITA = ZoneInfo("Asia/Makassar")
FIRST_DAY = datetime(2025, 6, 10, tzinfo=WITA)
DAYS, OFFERED, ABANDONED, INVALID = 20, 5982, 2238, 1222
ANSWERED = OFFERED - ABANDONED
# Relative calls by hour of day (WITA): quiet before dawn, busiest in the evening.
HOURLY = (2.0, 1.5, 1.0, 0.8, 0.8, 1.0, 1.5, 2.5, 3.5, 4.0, 4.2, 4.5,
          4.5, 4.5, 4.8, 5.0, 5.2, 5.5, 6.0, 6.5, 6.0, 5.0, 4.0, 3.0)


def kendari_rows(*, seed: int = 112) -> list[dict[str, object]]:
    rng = random.Random(seed)
    hours = rng.choices(range(24), weights=HOURLY, k=OFFERED)
    arrivals = sorted(
        FIRST_DAY + timedelta(days=rng.randrange(DAYS), hours=hour, seconds=rng.uniform(0, 3600))
        for hour in hours)
    abandoned = set(rng.sample(range(OFFERED), ABANDONED))
    answered = [i for i in range(OFFERED) if i not in abandoned]
    invalid = set(rng.sample(answered, INVALID))
    rows = []
    for i, local in enumerate(arrivals):
        received = local.astimezone(UTC)
        row: dict[str, object] = {
            "id": uuid.UUID(int=rng.getrandbits(128)), "channel": "voice",
            "caller_raw": f"0812{rng.randrange(10**8):08d}", "received_at": received,
            "queued_at": received, "offer_count": 0, "version": 1,
            "caller_number": None, "connected_at": None, "released_at": None,
            "abandoned_at": None, "offered_at": None, "disposition": None, "call_taker": None,
        }
        if i in abandoned:
            row.update(state="abandoned",
                       abandoned_at=received + timedelta(seconds=1 + rng.expovariate(1 / 25)))
        else:
            connected = received + timedelta(seconds=min(120.0, rng.expovariate(1 / 8)))
            if i in invalid:
                disposition = rng.choices(["silent", "prank", "hang_up", None],
                                          weights=[40, 30, 20, 10])[0]
                talk = rng.uniform(1, 10) if disposition != "prank" else rng.uniform(5, 45)
            else:
                disposition = rng.choices(["emergency", "non_emergency"], weights=[7, 93])[0]
                talk = 10.5 + rng.lognormvariate(4.2, 0.6)
            row.update(state="released", offered_at=connected, connected_at=connected,
                       offer_count=1, released_at=connected + timedelta(seconds=talk),
                       disposition=disposition, call_taker="operator1")
        rows.append(row)
    return rows


def insert_rows(engine: Engine, rows: list[dict[str, object]]) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(calls), rows)

"""Silent-call screening (issue 9): what do genuine callers gain, and what does it cost them?

The same call plan (same seed) goes through the SIP node twice in one run: screening off
(the baseline), then on. Both runs: rtpengine relaying and recording, a fresh SQLite
database, Kendari's center with N positions whose phones are sipp UASes that answer at once
and hang up after a fixed handling time (wrap-up 0), logged in and set ready through the
command bus as the API does.

Callers are sipp processes, one a call, started at the plan's Poisson arrival times, from
one scenario template (bench/scenarios/screening_caller.xml) filled in per (kind, patience):
- genuine: says an Indonesian sentence (espeak-ng, sox, A-law RTP);
- prank: speaks too (screening cannot and should not catch them);
- silent: an open line (pocket dial): sends silence frames only, and stays `--silent-stays`
  seconds (their "patience");
- hang-up: hangs up 1-3 s after dialling (or as long after an answer, if answered sooner).
Every call a person answers takes the same handling time, whatever its kind.
Kendari's mix (about a third of answered calls invalid) and the patience classes are
declared in the JSON. A caller hangs up (CANCEL) when not answered within their patience.
With screening on the system answers at once, so a caller can tell that a person picked up
only by hearing them, which sipp cannot: when a caller's patience ends, the bench looks at
the calls table and, if no person has answered, tells the caller (an INFO in its dialog),
who hangs up (BYE), as the same caller does with screening off (CANCEL). With
--callers-stay they instead wait for the BYE for patience + handling time: the lead's first
design, conservative against screening (a call answered between patience and patience +
handling time still takes a call-taker's time). In BOTH runs a genuine call counts as
abandoned when no person answered within its patience (server side: connected_at -
received_at > patience, or never connected), and as answered within 15 s only when
answered within both 15 s and its patience.

Cost, checked from the calls table and the event log (see COST_CHECK): genuine calls
released by screening (`released:silent`) and genuine calls delayed by it must be 0.
Prints one JSON object on its last line.

    python bench/screening.py                       # 2 positions, 36 calls at 8/min, ~9 min
    python bench/screening.py --calls 8 --rate 90 --positions 1 --handling-seconds 3 \\
        --patience 3:0.5,6:0.5 --silent-stays 16 --listen-seconds 1 --response-seconds 3
                                                    # tests/bench/test_screening_bench.py, ~35 s
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # rtpengine and audio helpers live with the tests that use them

import sqlalchemy as sa  # noqa: E402
from scratch_db import scratch_database  # noqa: E402

from siaga112.adapters.db import tables  # noqa: E402
from siaga112.adapters.db.engine import create_db_engine  # noqa: E402
from siaga112.adapters.media.announcements import ensure_announcements  # noqa: E402
from siaga112.bootstrap import bootstrap  # noqa: E402
from siaga112.config import CENTERS_DIR, Settings, load_center  # noqa: E402
from siaga112.config_media import MediaConfig  # noqa: E402
from siaga112.config_screening import ScreeningConfig  # noqa: E402
from siaga112.entrypoints.sip import start_telephony  # noqa: E402
from siaga112.services import commands as c  # noqa: E402
from siaga112.services.batching import GroupCommitter  # noqa: E402
from tests.support.audio import rtp_pcap, speech_alaw  # noqa: E402
from tests.support.rtpengine import running_rtpengine  # noqa: E402

CALLER_TEMPLATE = Path(__file__).parent / "scenarios" / "screening_caller.xml"
PHONE = ROOT / "tests" / "sip" / "scenarios" / "phone_hangs_up.xml"

# Kendari's mix: of answered calls about a third are not emergencies (prank, silent, hang-up).
MIX = {"genuine": 0.62, "prank": 0.10, "silent": 0.20, "hang_up": 0.08}
KIND_DIGIT = {"genuine": 1, "prank": 2, "silent": 3, "hang_up": 4}  # in the caller's number
HANG_UP_AFTER = (1, 2, 3)  # seconds, equally likely
GENUINE_TEXTS = ("Tolong, rumah saya terbakar di Jalan Saranani",
                 "Ada kecelakaan motor di depan pasar, orangnya tidak sadar",
                 "Ibu saya pingsan dan tidak bernapas, tolong kirim ambulans")
PRANK_TEXT = "Halo halo, ini cuma bercanda, selamat malam"
LIVE = ("received", "screening", "queued", "offered", "connected")
IDLE_TOLERANCE_S = 1.0  # a call is stored, then queued: a commit's time
COST_CHECK = (
    "genuine_released_by_screening: genuine calls whose event log has `released:silent`. "
    "genuine_delayed_by_screening: genuine calls that (a) were overtaken: a call that "
    "arrived after them was offered to a position while they still waited (received, not "
    "yet offered nor ended), which first come first served never does, so only screening's "
    "reordering can; or (b) waited while a position stood free (no call offered to it, "
    f"wrap-up 0) for more than {IDLE_TOLERANCE_S} s. Offers, their positions and ends come "
    "from the event log (CallStateChanged) and the calls table; the same check runs on the "
    "off run as a control.")


@dataclass(frozen=True)
class PlannedCall:
    seq: int
    at_s: float  # after the run's start
    kind: str
    wait_s: float  # patience; silent: how long the open line stays; hang-up: when

    @property
    def number(self) -> str:
        return f"+62811{KIND_DIGIT[self.kind]}{self.seq:06d}"


def parse_weights(text: str) -> dict[float, float]:
    pairs = [p.split(":") for p in text.split(",") if p]
    weights = {float(k): float(v) for k, v in pairs}
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items()}


def plan_calls(calls: int, rate_per_min: float, patience: dict[float, float],
               silent_stays: float, seed: int) -> list[PlannedCall]:
    """Poisson arrivals; the kinds in MIX's exact shares (largest remainders), shuffled, so
    that even a small run has Kendari's mix."""
    rng = random.Random(seed)
    quotas = {k: int(calls * w) for k, w in MIX.items()}
    for k in sorted(MIX, key=lambda k: calls * MIX[k] - quotas[k],
                    reverse=True)[:calls - sum(quotas.values())]:
        quotas[k] += 1
    kinds = [k for k, n in quotas.items() for _ in range(n)]
    rng.shuffle(kinds)
    classes, class_w = list(patience), list(patience.values())
    plan, at = [], 0.0
    for seq, kind in enumerate(kinds, start=1):
        if kind == "silent":
            wait = silent_stays
        elif kind == "hang_up":
            wait = float(rng.choice(HANG_UP_AFTER))
        else:
            wait = rng.choices(classes, class_w)[0]
        plan.append(PlannedCall(seq, round(at, 3), kind, wait))
        at += rng.expovariate(rate_per_min / 60.0)
    return plan


# -- media and scenarios -------------------------------------------------------------------
_media_ports = iter(range(50000, 60000, 4))


def media_port() -> int:
    """sipp binds its RTP port and the next ones (RTCP, video): four free ones, its own."""
    for port in _media_ports:
        try:
            for p in range(port, port + 4):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError("no free media ports left")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_audio(workdir: Path, silence_s: float) -> dict[str, list[str]]:
    """The pcap files callers play, by kind (file names in the working folder)."""
    audio: dict[str, list[str]] = {"genuine": [], "prank": []}
    for kind, texts in (("genuine", GENUINE_TEXTS), ("prank", (PRANK_TEXT,))):
        for n, text in enumerate(texts):
            folder = workdir / f"speech_{kind}_{n}"
            folder.mkdir()
            rtp_pcap(speech_alaw(text, folder), workdir / f"{kind}_{n}.pcap")
            audio[kind].append(f"{kind}_{n}.pcap")
    rtp_pcap(b"\xd5" * 160 * int(50 * silence_s), workdir / "silence.pcap")
    audio["silent"] = audio["hang_up"] = ["silence.pcap"]
    return audio


def scenario_for(call: PlannedCall, handling_s: float, audio: dict[str, list[str]],
                 workdir: Path) -> Path:
    sounds = audio[call.kind]
    sound = sounds[call.seq % len(sounds)]
    bye_wait = call.wait_s if call.kind == "hang_up" else call.wait_s + handling_s
    path = workdir / f"caller_{call.kind}_{int(call.wait_s * 1000)}_{Path(sound).stem}.xml"
    if not path.exists():
        path.write_text(CALLER_TEMPLATE.read_text()
                        .replace("@PATIENCE_MS@", str(int(call.wait_s * 1000)))
                        .replace("@BYE_WAIT_MS@", str(int(bye_wait * 1000)))
                        .replace("@AUDIO@", sound))
    return path


# -- one run ---------------------------------------------------------------------------
def center_for(args: argparse.Namespace, screening: bool, phone_ports: list[int],
               relay: Any, workdir: Path, announcements: Path) -> Any:
    kendari = load_center(CENTERS_DIR / "kendari.toml")
    desks = [p.model_copy(update={"sip_uri": f"sip:{p.code}@127.0.0.1:{port}"})
             for p, port in zip(kendari.positions, phone_ports)]
    return kendari.model_copy(update={
        "positions": desks,
        "thresholds": kendari.thresholds.model_copy(update={"ring_timeout_seconds": 5}),
        "telephony": kendari.telephony.model_copy(update={"wrap_up_seconds": 0}),
        "media": MediaConfig(relay="rtpengine", rtpengine_ng=relay.ng,
                             spool_dir=str(relay.spool),
                             recordings_dir=str(workdir / "recordings"),
                             collect_interval_seconds=1.0),
        "screening": ScreeningConfig(silent_calls=screening,
                                     listen_seconds=args.listen_seconds,
                                     response_seconds=args.response_seconds,
                                     announcements_dir=str(announcements))})


def start_phones(count: int, handling_s: float, workdir: Path
                 ) -> tuple[list[int], list[subprocess.Popen[bytes]]]:
    ports, procs = [], []
    for _ in range(count):
        port = free_port()
        procs.append(subprocess.Popen(
            ["sipp", "-sf", str(PHONE), "-i", "127.0.0.1", "-p", str(port),
             "-mp", str(media_port()), "-m", "100000", "-d", str(int(handling_s * 1000)),
             "-nostdin"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir))
        ports.append(port)
    return ports, procs


def place_calls(plan: list[PlannedCall], port: int, args: argparse.Namespace,
                audio: dict[str, list[str]], workdir: Path, tag: str,
                patience_ends: Any) -> dict[str, int]:
    """Start each caller at its time; at the end of its patience, `patience_ends(call, pid,
    sip_port)` (None: callers watch their own patience); wait for every caller. Returns
    sipp's failed calls by kind."""
    procs: dict[int, tuple[PlannedCall, subprocess.Popen[bytes], int]] = {}
    by_seq = {call.seq: call for call in plan}
    due = [(call.at_s, 0, call.seq) for call in plan]  # (when, 0 start / 1 patience, call)
    heapq.heapify(due)
    started = time.monotonic()
    while due:
        at, step, seq = heapq.heappop(due)
        call = by_seq[seq]
        caller = procs[seq][1] if step == 1 else None
        # a caller whose call ended before its patience did needs no word, nor a wait
        while time.monotonic() < started + at and (caller is None or caller.poll() is None):
            time.sleep(min(0.05, max(0.0, started + at - time.monotonic())))
        if caller is not None:
            if caller.poll() is None:
                patience_ends(call, caller.pid, procs[seq][2])
            continue
        scenario = scenario_for(call, args.handling_seconds, audio, workdir)
        sip_port = free_port()
        limit = 2 * call.wait_s + args.handling_seconds + 30
        procs[seq] = (call, subprocess.Popen(
            ["sipp", f"127.0.0.1:{port}", "-sf", str(scenario), "-key", "caller", call.number,
             "-i", "127.0.0.1", "-p", str(sip_port), "-mp", str(media_port()), "-m", "1",
             "-nostdin", "-timeout", f"{int(limit)}s", "-trace_err",
             "-error_file", str(workdir / f"{tag}_{call.seq}_errors.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir), sip_port)
        if patience_ends is not None and call.kind != "hang_up":  # hang-ups leave by themselves
            heapq.heappush(due, (time.monotonic() - started + call.wait_s, 1, seq))
    failed: dict[str, int] = {}
    for call, proc, _port in procs.values():
        try:
            code = proc.wait(2 * call.wait_s + args.handling_seconds + 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait(10)
        if code != 0:
            failed[call.kind] = failed.get(call.kind, 0) + 1
    print(f"{tag}: the last caller ended {time.monotonic() - started:.1f} s after the first "
          "started", file=sys.stderr)
    return failed


class PatienceWatch:
    """With screening on the system answers at once: a caller cannot see when a person picks
    up, only hear it. When a caller's patience ends, the bench looks at the node's calls
    table, and if no person has answered the call, tells the caller (an INFO with its Call-ID,
    scenarios/screening_caller.xml), who hangs up: as they would, having heard nobody."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.told = 0

    def __call__(self, call: PlannedCall, pid: int, sip_port: int) -> None:
        t = tables.calls.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.state, t.connected_at)
                               .where(t.caller_number == call.number)).first()
        if row is None or row.connected_at is not None or row.state not in LIVE:
            return
        self.told += 1
        here = self.sock.getsockname()[1]
        self.sock.sendto((  # sipp's Call-ID: call number - pid @ local address
            f"INFO sip:caller@127.0.0.1:{sip_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{here};branch=z9hG4bKbench{call.seq}\r\n"
            f"From: <sip:bench@127.0.0.1:{here}>;tag=bench{call.seq}\r\n"
            f"To: <sip:caller@127.0.0.1:{sip_port}>\r\n"
            f"Call-ID: 1-{pid}@127.0.0.1\r\nCSeq: 1 INFO\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", sip_port))

    def close(self) -> None:
        self.sock.close()


def wait_until_settled(engine: Any, count: int, seconds: float = 30) -> None:
    """Every call stored and ended (the writer commits a moment after sipp ends)."""
    deadline = time.monotonic() + seconds
    t = tables.calls.c
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            stored = conn.scalar(sa.select(sa.func.count()).select_from(tables.calls))
            live = conn.scalar(sa.select(sa.func.count()).where(t.state.in_(LIVE)))
        if stored >= count and not live:
            return
        time.sleep(0.2)


def run_once(args: argparse.Namespace, plan: list[PlannedCall], screening: bool,
             relay: Any, workdir: Path, audio: dict[str, list[str]],
             announcements: Path) -> dict[str, Any]:
    tag = "on" if screening else "off"
    phone_ports, phones = start_phones(args.positions, args.handling_seconds, workdir)
    center = center_for(args, screening, phone_ports, relay, workdir, announcements)
    url, drop = scratch_database("sqlite", workdir, f"screening_{tag}.sqlite3")
    engine = create_db_engine(url)
    siaga = bootstrap(Settings(database_url=url, env="test", data_dir=workdir), center=center,
                      engine=engine)
    telephony = start_telephony(siaga, host="127.0.0.1", port=0)
    try:
        for desk in center.positions:
            siaga.bus.handle(c.LogInPosition(position_code=desk.code, operator=f"op-{desk.code}"))
            siaga.bus.handle(c.SetPositionReady(position_code=desk.code))
        t0 = time.monotonic()
        watch = PatienceWatch(engine) if screening and not args.callers_stay else None
        sipp_failed = place_calls(plan, telephony.node.port, args, audio, workdir, tag, watch)
        told = watch.told if watch is not None else None
        if watch is not None:
            watch.close()
        wait_until_settled(engine, len(plan))
        print(f"{tag}: settled {time.monotonic() - t0:.1f} s", file=sys.stderr)
        elapsed = time.monotonic() - t0
        silent = telephony.switchboard.silent
        counts = dict(silent.counts) if silent is not None else None
        tap = telephony.node.tap
        result = measure(engine, siaga.center, plan, args)
        result.update({"screening": screening, "elapsed_s": round(elapsed, 1),
                       "callers_told_nobody_answered": told,
                       "sipp_calls_failed_by_kind": sipp_failed, "screening_counts": counts,
                       "tap": dict(tap.stats) if tap is not None else None})
    finally:
        telephony.stop()
        for phone in phones:
            phone.terminate()
            phone.wait(10)
        GroupCommitter.wait_all_idle(10)
        if siaga.notifier is not None:
            siaga.notifier.close()
        engine.dispose()
        drop()
    return result


# -- figures ---------------------------------------------------------------------------
@dataclass
class Seen:
    """One stored call, as the database tells it."""

    call: PlannedCall
    received: datetime
    connected: datetime | None
    ended: datetime | None
    first_offer: datetime | None
    offers: list[tuple[datetime, str]]  # (when, position)
    reasons: list[str]

    def seconds(self, later: datetime | None) -> float | None:
        return None if later is None else (later - self.received).total_seconds()

    @property
    def answer_s(self) -> float | None:
        return self.seconds(self.connected)

    @property
    def left_line(self) -> datetime | None:
        """When it stopped waiting: offered, or ended without an offer."""
        return self.first_offer or self.ended

    @property
    def offered_while_screening(self) -> bool:
        return "queued:screening_offered" in self.reasons


def load_calls(engine: Any, plan: list[PlannedCall]) -> tuple[list[Seen], int]:
    by_number = {call.number: call for call in plan}
    t, e = tables.calls.c, tables.event_log.c
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(t.id, t.caller_number, t.received_at,
                                           t.connected_at, t.released_at, t.abandoned_at,
                                           t.interrupted_at)))
        events = list(conn.execute(
            sa.select(e.aggregate_id, e.after, e.reason, e.occurred_at, e.data)
            .where(e.aggregate == "call",
                   e.event_type.in_(["CallReceived", "CallStateChanged"])).order_by(e.id)))
    history: dict[str, list[Any]] = {}
    for ev in events:
        history.setdefault(ev.aggregate_id, []).append(ev)
    seen = []
    for row in rows:
        call = by_number.get(row.caller_number)
        if call is None:
            continue
        steps = history.get(str(row.id), [])
        offers = [(ev.occurred_at, (ev.data or {}).get("position", "?")) for ev in steps
                  if ev.after == "offered"]
        ended = row.released_at or row.abandoned_at or row.interrupted_at
        seen.append(Seen(call, row.received_at, row.connected_at, ended,
                         offers[0][0] if offers else None, offers,
                         [f"{ev.after}:{ev.reason}" if ev.reason else ev.after
                          for ev in steps]))
    return seen, len(rows)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def p90(values: list[float]) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 1) if ordered else None


def outcomes(calls: list[Seen]) -> dict[str, int]:
    """How screening ended for these calls: the step after `screening` in the event log
    (`queued:screening_speech`, `..._digits`, `..._offered`, `released:silent`, or the
    caller leaving first); nothing with screening off."""
    found: dict[str, int] = {}
    for s in calls:
        if "screening" in s.reasons[:-1]:
            step = s.reasons[s.reasons.index("screening") + 1]
            found[step] = found.get(step, 0) + 1
    return found


def talk_minutes(calls: list[Seen]) -> float:
    return round(sum((s.ended - s.connected).total_seconds() for s in calls
                     if s.connected is not None and s.ended is not None) / 60, 2)


def delayed_genuine(seen: list[Seen], positions: list[str]) -> dict[str, Any]:
    """COST_CHECK's (a) and (b), for each genuine call."""
    offers = sorted((at, pos, s) for s in seen for at, pos in s.offers)
    overtaken, by_unscreened, idle_waits = set(), set(), set()
    busy: dict[str, list[tuple[datetime, datetime]]] = {p: [] for p in positions}
    for at, pos, s in offers:
        # busy from the offer to the call's end, or to its next offer elsewhere
        later = [o for o, _ in s.offers if o > at]
        until = min([*later, s.ended]) if s.ended is not None else (later[0] if later else at)
        busy.setdefault(pos, []).append((at, until))
    for g in (s for s in seen if s.call.kind == "genuine"):
        gone = g.left_line
        if gone is None:
            continue
        for at, _pos, other in offers:
            if other is not g and g.received < at < gone and other.received > g.received:
                overtaken.add(g.call.seq)
                if other.offered_while_screening:
                    by_unscreened.add(g.call.seq)
        for intervals in busy.values():
            free_from = g.received
            for start, end in sorted(intervals) + [(gone, gone)]:
                idle = (min(start, gone) - max(free_from, g.received)).total_seconds()
                if idle > IDLE_TOLERANCE_S:
                    idle_waits.add(g.call.seq)
                free_from = max(free_from, end)
                if free_from >= gone:
                    break
    return {"count": len(overtaken | idle_waits), "overtaken_by_a_later_call": len(overtaken),
            "of_which_by_a_call_still_being_screened": len(by_unscreened),
            "waited_while_a_position_was_free": len(idle_waits)}


def measure(engine: Any, center: Any, plan: list[PlannedCall],
            args: argparse.Namespace) -> dict[str, Any]:
    seen, stored = load_calls(engine, plan)
    kinds = {k: [s for s in seen if s.call.kind == k] for k in MIX}
    genuine = kinds["genuine"]
    level = center.thresholds.service_level_seconds[0]
    served = [s.answer_s for s in genuine
              if s.answer_s is not None and s.answer_s <= s.call.wait_s]
    abandoned = len(genuine) - len(served)
    # answered by a person within the level AND before the caller's patience ran out (with
    # screening on, a caller still on the line after it counts as abandoned, as above)
    within = [s for s in genuine if s.answer_s is not None
              and s.answer_s <= min(level, s.call.wait_s)]
    released_silent = {k: sum("released:silent" in s.reasons for s in v)
                       for k, v in kinds.items()}
    reached = {k: sum(s.connected is not None for s in v) for k, v in kinds.items()}
    delayed = delayed_genuine(seen, [p.code for p in center.positions])
    return {
        "calls": {"sent": len(plan), "stored": stored, "matched_to_plan": len(seen),
                  "stored_equals_sent": stored == len(plan) == len(seen)},
        "genuine": {
            "calls": len(genuine),
            f"answered_within_{level}s": share(len(within), len(genuine)),
            "abandoned": share(abandoned, len(genuine)),
            "answered_after_patience": sum(1 for s in genuine if s.answer_s is not None
                                           and s.answer_s > s.call.wait_s),
            "answer_s": {"mean": round(statistics.fmean(served), 1) if served else None,
                         "p90": p90(served), "answered_within_patience": len(served)}},
        "silent": {"calls": len(kinds["silent"]),
                   "released_by_screening": released_silent["silent"],
                   "reached_call_taker": reached["silent"]},
        "prank": {"calls": len(kinds["prank"]), "reached_call_taker": reached["prank"]},
        "hang_up": {"calls": len(kinds["hang_up"]), "reached_call_taker": reached["hang_up"]},
        "call_taker_minutes": {
            "genuine": talk_minutes(genuine),
            "non_genuine": talk_minutes([s for k in ("prank", "silent", "hang_up")
                                         for s in kinds[k]])},
        "screening_outcome_by_kind": {k: outcomes(v) for k, v in kinds.items()},
        "released_silent_all_kinds": sum(released_silent.values()),
        "report_screened_out": report_screened_out(engine, center, seen),
        "cost": {"genuine_released_by_screening": released_silent["genuine"],
                 "genuine_delayed_by_screening": delayed["count"],
                 "delayed_detail": delayed}}


def report_screened_out(engine: Any, center: Any, seen: list[Seen]) -> int | None:
    """The supervisor's report for the run's days: its `screened_out` figure."""
    from siaga112.reports.period import Period
    from siaga112.reports.report import build_report

    if not seen:
        return None
    days = sorted({s.received.astimezone(center.zone).date() for s in seen})
    report = build_report(engine=engine, center=center,
                          period=Period.parse(days[0], days[-1], center.zone))
    return int(report["screened_out"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=36)
    parser.add_argument("--rate", type=float, default=8.0, help="calls a minute (Poisson)")
    parser.add_argument("--positions", type=int, default=2)
    parser.add_argument("--handling-seconds", type=float, default=20.0)
    parser.add_argument("--patience", default="10:0.2,20:0.3,40:0.3,60:0.2",
                        help="seconds:weight,... for genuine and prank callers")
    parser.add_argument("--silent-stays", type=float, default=60.0,
                        help="seconds an open (silent) line stays unless released")
    parser.add_argument("--listen-seconds", type=float, default=4.0)
    parser.add_argument("--response-seconds", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=112)
    parser.add_argument("--callers-stay", action="store_true",
                        help="screening on: callers wait patience + handling time for the "
                        "BYE instead of leaving when their patience ends unanswered")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (sipp's "
                        "error logs, scenarios, audio, the two databases)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    patience = parse_weights(args.patience)
    plan = plan_calls(args.calls, args.rate, patience, args.silent_stays, args.seed)
    result: dict[str, Any] = {
        "benchmark": "screening", "calls": args.calls, "rate_per_min": args.rate,
        "seed": args.seed, "positions": args.positions,
        "handling_seconds": args.handling_seconds, "wrap_up_seconds": 0,
        "listen_seconds": args.listen_seconds, "response_seconds": args.response_seconds,
        "mix": MIX, "patience_classes": {str(k): round(v, 3) for k, v in patience.items()},
        "silent_stays_seconds": args.silent_stays, "hang_up_after_seconds": HANG_UP_AFTER,
        "planned_by_kind": {k: sum(p.kind == k for p in plan) for k in MIX},
        # this seed's draw: the Poisson rate realised over the arrival window
        "arrivals": {"window_s": plan[-1].at_s, "per_min": round(
            (len(plan) - 1) * 60 / plan[-1].at_s, 2) if plan[-1].at_s else None},
        "abandoned_means": "no person answered within the caller's patience (server side, "
                           "connected_at - received_at), in both runs",
        "on_callers_leave": (
            "after patience + handling time, if no phone hung up on them first (--callers-stay"
            "): a call answered between patience and that still takes a call-taker's time, "
            "which loads the on run more than life: conservative" if args.callers_stay else
            "at the end of their patience when no person has answered yet (the bench sees the "
            "calls table and tells the caller, who in life would hear nobody), as off"),
        "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="siaga112-screening-") as tmp:
        workdir = Path(tmp) if args.keep is None else args.keep.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        announcements = workdir / "announcements"
        ensure_announcements(announcements)
        audio = make_audio(workdir, args.silent_stays + args.handling_seconds + 5)
        with running_rtpengine(workdir / "rtpengine") as relay:
            off = run_once(args, plan, False, relay, workdir, audio, announcements)
            on = run_once(args, plan, True, relay, workdir, audio, announcements)
    level = next(k for k in on["genuine"] if k.startswith("answered_within_"))
    result.update({
        "off": off, "on": on,
        "genuine_gain": {
            level: {"off": off["genuine"][level], "on": on["genuine"][level]},
            "abandoned": {"off": off["genuine"]["abandoned"], "on": on["genuine"]["abandoned"]},
            "call_taker_minutes_on_non_genuine": {
                "off": off["call_taker_minutes"]["non_genuine"],
                "on": on["call_taker_minutes"]["non_genuine"]}},
        "cost": {"genuine_released_by_screening": on["cost"]["genuine_released_by_screening"],
                 "genuine_delayed_by_screening": on["cost"]["genuine_delayed_by_screening"],
                 "how_checked": COST_CHECK},
        "all_calls_stored": all(r["calls"]["stored_equals_sent"] for r in (off, on)),
        "load_after": os.getloadavg(), "elapsed_s": round(time.monotonic() - started, 1)})
    print(json.dumps(result, default=str))
    return 0 if result["all_calls_stored"] else 1


if __name__ == "__main__":
    sys.exit(main())

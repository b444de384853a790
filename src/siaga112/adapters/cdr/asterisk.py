"""Asterisk CDR CSV (`Master.csv` of cdr_csv): no header, one call leg per line.

Fields: accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata,
start, answer, end, duration, billsec, disposition, amaflags, uniqueid, userfield
(fields after userfield, written by newer Asterisk versions, are ignored).

- Answered by a call-taker: disposition ANSWERED and a `dstchannel` (the position's
  phone); answer time `answer`, end `end`. The position is the peer in `dstchannel`.
- Answered by the PBX alone (IVR, queue music; no `dstchannel`), NO ANSWER, BUSY:
  the caller hung up before a call-taker answered: abandoned in queue, at `end`.
- FAILED, CONGESTION: a fault ended the call: interrupted, at `end`.
- `userfield` may carry what the call was (emergency, prank, darurat, iseng...).
- Times are the center's local time unless another zone is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO
from zoneinfo import ZoneInfo

from siaga112.adapters.cdr import BadValue, disposition, moment, optional_moment, records
from siaga112.services.history import HistoricCall, Outcome, RowProblem

SOURCE = "asterisk"
FIELDS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
          "lastdata", "start", "answer", "end", "duration", "billsec", "disposition",
          "amaflags", "uniqueid", "userfield")
MIN_FIELDS = FIELDS.index("uniqueid") + 1
FAULTS = frozenset({"FAILED", "CONGESTION"})
NOT_ANSWERED = frozenset({"NO ANSWER", "BUSY"})


def read_asterisk(text: TextIO, *, zone: ZoneInfo) -> Iterator[HistoricCall | RowProblem]:
    for line, fields in records(text):
        if isinstance(fields, str):
            yield RowProblem(line, fields)
            continue
        if len(fields) < MIN_FIELDS:
            yield RowProblem(line, f"{len(fields)} fields; an Asterisk CDR line has "
                                   f"{len(FIELDS)} (at least {MIN_FIELDS}, up to uniqueid)")
            continue
        try:
            yield _call(line, dict(zip(FIELDS, fields, strict=False)), zone)
        except BadValue as exc:
            yield RowProblem(line, str(exc))


def _call(line: int, f: dict[str, str], zone: ZoneInfo) -> HistoricCall:
    uniqueid = f["uniqueid"].strip()
    if not uniqueid:
        raise BadValue("uniqueid is empty: the import needs it to recognise the call again")
    status = f["disposition"].strip().upper()
    start = moment(f["start"], zone, "start")
    answer = optional_moment(f["answer"], zone, "answer")
    end = moment(f["end"], zone, "end")
    for name in ("duration", "billsec"):
        if f[name].strip() and not f[name].strip().isdigit():
            raise BadValue(f"{name} '{f[name].strip()}' is not a whole number of seconds")
    person = f["dstchannel"].strip()
    if status == "ANSWERED" and person and answer is not None:
        return HistoricCall(line=line, external_id=f"{SOURCE}:{uniqueid}",
                            caller_raw=_caller(f), received_at=start, answered_at=answer,
                            ended_at=end, outcome=Outcome.ANSWERED,
                            disposition=disposition(f.get("userfield", "")),
                            position_code=_peer(person))
    if status in FAULTS:
        outcome = Outcome.INTERRUPTED
    elif status in NOT_ANSWERED or status == "ANSWERED":
        outcome = Outcome.ABANDONED
    else:
        raise BadValue(f"disposition '{f['disposition'].strip()}' is not one of ANSWERED, "
                       "NO ANSWER, BUSY, FAILED, CONGESTION")
    return HistoricCall(line=line, external_id=f"{SOURCE}:{uniqueid}", caller_raw=_caller(f),
                        received_at=start, answered_at=None, ended_at=end, outcome=outcome)


def _caller(f: dict[str, str]) -> str | None:
    """`src`, else the number inside `clid` (`"Name" <0812...>`)."""
    src = f["src"].strip()
    if src:
        return src
    clid = f["clid"].strip()
    if "<" in clid and clid.endswith(">"):
        return clid[clid.rindex("<") + 1:-1].strip() or None
    return clid or None


def _peer(channel: str) -> str:
    """`SIP/201-0000001a` -> `201`; `PJSIP/op1-00000002` -> `op1`."""
    name = channel.split("/", 1)[-1]
    return name.rsplit("-", 1)[0][:40] if "-" in name else name[:40]

"""The generic call-history CSV, for systems other than Asterisk (see docs/reports.md).

A header line, then one call per line:

    id,caller,received_at,answered_at,ended_at,outcome,disposition,position

- `id`: the source's unique id of the call (required; the import keys on it).
- `caller`: the caller's number as the network gave it (may be empty: withheld).
- `received_at`, `answered_at`, `ended_at`: ISO 8601; without an offset they are the
  center's local time. `answered_at` is empty for a call no call-taker answered.
- `outcome`: answered, abandoned, interrupted (a fault) or screened_out.
- `disposition` (optional): emergency, non_emergency, prank, silent, hang_up,
  wrong_number, test (or darurat, informasi, iseng, ghost, terputus).
- `position` (optional): the call-taker's position.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO
from zoneinfo import ZoneInfo

from siaga112.adapters.cdr import BadValue, disposition, moment, optional_moment, records
from siaga112.services.history import HistoricCall, Outcome, RowProblem

SOURCE = "csv"
REQUIRED = ("id", "caller", "received_at", "answered_at", "ended_at", "outcome")
OPTIONAL = ("disposition", "position")


def read_generic(text: TextIO, *, zone: ZoneInfo) -> Iterator[HistoricCall | RowProblem]:
    header: list[str] | None = None
    for line, fields in records(text):
        if isinstance(fields, str):
            yield RowProblem(line, fields)
            continue
        if header is None:
            header = [f.strip().lower() for f in fields]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                yield RowProblem(line, f"the header lacks {', '.join(missing)} "
                                       f"(expected: {','.join(REQUIRED + OPTIONAL)})")
                return
            continue
        if len(fields) != len(header):
            yield RowProblem(line, f"{len(fields)} fields; the header has {len(header)}")
            continue
        try:
            yield _call(line, dict(zip(header, fields, strict=True)), zone)
        except BadValue as exc:
            yield RowProblem(line, str(exc))


def _call(line: int, f: dict[str, str], zone: ZoneInfo) -> HistoricCall:
    ident = f["id"].strip()
    if not ident:
        raise BadValue("id is empty: the import needs it to recognise the call again")
    try:
        outcome = Outcome(f["outcome"].strip().lower())
    except ValueError:
        raise BadValue(f"outcome '{f['outcome'].strip()}' is not one of "
                       f"{', '.join(o.value for o in Outcome)}") from None
    return HistoricCall(
        line=line, external_id=f"{SOURCE}:{ident}", caller_raw=f["caller"].strip() or None,
        received_at=moment(f["received_at"], zone, "received_at"),
        answered_at=optional_moment(f["answered_at"], zone, "answered_at"),
        ended_at=moment(f["ended_at"], zone, "ended_at"), outcome=outcome,
        disposition=disposition(f.get("disposition", "")),
        position_code=(f.get("position", "").strip() or None))

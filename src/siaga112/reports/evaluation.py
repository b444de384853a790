"""The center's evaluation in the terms Kendari used for its first 20 days.

These keys are a stable contract (docs/reports.md): a key may be added, never renamed
or given another meaning.

- `total_calls`: every call received in the period (every attempt counts).
- `abandoned_in_queue`: the caller hung up before a call-taker answered, including
  calls a fault ended before an answer (`abandoned_by_fault` counts those apart).
- `answered`: a call-taker answered.
- `valid`: answered, talk time more than `valid_call_seconds` (default 10 s) and not
  disposed as prank, silent or hang-up. `invalid`: the other answered calls
  (`valid + invalid == answered`).
- `non_emergency`: answered calls disposed as non-emergency (information, questions).
- `emergencies_verified`: incidents opened in the period, verified and not cancelled
  nor found a false alarm; `by_agency` the same per agency (attribution.py).
- `screened_out`: calls that automatic screening ended before the queue.
- `still_waiting`: calls neither answered nor ended when the report ran.
`total_calls == answered + abandoned_in_queue + screened_out + still_waiting`.
"""

from __future__ import annotations

from typing import Any

from siaga112.domain.calls import Disposition
from siaga112.reports.call_counts import Counts

STABLE_KEYS = (
    "total_calls", "abandoned_in_queue", "abandoned_by_fault", "answered", "valid", "invalid",
    "non_emergency", "emergencies_verified", "by_agency", "screened_out", "still_waiting",
    "valid_call_seconds", "by_disposition",
)


def evaluation(*, totals: Counts, emergencies_verified: int, by_agency: dict[str, int],
               valid_call_seconds: float) -> dict[str, Any]:
    return {
        "total_calls": totals.calls,
        "abandoned_in_queue": totals.abandoned_in_queue,
        "abandoned_by_fault": totals.abandoned_by_fault,
        "answered": totals.answered,
        "valid": totals.valid,
        "invalid": totals.invalid,
        "non_emergency": totals.by_disposition[Disposition.NON_EMERGENCY.value],
        "emergencies_verified": emergencies_verified,
        "by_agency": by_agency,
        "screened_out": totals.screened_out,
        "still_waiting": totals.still_waiting,
        "valid_call_seconds": valid_call_seconds,
        "by_disposition": {**totals.by_disposition, "none": totals.undisposed},
    }

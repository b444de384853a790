"""The words of the reports' charts, spreadsheets and PDF, for the catalogues.

`pybabel extract` reads this file (babel.cfg), so these words are translated with the
pages' words (Indonesian first); `words(locale)` gives them in one language, keyed by
what the report code asks for. Placeholders are `{name}`, filled with str.format.
"""

from __future__ import annotations

from functools import lru_cache

from siaga112.entrypoints.web import i18n


def _(text: str) -> str:
    """Marks a word for extraction; translated later, in `words`."""
    return text


WORDS = {
    "report_title": _("Evaluation report"),
    "monthly_title": _("Monthly report"),
    "period": _("Period"),
    "generated": _("Generated"),
    "page": _("Page {page}"),
    "summary": _("Summary"),
    "total_calls": _("Total calls"),
    "abandoned_in_queue": _("Abandoned in queue"),
    "abandoned_by_fault": _("Of which ended by a fault"),
    "answered": _("Answered"),
    "valid": _("Valid"),
    "invalid": _("Invalid"),
    "valid_rule": _("Valid: answered, talk longer than {seconds} s, not prank, silent or "
                    "hang-up."),
    "non_emergency": _("Non-emergency (information)"),
    "emergencies_verified": _("Verified emergencies"),
    "screened_out": _("Ended by screening"),
    "still_waiting": _("Still waiting"),
    "by_agency": _("Verified emergencies by agency"),
    "attribution_rule": _("An incident counts for every agency whose configured incident "
                          "types include its type."),
    "service": _("Service level"),
    "offered": _("Calls offered"),
    "answered_within_n": _("Answered within {seconds} s"),
    "target_n": _("Target within {seconds} s"),
    "abandonment_rate": _("Abandonment rate"),
    "mean_answer": _("Mean answer time (s)"),
    "p50_answer": _("Median answer time (s)"),
    "p90_answer": _("90th percentile answer time (s)"),
    "hour_of_day": _("Hour of day"),
    "weekday": _("Day of week"),
    "mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"), "fri": _("Fri"),
    "sat": _("Sat"), "sun": _("Sun"),
    "intervals": _("Response intervals"),
    "step_received_to_answered": _("Call received to answered"),
    "step_answered_to_verified": _("Answered to verified"),
    "step_verified_to_dispatched": _("Verified to first unit dispatched"),
    "step_dispatched_to_on_scene": _("Dispatched to on scene"),
    "step_on_scene_to_clear": _("On scene to clear"),
    "step_received_to_on_scene": _("Call received to on scene"),
    "step": _("Step"),
    "count": _("Count"),
    "mean_seconds": _("Mean (s)"),
    "p50_seconds": _("p50 (s)"),
    "p90_seconds": _("p90 (s)"),
    "all": _("All"),
    "agency": _("Agency"),
    "incident_type": _("Incident type"),
    "daily": _("Per day"),
    "date": _("Date"),
    "calls": _("Calls"),
    "prank": _("Prank"),
    "silent": _("Silent"),
    "prank_silent_share": _("Prank and silent, share of answered"),
    "share_of_answered": _("Percent of answered calls"),
    "repeat_callers": _("Most frequent callers (numbers masked)"),
    "number": _("Number"),
    "incidents_by_area": _("Verified emergencies by type and area"),
    "kecamatan": _("Kecamatan"),
    "kelurahan": _("Kelurahan"),
    "month": _("Month"),
    "kind_darurat": _("Emergency"),
    "kind_informasi": _("Information"),
    "kind_prank": _("Prank"),
    "kind_ghost": _("Ghost (silent)"),
    "kind_terputus": _("Dropped"),
    "kind_lainnya": _("Other"),
    "calls_by_kind": _("Calls by kind"),
    "emergencies_by_type": _("Verified emergencies by category"),
    "emergencies_by_agency": _("Verified emergencies by agency (OPD)"),
    "emergencies_by_kecamatan": _("Verified emergencies by kecamatan"),
    "chart_calls_per_day": _("Calls per day"),
    "chart_service_by_hour": _("Answered in time, by hour of day"),
    "chart_nuisance_share": _("Prank and silent calls, share of answered calls per day"),
    "chart_incidents_by_type": _("Verified emergencies by type"),
    "chart_incident_map": _("Map of verified emergencies"),
    "chart_intervals": _("Response intervals, p50 and p90 (minutes)"),
    "nothing_in_period": _("Nothing in this period"),
    "longitude": _("Longitude"),
    "latitude": _("Latitude"),
    "minutes": _("Minutes"),
    "none": _("none"),
    "unknown_place": _("(no place)"),
}


@lru_cache(maxsize=None)
def words(locale: str) -> dict[str, str]:
    """Every word above in `locale` (id or en)."""
    catalogue = i18n.translations(locale)
    return {key: catalogue.gettext(text) for key, text in WORDS.items()}

"""A staffing plan as text (a terminal table) or as an Excel workbook."""

from __future__ import annotations

from pathlib import Path

from siaga112.planning.plan import StaffingPlan

SCENARIO_NAMES = {
    "as_is": "as the roster stands",
    "screen_half_invalid": "half the invalid calls screened out before a person",
    "screen_all_invalid": "all invalid calls screened out before a person",
    "one_more_at_night": "one more call-taker each night (shift from 22:00)",
}


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _seconds(value: object) -> str:
    return "-" if value is None else f"{value:.1f} s"


def render_table(plan: StaffingPlan) -> str:
    d = plan.to_dict()
    h, t, r = d["history"], d["target"], d["roster"]
    p = h["patience"]
    lines = [
        f"Staffing from {d['period']['from']} to {d['period']['to']} "
        f"({d['period']['days']} days, {d['period']['zone']}); target {_pct(t['service_level'])} "
        f"answered within {t['seconds']:g} s",
        f"Calls offered {h['offered']}: answered {h['answered']}, abandoned in queue "
        f"{h['abandoned']}; invalid {h['invalid']} ({_pct(h['invalid_share'])} of answered)"
        + (f"; {h['left_out']} other calls left out" if h["left_out"] else ""),
        f"Handling time {h['handle_seconds']:.1f} s (talk {h['talk_seconds']:.1f} s + wrap-up "
        f"{h['wrap_up_seconds']:.1f} s, {'measured' if h['wrap_up_measured'] else 'assumed'}); "
        f"patience mean {_seconds(p['mean_seconds'])} (exponential), median "
        f"{_seconds(p['median_seconds'])} (Kaplan-Meier)",
        "",
        "hour   " + " ".join(f"{day:>5}" for day in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                      "sun")) + "   (required/scheduled)",
    ]
    hourly = d["hourly"]
    for hour in range(24):
        cells = [hourly[day * 24 + hour] for day in range(7)]
        lines.append(f"{hour:02d}:00  " + " ".join(f"{c['required']:>2}/{c['scheduled']:<2}"
                                                     for c in cells))
    rw, sw = d["required_week"], d["scheduled_week"]
    lines += [
        "",
        f"Required: {rw['agent_hours']:g} call-taker hours a week -> service level "
        f"{_pct(rw['service_level'])}, abandoned {_pct(rw['abandon_probability'])}, "
        f"mean answer {_seconds(rw['answer_seconds'])}",
        f"Roster: {r['shifts']} shifts of {r['shift_hours']:g} h = {r['staff_hours']:g} "
        f"staff-hours a week ({r['idle_hours']:g} h above the requirement) -> service level "
        f"{_pct(sw['service_level'])}, abandoned {_pct(sw['abandon_probability'])}",
        "Shift starts: " + ", ".join(f"{s['weekday']} {s['start']} x{s['call_takers']}"
                                     for s in r["shift_starts"]),
        "",
        "What if                                               calls/wk  req. h  staff h  "
        "service  abandoned",
    ]
    for s in d["scenarios"]:
        w = s["simulated"] or s["with_roster"]
        lines.append(f"{SCENARIO_NAMES[s['code']]:<53} {s['calls_per_week']:>8.0f} "
                     f"{s['required_hours']:>7.0f} {s['staff_hours']:>8.0f} "
                     f"{_pct(w['service_level']):>8} {_pct(w['abandon_probability']):>10}")
    for code, saved in d["savings"].items():
        lines.append(f"Saving with {SCENARIO_NAMES[code]}: {saved['workload_hours']:g} hours of "
                     f"handling, {saved['required_hours']:g} required call-taker hours, "
                     f"{saved['staff_hours']:g} rostered staff-hours ({saved['shifts']} shifts) "
                     "a week")
    check = d["simulation_check"]
    if check:
        sim = check["simulated"]
        lines.append(
            f"Simulation ({sim['weeks']} weeks, {sim['calls']} calls) vs Erlang A at the "
            f"required staffing: service level {_pct(sim['service_level'])} vs "
            f"{_pct(check['formulas']['service_level'])}, abandoned "
            f"{_pct(sim['abandon_probability'])} vs "
            f"{_pct(check['formulas']['abandon_probability'])}: "
            + ("agree" if check["agrees"] else "DISAGREE")
            + f" (tolerance {check['tolerance']['service_level']:g} / "
              f"{check['tolerance']['abandon_probability']:g})")
    return "\n".join(lines)


def write_xlsx(plan: StaffingPlan, path: Path) -> None:
    from openpyxl import Workbook

    d = plan.to_dict()
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["period from", d["period"]["from"]])
    summary.append(["period to", d["period"]["to"]])
    summary.append(["zone", d["period"]["zone"]])
    summary.append(["target service level", d["target"]["service_level"]])
    summary.append(["target seconds", d["target"]["seconds"]])
    for key, value in d["history"].items():
        if key != "patience":
            summary.append([key, value])
    for key, value in d["history"]["patience"].items():
        if not isinstance(value, dict):
            summary.append([f"patience {key}", value])
    for key in ("shifts", "staff_hours", "required_hours", "idle_hours"):
        summary.append([f"roster {key}", d["roster"][key]])
    intervals = book.create_sheet("Intervals")
    columns = list(d["intervals"][0])
    intervals.append(columns)
    for row in d["intervals"]:
        intervals.append([row[c] for c in columns])
    shifts = book.create_sheet("Roster")
    shifts.append(["weekday", "start", "call_takers", "hours"])
    for s in d["roster"]["shift_starts"]:
        shifts.append([s["weekday"], s["start"], s["call_takers"], d["roster"]["shift_hours"]])
    scenarios = book.create_sheet("What-ifs")
    scenarios.append(["scenario", "calls per week", "handle seconds", "required hours",
                      "staff hours", "service level", "abandoned", "simulated service level",
                      "simulated abandoned"])
    for s in d["scenarios"]:
        sim = s["simulated"] or {}
        scenarios.append([SCENARIO_NAMES[s["code"]], s["calls_per_week"], s["handle_seconds"],
                          s["required_hours"], s["staff_hours"],
                          s["with_roster"]["service_level"],
                          s["with_roster"]["abandon_probability"],
                          sim.get("service_level"), sim.get("abandon_probability")])
    book.save(path)

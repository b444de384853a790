"""`siaga112 staffing`: how many call-takers each hour, from the center's own history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer


def _day(value: str, name: str) -> date:
    from siaga112.planning.staffing import parse_day

    try:
        return parse_day(value, name=name)
    except ValueError as exc:
        raise typer.BadParameter(str(exc).split(": ", 1)[1], param_hint=name) from None


def _hours(value: str | None) -> tuple[int, ...] | None:
    if not value:
        return None
    try:
        hours = tuple(int(h) for h in value.split(","))
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a list of hours like 0,8,16",
                                 param_hint="--shift-starts") from None
    if not all(0 <= h < 24 for h in hours):
        raise typer.BadParameter("hours go from 0 to 23", param_hint="--shift-starts")
    return hours


def staffing(
    from_: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (center's zone)")],
    to: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD, inclusive")],
    target_sl: Annotated[float, typer.Option(min=0.01, max=0.999,
                                             help="share answered within the target")] = 0.9,
    target_seconds: Annotated[float, typer.Option(min=0, help="the target answer time")] = 15,
    format: Annotated[str, typer.Option("--format", help="table, json or xlsx")] = "table",
    output: Annotated[Path | None, typer.Option(help="write here (needed for xlsx)")] = None,
    interval: Annotated[int, typer.Option(help="interval length, 30 or 60 minutes")] = 60,
    min_call_takers: Annotated[int, typer.Option(min=0, help="never fewer on duty")] = 1,
    wrap_up_seconds: Annotated[float | None, typer.Option(
        min=0, help="after-call work per call; default: measured, else 30")] = None,
    shift_starts: Annotated[str | None, typer.Option(
        help="hours a shift may start, e.g. 0,8,16; default: any full hour")] = None,
    simulate_weeks: Annotated[int, typer.Option(
        min=0, max=52, help="weeks to simulate for the check and what-ifs (0: formulas only)")] = 4,
    seed: Annotated[int, typer.Option(help="the simulation's random seed")] = 112,
) -> None:
    """Call-takers needed per hour to reach the target, a roster of 8-hour shifts, and what-ifs."""
    from siaga112.adapters.db.engine import create_db_engine
    from siaga112.config import CenterConfigError, Settings, load_center
    from siaga112.planning.export import render_table, write_xlsx
    from siaga112.planning.plan import PlanOptions
    from siaga112.planning.requirement import Target
    from siaga112.planning.staffing import HistoryUnreadable, NoHistory, plan_period

    if format not in ("table", "json", "xlsx"):
        raise typer.BadParameter(f"'{format}' is not one of table, json, xlsx",
                                 param_hint="--format")
    if format == "xlsx" and output is None:
        raise typer.BadParameter("xlsx needs --output FILE.xlsx", param_hint="--output")
    if interval not in (30, 60):
        raise typer.BadParameter(f"{interval} is not 30 or 60", param_hint="--interval")
    first_day, last_day = _day(from_, "--from"), _day(to, "--to")
    options = PlanOptions(
        target=Target(level=target_sl, seconds=target_seconds, min_agents=min_call_takers),
        shift_start_hours=_hours(shift_starts), simulated_weeks=simulate_weeks, seed=seed)
    settings = Settings()
    try:
        center = load_center(settings.center_path)
    except CenterConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    engine = create_db_engine(settings.effective_database_url)
    try:
        plan = plan_period(engine=engine, center=center, first_day=first_day,
                           last_day=last_day, options=options, interval_minutes=interval,
                           wrap_up_seconds=wrap_up_seconds)
    except (NoHistory, HistoryUnreadable, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if format == "xlsx":
        assert output is not None
        write_xlsx(plan, output)
        typer.echo(f"wrote {output}")
        return
    text = (json.dumps(plan.to_dict(), ensure_ascii=False) if format == "json"
            else render_table(plan))
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {output}")
    else:
        typer.echo(text)

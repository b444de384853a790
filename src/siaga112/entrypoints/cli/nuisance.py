"""`siaga112 nuisance`: the education report of nuisance calls, and the blocks in force
(docs/nuisance-callers.md). Numbers are masked, as on the supervisor's page."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

app = typer.Typer(help="Nuisance callers: the education report and the blocks.",
                  no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@app.command("report")
def report(
    from_: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (center's zone)")],
    to: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD, inclusive")],
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Pranks, silent calls and hang-ups by hour, day of week and kelurahan."""
    from siaga112.bootstrap import bootstrap
    from siaga112.domain.errors import InvalidValue
    from siaga112.reports.nuisance import nuisance_report
    from siaga112.reports.period import Period

    if format not in ("table", "json"):
        _fail(f"--format: '{format}' is not table or json")
    siaga = bootstrap()
    try:
        r = nuisance_report(engine=siaga.engine, center=siaga.center,
                            period=Period.parse(from_, to, siaga.center.zone))
    except InvalidValue as exc:
        _fail(str(exc))
        return
    finally:
        siaga.engine.dispose()
    typer.echo(json.dumps(r, indent=2, ensure_ascii=False) if format == "json" else render(r))


def render(r: dict[str, Any]) -> str:
    t = r["totals"]
    share = "–" if t["nuisance_share"] is None else f"{t['nuisance_share'] * 100:.1f}%"
    lines = [f"Nuisance calls {r['period']['from']} – {r['period']['to']} ({r['zone']})",
             f"answered {t['answered']:,}; prank {t['prank']:,}, silent {t['silent']:,}, "
             f"hang-up {t['hang_up']:,} ({share} of answered)", "", "hour  prank silent hang_up"]
    lines += [f"{h['hour']:02d}   {h['prank']:>5} {h['silent']:>6} {h['hang_up']:>7}"
              for h in r["by_hour"]]
    lines += ["", "day   prank silent hang_up"]
    lines += [f"{d['weekday']}   {d['prank']:>5} {d['silent']:>6} {d['hang_up']:>7}"
              for d in r["by_weekday"]]
    lines += ["", "kelurahan (chosen location, else incident)  prank silent hang_up"]
    lines += [f"{(k['name'] or 'unknown')[:42]:<43} {k['prank']:>5} {k['silent']:>6} "
              f"{k['hang_up']:>7}" for k in r["by_kelurahan"]]
    return "\n".join(lines)


@app.command("blocks")
def blocks(status: Annotated[str, typer.Option(help="active, expired, lifted or all")] = "active"
           ) -> None:
    """The blocks (masked numbers), newest first."""
    from siaga112.adapters.db.repositories_nuisance import SqlNuisanceRepository
    from siaga112.bootstrap import bootstrap
    from siaga112.domain.nuisance import BlockStatus
    from siaga112.domain.phone import mask_number

    if status not in ("active", "expired", "lifted", "all"):
        _fail(f"--status: '{status}' is not active, expired, lifted or all")
    siaga = bootstrap()
    try:
        now = siaga.clock.now()
        with siaga.uow() as uow:
            found = SqlNuisanceRepository(uow.session).blocks(
                status=None if status == "all" else BlockStatus(status), now=now)
    finally:
        siaga.engine.dispose()
    for b in found:
        typer.echo(f"{b.id}  {mask_number(b.caller_number)}  {b.status(now).value:<8} "
                   f"{b.created_at:%Y-%m-%d %H:%M} -> {b.expires_at:%Y-%m-%d %H:%M} UTC  "
                   f"{b.counted_calls} counted" + (f"  lifted by {b.lifted_by}: {b.lift_note}"
                                                   if b.lifted_by else ""))
    if not found:
        typer.echo("no blocks", err=True)

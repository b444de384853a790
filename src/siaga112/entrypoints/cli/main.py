"""The `siaga112` command line."""

from __future__ import annotations

import typer

from siaga112.config import CenterConfigError, Settings, center_file, load_center
from siaga112.entrypoints.cli import audit, personal_data, tokens, users
from siaga112.entrypoints.cli.serving import demo, serve
from siaga112.entrypoints.cli.staffing import staffing
from siaga112.entrypoints.cli import cdr, report  # reports and call-history import
from siaga112.entrypoints.cli import aml  # AML: parse messages, senders' HMAC keys
from siaga112.entrypoints.cli import backup  # backup and restore of the database
from siaga112.entrypoints.cli import nuisance  # nuisance callers: report, blocks
from siaga112.entrypoints.cli import media  # announcements for silent-call screening

app = typer.Typer(help="Siaga112: 112 emergency call handling and dispatch.",
                  no_args_is_help=True, add_completion=False)
center_app = typer.Typer(help="The center's configuration file.", no_args_is_help=True)
app.add_typer(center_app, name="center")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(tokens.app, name="tokens")
app.add_typer(aml.app, name="aml")
app.add_typer(nuisance.app, name="nuisance")
app.add_typer(media.app, name="media")
app.command(help="Apply the retention periods now.")(personal_data.purge)
app.command("export-caller", help="Export all data on one caller's number.")(personal_data.export_caller)
app.command(help="Start the web server and the SIP listener.")(serve)
app.command(help="Start a demo center on embedded SQLite, with demo logins.")(demo)
app.command(help="Call-takers needed per hour, from the center's own history.")(staffing)
app.command(help="The evaluation report of a period (table, json, csv, xlsx, pdf).")(report.report)
app.command(help="Back up the database to a file (pg_dump, or SQLite's backup API).")(backup.backup)
app.command(help="Restore a backup into an empty database (--force: over a non-empty one).")(backup.restore)
app.command("import-cdr", help="Import call history: Asterisk CDR CSV or the generic CSV.")(cdr.import_cdr)


@app.command(help="Bring the database schema to the newest version.")
def migrate() -> None:
    from siaga112.adapters.db import migrate as db_migrate
    from siaga112.adapters.db.engine import create_db_engine

    settings = Settings()
    engine = create_db_engine(settings.effective_database_url)
    db_migrate.upgrade(engine)
    typer.echo(f"database at the newest schema: {engine.url.render_as_string(hide_password=True)}")


@center_app.command("check", help="Validate a center file (TOML); name or path.")
def center_check(file: str = typer.Argument(..., help="path to a center TOML, or 'kendari'")) -> None:
    path = center_file(file)
    try:
        cfg = load_center(path)
    except CenterConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{path}: OK: {cfg.center.name} ({cfg.center.timezone}); {len(cfg.agencies)} agencies, "
        f"{len(cfg.stations)} stations, {len(cfg.units)} units, {len(cfg.positions)} positions, "
        f"{len(cfg.incident_types)} incident types, {len(cfg.gazetteer.kelurahan)} kelurahan")


def _main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    _main()

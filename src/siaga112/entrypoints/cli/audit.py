"""`siaga112 audit verify`: is the event log as it was written?"""

from __future__ import annotations

import typer

from siaga112.config import Settings

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@app.command("verify", help="Check the hash chain; exit 1 at the first edited, inserted or deleted row.")
def verify() -> None:
    from siaga112.adapters.db.audit import verify_chain
    from siaga112.adapters.db.engine import create_db_engine

    engine = create_db_engine(Settings().effective_database_url)
    with engine.connect() as conn:
        checked, finding = verify_chain(conn)
    engine.dispose()
    if finding is not None:
        typer.echo(f"audit trail BROKEN after {checked} good rows: {finding}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit trail intact: {checked} rows")

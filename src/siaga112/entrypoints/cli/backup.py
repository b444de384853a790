"""`siaga112 backup --out FILE` and `siaga112 restore FILE` (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from siaga112.config import Settings


def backup(out: Path = typer.Option(..., "--out", help="the backup file to write")) -> None:
    from siaga112.operations.backup import BackupError, backup as make_backup

    url = Settings().effective_database_url
    try:
        done = make_backup(url, out)
    except BackupError as exc:
        typer.echo(f"backup failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"backup written: {done.path} ({done.backend}; {done.tables} tables, "
               f"{done.rows} rows)")


def restore(file: Path = typer.Argument(..., help="a file written by `siaga112 backup`"),
            force: bool = typer.Option(False, "--force",
                                       help="drop everything in a non-empty target first")) -> None:
    from siaga112.adapters.db.audit import verify_chain
    from siaga112.adapters.db.engine import create_db_engine
    from siaga112.operations.backup import BackupError, restore as do_restore

    url = Settings().effective_database_url
    try:
        done = do_restore(url, file, force=force)
    except BackupError as exc:
        typer.echo(f"restore refused or failed: {exc}", err=True)
        raise typer.Exit(1) from None
    engine = create_db_engine(url)
    with engine.connect() as conn:
        checked, finding = verify_chain(conn)
    engine.dispose()
    typer.echo(f"restored {done.path} ({done.tables} tables, {done.rows} rows)")
    if finding is not None:
        typer.echo(f"audit trail BROKEN after {checked} good rows: {finding}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit trail intact: {checked} rows")

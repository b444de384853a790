"""`siaga112 media announcements`: makes the screening announcements (espeak-ng, then sox
to 8 kHz WAV) where the center's `[screening] announcements_dir` says (docs/screening.md).
Run at install time; a center may replace a file by its own recording."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Media: the announcements callers hear.", no_args_is_help=True)


@app.command("announcements")
def announcements(
    folder: Annotated[Path | None, typer.Option(
        "--dir", help="where to write them (default: the center's announcements_dir)")] = None,
) -> None:
    """Make (or keep, if their words did not change) the announcements."""
    from siaga112.adapters.media.announcements import AnnouncementError, ensure_announcements
    from siaga112.config import Settings, load_center

    from siaga112.adapters.media.wiring import announcement_texts

    settings = Settings()
    center = load_center(settings.center_path)
    if folder is None:
        configured = Path(center.screening.announcements_dir)
        folder = configured if configured.is_absolute() else settings.data_dir / configured
    try:
        made = ensure_announcements(folder, texts=announcement_texts(center))
    except AnnouncementError as exc:
        typer.echo(f"announcements not made: {exc}", err=True)
        raise typer.Exit(1) from None
    for name, path in sorted(made.items()):
        typer.echo(f"{name}: {path}")

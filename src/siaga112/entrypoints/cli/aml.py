"""`siaga112 aml`: read an AML message by hand; set a sender's HMAC key."""

from __future__ import annotations

import json

import typer

from siaga112.adapters.aml import AmlError, parse_any
from siaga112.domain.errors import DomainError

app = typer.Typer(help="Advanced Mobile Location (AML): parse messages, senders' HMAC keys.",
                  no_args_is_help=True)


@app.command("parse", help='Parse an AML SMS (A"ML=1;... or A"ML=2;...) or HTTPS body; '
                           "print it as JSON.")
def parse(text: str = typer.Argument(..., help="the SMS text or the form-encoded body")) -> None:
    try:
        message = parse_any(text)
    except AmlError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(message.as_dict(), ensure_ascii=False))


@app.command("set-key", help="Set or rotate the HMAC key an AML HTTPS sender signs with.")
def set_key(name: str = typer.Argument(..., help="the sender's service account (aml_gateway)"),
            key: str | None = typer.Option(None, envvar="SIAGA112_AML_HMAC_KEY",
                                           help="the key agreed with the operator; "
                                                "without it a random key is made")) -> None:
    from siaga112.bootstrap import bootstrap
    from siaga112.services.handlers.aml_senders import set_hmac_key

    siaga = bootstrap()
    try:
        stored = set_hmac_key(siaga.uow(), name=name, key=key, by="cli", clock=siaga.clock)
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if key is None:
        typer.echo(f"HMAC key of {name} (shown only now; give it to the operator):\n{stored}")
    else:
        typer.echo(f"HMAC key of {name} set")

"""`siaga112 tokens`: API tokens for machines (SIP nodes, AML/SMS gateways, agency systems)."""

from __future__ import annotations

import typer

from siaga112.domain.accounts import Scope
from siaga112.domain.errors import DomainError
from siaga112.services.handlers import service_accounts as svc

app = typer.Typer(help="Machines' API tokens.", no_args_is_help=True)


@app.command("create", help="Create a machine account; its token is printed once.")
def create(name: str,
           scope: list[Scope] = typer.Option(..., help="repeat for several scopes"),
           agency: str | None = typer.Option(None, help="for scope agency_system"),
           hmac_key: str | None = typer.Option(
               None, help="for scope aml_gateway: the key its AML HTTPS bodies are signed "
                          "with (docs/location.md); later: siaga112 aml set-key")) -> None:
    from siaga112.bootstrap import bootstrap
    from siaga112.services.handlers.aml_senders import KEY, set_hmac_key

    if hmac_key is not None and (Scope.AML_GATEWAY not in scope or not KEY.fullmatch(hmac_key)):
        typer.echo("error: --hmac-key needs --scope aml_gateway and 16-200 printable "
                   "characters without spaces", err=True)
        raise typer.Exit(1)
    siaga = bootstrap()
    try:
        token = svc.create_service_account(siaga.uow(), name=name, scopes=frozenset(scope),
                                           agency_code=agency, by="cli", clock=siaga.clock)
        if hmac_key is not None:
            set_hmac_key(siaga.uow(), name=name, key=hmac_key, by="cli", clock=siaga.clock)
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {name}; its token (shown only now):\n{token}")


@app.command("list", help="List machine accounts (never their tokens).")
def list_accounts() -> None:
    from siaga112.bootstrap import bootstrap

    siaga = bootstrap()
    with siaga.uow() as uow:
        for a in uow.users.service_accounts():
            state = "active" if a.active else "revoked"
            typer.echo(f"{a.name:20} {a.scopes_text:30} {a.agency_code or '':10} {state}".rstrip())


@app.command("revoke", help="Revoke a machine's token at once.")
def revoke(name: str) -> None:
    from siaga112.bootstrap import bootstrap

    siaga = bootstrap()
    try:
        svc.revoke_service_account(siaga.uow(), name=name)
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"revoked {name}")

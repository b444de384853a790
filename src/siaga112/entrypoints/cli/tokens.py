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
           agency: str | None = typer.Option(None, help="for scope agency_system")) -> None:
    from siaga112.bootstrap import bootstrap

    siaga = bootstrap()
    try:
        token = svc.create_service_account(siaga.uow(), name=name, scopes=frozenset(scope),
                                           agency_code=agency, by="cli", clock=siaga.clock)
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

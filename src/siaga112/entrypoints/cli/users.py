"""`siaga112 users`: accounts of the people who use the center."""

from __future__ import annotations

import typer

from siaga112.domain.accounts import Role
from siaga112.domain.errors import DomainError
from siaga112.services import commands as c

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("create", help="Create a user; the password must be changed at first login.")
def create(
    username: str,
    role: Role = typer.Option(..., help="call_taker, dispatcher, supervisor, agency or admin"),
    full_name: str = typer.Option("", help="shown on screens and in the audit trail"),
    agency: str | None = typer.Option(None, help="the agency code, for role 'agency'"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 envvar="SIAGA112_NEW_PASSWORD"),
) -> None:
    from siaga112.bootstrap import bootstrap

    siaga = bootstrap()
    try:
        user = siaga.bus.handle(c.CreateUser(username=username, full_name=full_name or username,
                                             role=role, password=password, agency_code=agency))
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {user.username} ({user.role.value})")


@app.command("list", help="List the users.")
def list_users() -> None:
    from siaga112.bootstrap import bootstrap

    siaga = bootstrap()
    with siaga.uow() as uow:
        for u in uow.users.list():
            flags = [f for f, on in (("demo", u.demo), ("inactive", not u.active)) if on]
            typer.echo(f"{u.username:20} {u.role.value:12} {u.agency_code or '':10} "
                       f"{u.full_name} {' '.join(flags)}".rstrip())

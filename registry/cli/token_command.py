"""`consentry token create|list|revoke`: API tokens, stored only as their SHA-256 hash."""

from __future__ import annotations

import sys

import rich_click as click

from .errors import report_error
from .registry_commands import ACTOR


def _session():  # type: ignore[no-untyped-def]
    from registry.database import session, upgrade

    upgrade()
    return session()


@click.group("token")
def token_command() -> None:
    """API tokens: `auditor` reads, `publisher` also writes its own app, `admin` writes every app and
    manages tokens."""


@token_command.command("create")
@click.option("--role", type=click.Choice(["auditor", "publisher", "admin"]), required=True)
@click.option("--app", "app_id", help="The app a publisher token may write.")
@click.option("--name", default=None, help="Whose token it is, for the audit log (default: the role).")
@ACTOR
def create_command(role: str, app_id: str | None, name: str | None, actor: str) -> None:
    """Create a token and print it, once: only its hash is kept."""
    from registry.tokens import TokenError, create_token

    with _session() as db:
        try:
            token, secret = create_token(db, role, name or role, app_id, actor)
        except TokenError as error:
            report_error("token", str(error))
            sys.exit(2)
    click.echo(secret)
    owner = f" of {app_id}" if app_id else ""
    click.echo(f"token {token.id} ({role}{owner}): keep it now, it is not shown again", err=True)


@token_command.command("list")
def list_command() -> None:
    """Every token (never its secret)."""
    from sqlmodel import select

    from registry.models import ApiToken

    with _session() as db:
        for token in db.exec(select(ApiToken).order_by(ApiToken.id)):  # type: ignore[arg-type]
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            click.echo(f"{token.id}\t{token.role}\t{token.app_id or '-'}\t{token.name}\t{state}")


@token_command.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@ACTOR
def revoke_command(token_id: int, actor: str) -> None:
    """Revoke a token: it stops working at once."""
    from registry.models import ApiToken
    from registry.tokens import TokenError, revoke_token

    with _session() as db:
        token = db.get(ApiToken, token_id)
        if token is None:
            report_error("token", f"no token {token_id}")
            sys.exit(2)
        try:
            revoke_token(db, token, actor)
        except TokenError as error:
            report_error("token", str(error))
            sys.exit(2)
    click.echo(f"token {token_id} revoked")

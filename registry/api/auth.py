"""Bearer tokens and what each role may do: `auditor` reads, `publisher` also writes its own app,
`admin` writes every app and manages tokens. 401 without a valid token, 403 for what it may not touch."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from registry.database import session
from registry.tokens import find_token

from .problems import Problem
from .settings import ApiSettings

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="consentry"'}
PUBLIC = "public"
"""`opt` flag of the operations that need no token (health)."""


@dataclass(frozen=True)
class Principal:
    token_id: int
    name: str
    role: str
    app_id: str | None

    @property
    def actor(self) -> str:
        """Who did it, for the audit log."""
        return f"{self.name} (token {self.token_id}, {self.role})"

    def may_write(self, app_id: str) -> bool:
        return self.role == "admin" or (self.role == "publisher" and self.app_id == app_id)


def _bearer(connection: ASGIConnection) -> str:
    scheme, _, secret = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Problem(
            401, "send an API token: `Authorization: Bearer TOKEN`", kind="unauthenticated", headers=CHALLENGE
        )
    return secret.strip()


def _lookup(database_url: str, secret: str) -> Principal | None:
    with session(database_url) as db:
        token = find_token(db, secret)
        return Principal(token.id, token.name, token.role, token.app_id) if token and token.id else None


async def authenticate(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Router guard: every operation but the public ones (and OPTIONS, which only lists methods) needs a
    valid, unrevoked token."""
    if handler.opt.get(PUBLIC) or _lists_methods(connection):
        return
    settings: ApiSettings = connection.app.state.settings
    # One indexed query: cheaper on the event loop than the hand-off to a worker thread would be.
    principal = _lookup(settings.database_url, _bearer(connection))
    if principal is None:
        raise Problem(401, "the token is unknown or revoked", kind="unauthenticated", headers=CHALLENGE)
    connection.state.principal = principal


def _lists_methods(connection: ASGIConnection) -> bool:
    return connection.scope.get("method") == "OPTIONS"


def principal_of(connection: ASGIConnection) -> Principal:
    return connection.state.principal  # type: ignore[no-any-return]


async def writes_app(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """Guard: an admin, or the publisher of the app the path names."""
    if _lists_methods(connection):
        return
    principal = principal_of(connection)
    app_id = str(connection.path_params.get("app_id", ""))
    if not principal.may_write(app_id):
        what = "only its own app" if principal.role == "publisher" else "nothing (it reads)"
        raise Problem(403, f"a {principal.role} token may write {what}", kind="forbidden")


async def admin_only(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if _lists_methods(connection):
        return
    principal = principal_of(connection)
    if principal.role != "admin":
        raise Problem(403, "only an admin token manages tokens", kind="forbidden")


def provide_principal(request: ASGIConnection) -> Principal:
    return principal_of(request)

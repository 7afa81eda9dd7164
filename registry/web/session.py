"""Who may read the pages: an API token, checked as the API checks a Bearer token (`registry.tokens`), kept
(as its SHA-256, never the token itself) in an encrypted, http-only, SameSite=Strict session cookie. Every
request looks the token up again, so that revoking it ends its sessions.

Settings, from the environment of the server process:
- `CONSENTRY_SESSION_SECRET`: the key of the session cookie and of the CSRF tokens. Set it when the server
  runs several worker processes or should keep sessions over a restart; without it each process makes a
  random one.
- `CONSENTRY_COOKIE_SECURE`: `0`/`false` lets the cookies travel over plain http (a test server on
  loopback); they are `Secure` otherwise.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import cache

from litestar.config.csrf import CSRFConfig
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.types import ASGIApp
from sqlmodel import Session, select

from registry.models import ApiToken
from registry.tokens import find_token

READ_ROLES = frozenset({"auditor", "publisher", "admin"})
SESSION_COOKIE = "consentry_session"
CSRF_COOKIE = "consentry_csrf"
SESSION_MAX_AGE = 8 * 60 * 60
SECRET_VARIABLE = "CONSENTRY_SESSION_SECRET"
SECURE_VARIABLE = "CONSENTRY_COOKIE_SECURE"


@dataclass(frozen=True)
class Reader:
    """The holder of a token that may read the registry."""

    name: str
    role: str
    token_hash: str


def _reader(row: ApiToken | None) -> Reader | None:
    if row is None or row.revoked_at is not None or row.role not in READ_ROLES:
        return None
    return Reader(name=row.name, role=row.role, token_hash=row.token_hash)


def verify_token(db: Session, token: str) -> Reader | None:
    """The reader of a token as typed on the login form (checked as the API checks a Bearer token), or None."""
    token = token.strip()
    return _reader(find_token(db, token)) if token else None


def reader_for_hash(db: Session, token_hash: str) -> Reader | None:
    """The reader a session's token hash belongs to, while that token is not revoked and its role may read."""
    return _reader(db.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first())


def cookie_secure() -> bool:
    return os.environ.get(SECURE_VARIABLE, "1").strip().lower() not in {"0", "false", "no", "off"}


@cache
def session_secret() -> bytes:
    """32 bytes: from $CONSENTRY_SESSION_SECRET (any text, hashed), else random for this process."""
    configured = os.environ.get(SECRET_VARIABLE)
    return hashlib.sha256(configured.encode("utf-8")).digest() if configured else secrets.token_bytes(32)


def session_config(secure: bool | None = None) -> CookieBackendConfig:
    return CookieBackendConfig(
        secret=session_secret(),
        key=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        secure=cookie_secure() if secure is None else secure,
        httponly=True,
        samesite="strict",
        exclude=["/static"],
    )


def session_middleware(app: ASGIApp, secure: bool | None = None) -> ASGIApp:
    """The session middleware around `app`. A factory rather than `CookieBackendConfig.middleware`: Litestar
    deep-copies a router when the app registers it, and the cookie backend's cipher cannot be copied."""
    return SessionMiddleware(app=app, backend=ClientSideSessionBackend(config=session_config(secure)))


def csrf_config(secure: bool | None = None) -> CSRFConfig:
    return CSRFConfig(
        secret=hashlib.sha256(b"csrf" + session_secret()).hexdigest(),
        cookie_name=CSRF_COOKIE,
        cookie_secure=cookie_secure() if secure is None else secure,
        cookie_httponly=True,
        cookie_samesite="strict",
        exclude=["/static"],
    )

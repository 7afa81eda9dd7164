"""API tokens: created once, shown once, stored only as a SHA-256 hash; revoked, never deleted."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Literal, get_args

from sqlmodel import Session, select

from .models import ApiToken, App
from .store import audit

Role = Literal["auditor", "publisher", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
PREFIX = "cst_"
"""Marks a consentry token, so that secret scanners and people can tell one when they see it."""


class TokenError(Exception):
    """A token that cannot be created or revoked as asked."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, role: str, name: str, app_id: str | None, actor: str) -> tuple[ApiToken, str]:
    """A new token and its secret (which is not stored: show it once). A publisher token writes one app."""
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "publisher" and not app_id:
        raise TokenError("a publisher token needs the app it may write (--app ID)")
    if role != "publisher" and app_id:
        raise TokenError(f"an {role} token is not tied to one app; only publisher tokens take an app")
    if app_id and session.get(App, app_id) is None:
        raise TokenError(f"no app {app_id!r} in the registry; publish its declarations first")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, role=role, token_hash=token_hash(secret), app_id=app_id)
    session.add(token)
    session.flush()
    audit(session, actor, "token.create", app_id, f"token:{token.id}", {"name": name, "role": role})
    session.commit()
    session.refresh(token)
    return token, secret


def find_token(session: Session, secret: str) -> ApiToken | None:
    """The token with this secret, unless it was revoked."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(secret))).first()
    return token if token is not None and token.revoked_at is None else None


def revoke_token(session: Session, token: ApiToken, actor: str) -> ApiToken:
    if token.revoked_at is not None:
        raise TokenError(f"token {token.id} was already revoked at {token.revoked_at:%Y-%m-%d %H:%M:%S}")
    token.revoked_at = datetime.datetime.now(datetime.UTC)
    session.add(token)
    audit(session, actor, "token.revoke", token.app_id, f"token:{token.id}", {"name": token.name, "role": token.role})
    session.commit()
    session.refresh(token)
    return token

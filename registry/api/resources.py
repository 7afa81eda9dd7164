"""The rows a path names, or a 404 problem."""

from __future__ import annotations

from sqlmodel import Session

from registry import queries
from registry.models import App, PolicyVersion, Release

from .problems import Problem


def app_or_404(db: Session, app_id: str) -> App:
    app = db.get(App, app_id)
    if app is None:
        raise Problem(404, f"no app {app_id!r} in the registry", kind="not-found")
    return app


def version_or_404(db: Session, app_id: str, number: int) -> PolicyVersion:
    version = queries.policy_version(db, app_id, number)
    if version is None:
        app_or_404(db, app_id)
        raise Problem(404, f"app {app_id!r} has no policy version {number}", kind="not-found")
    return version


def release_or_404(db: Session, app_id: str, release_id: int) -> Release:
    release = queries.release(db, app_id, release_id)
    if release is None:
        app_or_404(db, app_id)
        raise Problem(404, f"app {app_id!r} has no release {release_id}", kind="not-found")
    return release


def version_number(db: Session, policy_version_id: int | None) -> int | None:
    version = db.get(PolicyVersion, policy_version_id) if policy_version_id else None
    return version.number if version else None

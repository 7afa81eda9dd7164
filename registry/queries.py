"""Reads of the registry for the HTTP API and the web pages: lists in a stable order, one page at a time
(keyset pagination: a page ends with the key to continue after), and single rows by their natural keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from .models import ApiToken, App, AuditEntry, Finding, PolicyVersion, Release, Waiver

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    after: Any
    """The key to pass as `after` for the next page; None on the last page."""


def _page(
    session: Session, query: SelectOfScalar[T], key: Any, after: Any, limit: int, *, descending: bool = False
) -> Page[T]:
    column = col(key)
    if after is not None:
        query = query.where(column < after if descending else column > after)
    rows = session.exec(query.order_by(column.desc() if descending else column).limit(limit + 1)).all()
    if len(rows) <= limit:
        return Page(rows, None)
    return Page(rows[:limit], getattr(rows[limit - 1], key.key))


def _containing(text: str, *columns: Any) -> ColumnElement[bool]:
    wanted = text.lower()
    return or_(*(func.lower(col(column)).contains(wanted, autoescape=True) for column in columns))


def apps(session: Session, *, q: str | None, package: str | None, after: str | None, limit: int) -> Page[App]:
    """Apps by id; `q` is part of an id, name or package (any case), `package` a whole package name."""
    query = select(App)
    if q:
        query = query.where(_containing(q, App.id, App.name, App.package))
    if package:
        query = query.where(App.package == package)
    return _page(session, query, App.id, after, limit)


def policy_versions(session: Session, app_id: str, *, before: int | None, limit: int) -> Page[PolicyVersion]:
    """An app's policy versions, newest first."""
    query = select(PolicyVersion).where(PolicyVersion.app_id == app_id)
    return _page(session, query, PolicyVersion.number, before, limit, descending=True)


def policy_version(session: Session, app_id: str, number: int) -> PolicyVersion | None:
    query = select(PolicyVersion).where(PolicyVersion.app_id == app_id, PolicyVersion.number == number)
    return session.exec(query).first()


@dataclass(frozen=True)
class ReleaseFilter:
    sha256: str | None = None
    version_name: str | None = None
    version_code: int | None = None


def releases(session: Session, app_id: str, which: ReleaseFilter, *, before: int | None, limit: int) -> Page[Release]:
    """An app's releases, newest first."""
    query = select(Release).where(Release.app_id == app_id)
    if which.sha256:
        query = query.where(Release.sha256 == which.sha256.lower())
    if which.version_name is not None:
        query = query.where(Release.version_name == which.version_name)
    if which.version_code is not None:
        query = query.where(Release.version_code == which.version_code)
    return _page(session, query, Release.id, before, limit, descending=True)


def release(session: Session, app_id: str, release_id: int) -> Release | None:
    found = session.get(Release, release_id)
    return found if found is not None and found.app_id == app_id else None


@dataclass(frozen=True)
class FindingFilter:
    rule: str | None = None
    severity: str | None = None
    waived: bool | None = None


def findings(
    session: Session, release_id: int, which: FindingFilter, *, after: int | None, limit: int
) -> Page[Finding]:
    query = select(Finding).where(Finding.release_id == release_id)
    if which.rule:
        query = query.where(Finding.rule == which.rule)
    if which.severity:
        query = query.where(Finding.severity == which.severity)
    if which.waived is not None:
        query = query.where(Finding.waived == which.waived)
    return _page(session, query, Finding.id, after, limit)


def all_findings(session: Session, release_id: int) -> Sequence[Finding]:
    return session.exec(select(Finding).where(Finding.release_id == release_id).order_by(col(Finding.id))).all()


def audit_entries(session: Session, app_id: str, *, before: int | None, limit: int) -> Page[AuditEntry]:
    """An app's audit log, newest first."""
    query = select(AuditEntry).where(AuditEntry.app_id == app_id)
    return _page(session, query, AuditEntry.id, before, limit, descending=True)


def waivers(session: Session, policy_version_id: int, *, after: int | None, limit: int) -> Page[Waiver]:
    query = select(Waiver).where(Waiver.policy_version_id == policy_version_id)
    return _page(session, query, Waiver.id, after, limit)


def waiver(session: Session, app_id: str, waiver_id: int) -> tuple[Waiver, PolicyVersion] | None:
    row = session.get(Waiver, waiver_id)
    version = session.get(PolicyVersion, row.policy_version_id) if row else None
    return (row, version) if row and version and version.app_id == app_id else None


def tokens(session: Session, *, after: int | None, limit: int) -> Page[ApiToken]:
    return _page(session, select(ApiToken), ApiToken.id, after, limit)


def app_counts(session: Session, app_id: str) -> tuple[int, int]:
    """(policy versions, releases) of an app."""
    versions = session.exec(select(func.count()).select_from(PolicyVersion).where(PolicyVersion.app_id == app_id))
    releases_ = session.exec(select(func.count()).select_from(Release).where(Release.app_id == app_id))
    return versions.one(), releases_.one()

"""The registry's tables. Documents (declarations, inventories, evidence) are stored as canonical JSON
text beside a SHA-256 of that text, so that `consentry db verify` can show that no row was altered."""

from __future__ import annotations

import datetime

from sqlalchemy import Column, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class App(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=100)
    name: str = Field(max_length=300)
    package: str = Field(index=True, max_length=300)
    created_at: datetime.datetime = Field(default_factory=utc_now)


class PolicyVersion(SQLModel, table=True):
    """A published policy version: immutable; changing declarations means publishing a new one."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("app_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    app_id: str = Field(foreign_key="app.id", index=True, max_length=100)
    number: int
    """1, 2, 3 ... per app, in order of publication."""
    label: str = Field(max_length=200)
    """The policy's own version label."""
    effective_date: datetime.date
    url: str | None = Field(default=None, max_length=2000)
    declarations: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    published_at: datetime.datetime = Field(default_factory=utc_now)
    published_by: str = Field(max_length=200)


class Inventory(SQLModel, table=True):
    """What one artifact contained, stored once per artifact sha256."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(unique=True, max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)


class Release(SQLModel, table=True):
    """An artifact recorded for an app, keyed by its sha256: recording it again does not duplicate it."""

    __table_args__ = (UniqueConstraint("app_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    app_id: str = Field(foreign_key="app.id", index=True, max_length=100)
    sha256: str = Field(max_length=64)
    size: int
    kind: str = Field(max_length=32)
    package: str | None = Field(default=None, max_length=300)
    version_name: str | None = Field(default=None, max_length=200)
    version_code: int | None = None
    inventory_id: int = Field(foreign_key="inventory.id")
    policy_version_id: int | None = Field(default=None, foreign_key="policy_version.id")
    """The policy version in force when the release was recorded."""
    recorded_at: datetime.datetime = Field(default_factory=utc_now)
    recorded_by: str = Field(max_length=200)


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    policy_version_id: int | None = Field(default=None, foreign_key="policy_version.id")
    rule: str = Field(max_length=64)
    severity: str = Field(max_length=16)
    subject: str = Field(max_length=300)
    message: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    basis: str = Field(max_length=500)
    waived: bool = False


class Waiver(SQLModel, table=True):
    """A waiver of one finding (rule, subject) under a policy version: from its declarations when published
    (`source` "declarations"), or added later through the API ("api"). Revoked, never deleted."""

    id: int | None = Field(default=None, primary_key=True)
    policy_version_id: int = Field(foreign_key="policy_version.id", index=True)
    rule: str = Field(max_length=64)
    subject: str = Field(max_length=300)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    approver: str = Field(max_length=200)
    expires: datetime.date
    source: str = Field(default="declarations", max_length=16, sa_column_kwargs={"server_default": "declarations"})
    created_at: datetime.datetime | None = Field(default_factory=utc_now)
    created_by: str | None = Field(default=None, max_length=200)
    revoked_at: datetime.datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=200)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    token_hash: str = Field(unique=True, max_length=64)
    app_id: str | None = Field(default=None, foreign_key="app.id")
    created_at: datetime.datetime = Field(default_factory=utc_now)
    revoked_at: datetime.datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Append-only record of every write."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime.datetime = Field(default_factory=utc_now)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    app_id: str | None = Field(default=None, index=True, max_length=100)
    subject: str = Field(max_length=300)
    detail: str = Field(sa_column=Column(Text, nullable=False))


def _refuse_change(_mapper, _connection, target) -> None:  # type: ignore[no-untyped-def]
    raise PermissionError(f"{type(target).__name__} rows are immutable once written")


# Published policy versions, stored inventories and the audit log are never rewritten in place.
for _immutable in (PolicyVersion, Inventory, AuditEntry):
    event.listen(_immutable, "before_update", _refuse_change)
    event.listen(_immutable, "before_delete", _refuse_change)

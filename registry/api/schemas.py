"""What the API answers with: plain structs (their OpenAPI schemas come from these), built from rows."""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any, Literal

import msgspec

from manifests.data_item_catalog import DataItem
from manifests.permission_catalog import PlatformPermission
from manifests.sdk_catalog import SdkEntry
from registry import models

from .params import NO_NUL


class Struct(msgspec.Struct, kw_only=True):
    pass


class AppOut(Struct):
    id: str
    name: str
    package: str
    created_at: datetime.datetime


class AppDetail(AppOut):
    policy_versions: int
    releases: int
    policy_in_force: int | None
    """The number of the policy version in force today, if one is."""


class PolicyVersionOut(Struct):
    app_id: str
    number: int
    label: str
    effective_date: datetime.date
    url: str | None
    content_hash: str
    published_at: datetime.datetime
    published_by: str


class PolicyVersionDetail(PolicyVersionOut):
    declarations: dict[str, Any]
    """The declarations as published (schema `consentry/declarations/1`)."""


class Summary(Struct):
    errors: int
    warnings: int
    waived: int
    failed: bool
    """True when an error was not waived (the check gate's default `--fail-on error`)."""


class ReleaseOut(Struct):
    id: int
    app_id: str
    sha256: str
    size: int
    kind: str
    package: str | None
    version_name: str | None
    version_code: int | None
    policy_version: int | None
    """The number of the policy version in force when the release was recorded."""
    recorded_at: datetime.datetime
    recorded_by: str
    summary: Summary | None
    """Its findings against that policy version (None when no policy was in force)."""


class EvidenceOut(Struct):
    kind: str
    value: str
    count: int = 1


class FindingOut(Struct):
    id: int
    rule: str
    severity: str
    subject: str
    message: str
    basis: str
    evidence: list[EvidenceOut]
    waived: bool


class ReleaseReport(Struct):
    """What a release contained and what the policy in force at its time declared, in one answer."""

    release: ReleaseOut
    inventory: dict[str, Any]
    """What the build contained (schema `consentry/inventory/1`)."""
    policy: PolicyVersionDetail | None
    findings: list[FindingOut]


class WaiverIn(Struct):
    rule: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=64)]
    subject: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=300)]
    reason: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=5000)]
    approver: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
    expires: datetime.date


class WaiverOut(Struct):
    id: int
    policy_version: int
    rule: str
    subject: str
    reason: str
    approver: str
    expires: datetime.date
    source: str
    """`declarations` (published with the policy) or `api` (added since)."""
    created_at: datetime.datetime | None
    created_by: str | None
    revoked_at: datetime.datetime | None
    revoked_by: str | None


class TokenIn(Struct):
    role: Literal["auditor", "publisher", "admin"]
    name: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
    app_id: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=100)] | None = None


class TokenOut(Struct):
    id: int
    name: str
    role: str
    app_id: str | None
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None


class TokenCreated(TokenOut):
    token: str
    """The secret: shown this once, stored only as its hash."""


class AuditEntryOut(Struct):
    id: int
    at: datetime.datetime
    actor: str
    action: str
    app_id: str | None
    subject: str
    detail: dict[str, Any]


class SdkSummary(Struct):
    id: str
    name_en: str | None
    name_zh: str | None
    vendor_en: str | None
    vendor_zh: str | None
    category: str
    privacy_policy_url: str | None


class Health(Struct):
    status: str
    database: str
    version: str


class AppPage(Struct):
    items: list[AppOut]
    next: str | None


class PolicyVersionPage(Struct):
    items: list[PolicyVersionOut]
    next: str | None


class ReleasePage(Struct):
    items: list[ReleaseOut]
    next: str | None


class FindingPage(Struct):
    items: list[FindingOut]
    next: str | None


class WaiverPage(Struct):
    items: list[WaiverOut]
    next: str | None


class TokenPage(Struct):
    items: list[TokenOut]
    next: str | None


class AuditPage(Struct):
    items: list[AuditEntryOut]
    next: str | None


class SdkPage(Struct):
    items: list[SdkSummary]
    next: str | None


class PermissionPage(Struct):
    items: list[PlatformPermission]
    next: str | None


class DataItemPage(Struct):
    items: list[DataItem]
    next: str | None


def app_out(app: models.App) -> AppOut:
    return AppOut(id=app.id, name=app.name, package=app.package, created_at=app.created_at)


def version_out(version: models.PolicyVersion) -> PolicyVersionOut:
    return PolicyVersionOut(
        app_id=version.app_id,
        number=version.number,
        label=version.label,
        effective_date=version.effective_date,
        url=version.url,
        content_hash=version.content_hash,
        published_at=version.published_at,
        published_by=version.published_by,
    )


def version_detail(version: models.PolicyVersion) -> PolicyVersionDetail:
    fields = msgspec.structs.asdict(version_out(version))
    return PolicyVersionDetail(**fields, declarations=json.loads(version.declarations))


def summary_of(findings: list[models.Finding]) -> Summary:
    counted = [finding for finding in findings if not finding.waived]
    errors = sum(finding.severity == "error" for finding in counted)
    warnings = sum(finding.severity == "warning" for finding in counted)
    return Summary(errors=errors, warnings=warnings, waived=len(findings) - len(counted), failed=errors > 0)


def release_out(release: models.Release, version_number: int | None, findings: list[models.Finding]) -> ReleaseOut:
    assert release.id is not None
    return ReleaseOut(
        id=release.id,
        app_id=release.app_id,
        sha256=release.sha256,
        size=release.size,
        kind=release.kind,
        package=release.package,
        version_name=release.version_name,
        version_code=release.version_code,
        policy_version=version_number,
        recorded_at=release.recorded_at,
        recorded_by=release.recorded_by,
        summary=summary_of(findings) if version_number is not None else None,
    )


def finding_out(finding: models.Finding) -> FindingOut:
    assert finding.id is not None
    evidence = msgspec.json.decode(finding.evidence, type=list[EvidenceOut])
    return FindingOut(
        id=finding.id,
        rule=finding.rule,
        severity=finding.severity,
        subject=finding.subject,
        message=finding.message,
        basis=finding.basis,
        evidence=evidence,
        waived=finding.waived,
    )


def waiver_out(waiver: models.Waiver, version_number: int) -> WaiverOut:
    assert waiver.id is not None
    return WaiverOut(
        id=waiver.id,
        policy_version=version_number,
        rule=waiver.rule,
        subject=waiver.subject,
        reason=waiver.reason,
        approver=waiver.approver,
        expires=waiver.expires,
        source=waiver.source,
        created_at=waiver.created_at,
        created_by=waiver.created_by,
        revoked_at=waiver.revoked_at,
        revoked_by=waiver.revoked_by,
    )


def token_out(token: models.ApiToken) -> TokenOut:
    assert token.id is not None
    return TokenOut(
        id=token.id,
        name=token.name,
        role=token.role,
        app_id=token.app_id,
        created_at=token.created_at,
        revoked_at=token.revoked_at,
    )


def audit_out(entry: models.AuditEntry) -> AuditEntryOut:
    assert entry.id is not None
    detail = json.loads(entry.detail)
    return AuditEntryOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        app_id=entry.app_id,
        subject=entry.subject,
        detail=detail if isinstance(detail, dict) else {"value": detail},
    )


def sdk_summary(entry: SdkEntry) -> SdkSummary:
    return SdkSummary(
        id=entry.id,
        name_en=entry.name.en,
        name_zh=entry.name.zh,
        vendor_en=entry.vendor.en,
        vendor_zh=entry.vendor.zh,
        category=entry.category,
        privacy_policy_url=entry.privacy_policy_url,
    )

"""Writes and reads of the registry: publish a policy version, record a release, an app's history,
and the tamper check. Every write goes with an audit-log entry in the same transaction."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from manifests.declarations import Declarations
from manifests.declarations import Waiver as DeclaredWaiver
from scanners import Inventory

from .models import App, AuditEntry, PolicyVersion, Release, Waiver
from .models import Finding as FindingRow
from .models import Inventory as InventoryRow
from .reconcile import Finding, Findings, findings_for


class RegistryError(Exception):
    """A request the registry cannot carry out (unknown app, no policy in force, ...)."""


def canonical_json(document: object) -> str:
    """One text per document, whatever the key order it was built with: what content hashes cover."""
    return json.dumps(msgspec.to_builtins(document), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audit(session: Session, actor: str, action: str, app_id: str | None, subject: str, detail: object) -> None:
    session.add(AuditEntry(actor=actor, action=action, app_id=app_id, subject=subject, detail=canonical_json(detail)))


def publish(session: Session, declarations: Declarations, actor: str) -> tuple[PolicyVersion, bool]:
    """Publish declarations as the app's next policy version; returns (version, created).

    Publishing the same declarations as the newest version again returns that version unchanged.
    """
    text = canonical_json(declarations)
    digest = content_hash(text)
    app = session.get(App, declarations.app.id)
    if app is None:
        app = App(id=declarations.app.id, name=declarations.app.name, package=declarations.app.package)
        session.add(app)
        audit(session, actor, "app.create", app.id, app.id, {"name": app.name, "package": app.package})
    latest = _latest_version(session, app.id)
    if latest is not None and latest.content_hash == digest:
        return latest, False
    version = PolicyVersion(
        app_id=app.id,
        number=(latest.number + 1) if latest else 1,
        label=declarations.policy.version,
        effective_date=declarations.policy.effective_date,
        url=declarations.policy.url,
        declarations=text,
        content_hash=digest,
        published_by=actor,
    )
    session.add(version)
    session.flush()
    for waiver in declarations.waivers:
        session.add(Waiver(policy_version_id=version.id, created_by=actor, **msgspec.structs.asdict(waiver)))
    audit(
        session,
        actor,
        "policy.publish",
        app.id,
        f"policy_version:{version.id}",
        {"number": version.number, "label": version.label, "content_hash": digest},
    )
    session.commit()
    return version, True


def _latest_version(session: Session, app_id: str) -> PolicyVersion | None:
    query = select(PolicyVersion).where(PolicyVersion.app_id == app_id).order_by(col(PolicyVersion.number).desc())
    return session.exec(query.limit(1)).first()


def policy_in_force(session: Session, app_id: str, on: datetime.date | None = None) -> PolicyVersion | None:
    """The newest published version whose effective date has come."""
    on = on or datetime.datetime.now(datetime.UTC).date()
    query = (
        select(PolicyVersion)
        .where(PolicyVersion.app_id == app_id, PolicyVersion.effective_date <= on)
        .order_by(col(PolicyVersion.effective_date).desc(), col(PolicyVersion.number).desc())
    )
    return session.exec(query.limit(1)).first()


@dataclass(frozen=True)
class Recorded:
    release: Release
    created: bool
    findings: Findings | None
    """The release reconciled against the policy version in force when it was recorded (None if none was)."""


def record(
    session: Session,
    app_id: str,
    inventory: Inventory,
    actor: str,
    *,
    policy_text: str | None = None,
    fail_on: str = "error",
) -> Recorded:
    """Store a scanned artifact as a release of the app, reconciled against the policy in force.

    Keyed by the artifact's sha256: recording the same artifact again, from any number of processes at
    once, stores it (and its findings) once."""
    if session.get(App, app_id) is None:
        raise RegistryError(f"no app {app_id!r} in the registry; publish its declarations first")
    sha256 = inventory.artifact.sha256
    existing = _release(session, app_id, sha256)
    if existing is not None:
        return Recorded(existing, False, _findings(session, existing, inventory, policy_text, fail_on))
    try:
        inventory_row = _stored_inventory(session, inventory)
        in_force = policy_in_force(session, app_id)
        release = Release(
            app_id=app_id,
            sha256=sha256,
            size=inventory.artifact.size,
            kind=inventory.artifact.kind,
            package=inventory.app.package,
            version_name=inventory.app.version_name,
            version_code=inventory.app.version_code,
            inventory_id=inventory_row.id,
            policy_version_id=in_force.id if in_force else None,
            recorded_by=actor,
        )
        session.add(release)
        session.flush()
        findings = _findings(session, release, inventory, policy_text, fail_on)
        for finding in findings.findings if findings else ():
            session.add(_finding_row(release, finding))
        audit(
            session,
            actor,
            "release.record",
            app_id,
            f"release:{release.id}",
            {
                "sha256": sha256,
                "version_name": release.version_name,
                "version_code": release.version_code,
                "findings": len(findings.findings) if findings else None,
            },
        )
        session.commit()
        return Recorded(release, True, findings)
    except IntegrityError:
        # Another process recorded the same artifact between our look-up and our insert.
        session.rollback()
        existing = _release(session, app_id, sha256)
        if existing is None:
            raise
        return Recorded(existing, False, _findings(session, existing, inventory, policy_text, fail_on))


def declarations_of(version: PolicyVersion) -> Declarations:
    """The declarations a policy version published."""
    return msgspec.convert(json.loads(version.declarations), Declarations, strict=False)


def active_waivers(session: Session, policy_version_id: int | None) -> tuple[DeclaredWaiver, ...]:
    """The waivers of a policy version that are not revoked: its declarations' own, and those added since."""
    query = (
        select(Waiver)
        .where(Waiver.policy_version_id == policy_version_id, col(Waiver.revoked_at).is_(None))
        .order_by(col(Waiver.id))
    )
    return tuple(
        DeclaredWaiver(
            rule=row.rule, subject=row.subject, reason=row.reason, approver=row.approver, expires=row.expires
        )
        for row in session.exec(query)
    )


def stored_declarations(session: Session, app_id: str, number: int | None = None) -> Declarations | None:
    """The declarations of an app's policy version `number`, or of the policy in force."""
    if number is None:
        version = policy_in_force(session, app_id)
    else:
        query = select(PolicyVersion).where(PolicyVersion.app_id == app_id, PolicyVersion.number == number)
        version = session.exec(query).first()
    return declarations_of(version) if version else None


def _findings(
    session: Session, release: Release, inventory: Inventory, policy_text: str | None, fail_on: str
) -> Findings | None:
    version = session.get(PolicyVersion, release.policy_version_id) if release.policy_version_id else None
    if version is None:
        return None
    declarations = msgspec.structs.replace(declarations_of(version), waivers=active_waivers(session, version.id))
    return findings_for(
        inventory,
        declarations,
        source=f"{release.app_id} policy version {version.number}",
        policy_text=policy_text,
        fail_on=fail_on,
    )


def _finding_row(release: Release, finding: Finding) -> FindingRow:
    return FindingRow(
        release_id=release.id,
        policy_version_id=release.policy_version_id,
        rule=finding.rule,
        severity=finding.severity,
        subject=finding.subject,
        message=finding.message,
        evidence=canonical_json(finding.evidence),
        basis=finding.basis,
        waived=finding.waiver is not None,
    )


def _release(session: Session, app_id: str, sha256: str) -> Release | None:
    return session.exec(select(Release).where(Release.app_id == app_id, Release.sha256 == sha256)).first()


def _stored_inventory(session: Session, inventory: Inventory) -> InventoryRow:
    sha256 = inventory.artifact.sha256
    row = session.exec(select(InventoryRow).where(InventoryRow.sha256 == sha256)).first()
    if row is not None:
        return row
    # The path is where one user happened to keep the file: not part of what the artifact contains.
    text = canonical_json(
        msgspec.structs.replace(inventory, artifact=msgspec.structs.replace(inventory.artifact, path=""))
    )
    row = InventoryRow(sha256=sha256, document=text, content_hash=content_hash(text))
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime.datetime
    kind: str  # "policy" or "release"
    title: str
    detail: str


def history(session: Session, app_id: str) -> list[HistoryEvent]:
    """Policy versions and releases of an app, newest first."""
    if session.get(App, app_id) is None:
        raise RegistryError(f"no app {app_id!r} in the registry")
    events = [
        HistoryEvent(
            at=version.published_at,
            kind="policy",
            title=f"policy version {version.number}: {version.label}",
            detail=f"effective {version.effective_date}, published by {version.published_by}",
        )
        for version in session.exec(select(PolicyVersion).where(PolicyVersion.app_id == app_id))
    ]
    numbers = {version.id: version.number for version in session.exec(select(PolicyVersion))}
    events += [
        HistoryEvent(
            at=release.recorded_at,
            kind="release",
            title=f"release {release.version_name or '?'} ({release.version_code or '?'})",
            detail=(
                f"sha256 {release.sha256[:12]}…, {release.size:,} bytes, recorded by {release.recorded_by}; "
                + (
                    f"policy version {numbers[release.policy_version_id]} in force"
                    if release.policy_version_id
                    else "no policy in force"
                )
            ),
        )
        for release in session.exec(select(Release).where(Release.app_id == app_id))
    ]
    return sorted(events, key=lambda event: _aware(event.at), reverse=True)


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def verify(session: Session) -> list[str]:
    """Rows whose stored document no longer matches its content hash (tamper evidence)."""
    problems = []
    for version in session.exec(select(PolicyVersion)):
        if content_hash(version.declarations) != version.content_hash:
            problems.append(f"policy_version {version.id} ({version.app_id} v{version.number}): content changed")
    for row in session.exec(select(InventoryRow)):
        if content_hash(row.document) != row.content_hash:
            problems.append(f"inventory {row.id} (sha256 {row.sha256[:12]}…): content changed")
    return problems

"""What each page shows, read from the registry and the catalogs: plain values for the templates."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from manifests.catalog_queries import search
from manifests.declarations import Declarations
from manifests.disclosure import Table, disclosure_tables
from manifests.sdk_catalog import SdkEntry, load_sdk_catalog
from registry import queries
from registry.models import App, Finding, PolicyVersion, Release, Waiver
from registry.models import Inventory as InventoryRow
from registry.store import policy_in_force, stored_declarations
from scanners.inventory import Inventory

from .compare import PermissionRow, SdkRow, permission_rows, sdk_rows

APP_LIST_LIMIT = 500
SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class Counts:
    errors: int = 0
    warnings: int = 0
    waived: int = 0


@dataclass(frozen=True)
class AppRow:
    app: App
    policy: PolicyVersion | None
    releases: int
    latest: Release | None


@dataclass(frozen=True)
class Event:
    at: datetime.datetime
    kind: str  # "policy" or "release"
    policy: PolicyVersion | None = None
    release: Release | None = None
    policy_number: int | None = None
    """For a release: the number of the policy version in force when it was recorded."""
    counts: Counts | None = None


@dataclass(frozen=True)
class FindingView:
    row: Finding
    evidence: list[dict[str, object]]
    waiver: Waiver | None


@dataclass(frozen=True)
class ReleaseReport:
    app: App
    release: Release
    policy: PolicyVersion | None
    inventory: Inventory
    findings: list[FindingView]
    counts: Counts
    sdks: list[SdkRow]
    permissions: list[PermissionRow]
    by_subject: dict[tuple[str, str], FindingView] = field(default_factory=dict)
    """Findings by (rule, subject), so that a comparison row can show its finding."""


@dataclass(frozen=True)
class PolicyPage:
    app: App
    version: PolicyVersion
    declarations: Declarations
    tables: list[Table]


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def app_rows(db: Session, query: str = "") -> list[AppRow]:
    """Apps whose id, name or package contains `query` (any case), by name."""
    statement = select(App).order_by(func.lower(App.name), App.id).limit(APP_LIST_LIMIT)
    if wanted := query.strip().lower():
        fields = (App.id, App.name, App.package)
        statement = statement.where(or_(*(func.lower(f).contains(wanted, autoescape=True) for f in fields)))
    apps = list(db.exec(statement))
    ids = [app.id for app in apps]
    counted = select(Release.app_id, func.count()).where(col(Release.app_id).in_(ids)).group_by(Release.app_id)
    counts: dict[str, int] = dict(db.exec(counted).all())
    newest = db.exec(select(func.max(Release.id)).where(col(Release.app_id).in_(ids)).group_by(Release.app_id))
    latest = {release.app_id: release for release in db.exec(select(Release).where(col(Release.id).in_(list(newest))))}
    return [AppRow(app, policy_in_force(db, app.id), counts.get(app.id, 0), latest.get(app.id)) for app in apps]


def release_counts(db: Session, release_ids: list[int]) -> dict[int, Counts]:
    statement = select(Finding.release_id, Finding.severity, Finding.waived, func.count())
    statement = statement.where(col(Finding.release_id).in_(release_ids))
    tally: dict[int, Counter[str]] = {}
    for release_id, severity, waived, number in db.exec(
        statement.group_by(Finding.release_id, Finding.severity, Finding.waived)
    ):
        tally.setdefault(release_id, Counter())["waived" if waived else severity] += number
    return {rid: Counts(c["error"], c["warning"], c["waived"]) for rid, c in tally.items()}


def timeline(db: Session, app_id: str) -> tuple[App, list[Event]] | None:
    """An app's policy versions and releases, newest first."""
    app = db.get(App, app_id)
    if app is None:
        return None
    versions = list(db.exec(select(PolicyVersion).where(PolicyVersion.app_id == app_id)))
    numbers = {version.id: version.number for version in versions}
    releases = list(db.exec(select(Release).where(Release.app_id == app_id)))
    counts = release_counts(db, [release.id for release in releases if release.id is not None])
    events = [Event(version.published_at, "policy", policy=version) for version in versions]
    events += [
        Event(
            release.recorded_at,
            "release",
            release=release,
            policy_number=numbers.get(release.policy_version_id),
            counts=counts.get(release.id or 0, Counts()) if release.policy_version_id else None,
        )
        for release in releases
    ]
    return app, sorted(events, key=lambda event: (_aware(event.at), event.kind == "release"), reverse=True)


def _finding_views(db: Session, release: Release) -> list[FindingView]:
    rows = list(db.exec(select(Finding).where(Finding.release_id == release.id)))
    waivers: dict[tuple[str, str], Waiver] = {}
    if release.policy_version_id:
        query = select(Waiver).where(Waiver.policy_version_id == release.policy_version_id)
        # the waiver in force over any revoked one of the same finding
        ordered = sorted(db.exec(query), key=lambda waiver: waiver.revoked_at is None)
        waivers = {(waiver.rule, waiver.subject): waiver for waiver in ordered}
    views = [
        FindingView(row, json.loads(row.evidence), waivers.get((row.rule, row.subject)) if row.waived else None)
        for row in rows
    ]
    return sorted(views, key=lambda v: (v.row.waived, SEVERITY_ORDER.get(v.row.severity, 2), v.row.rule, v.row.subject))


def release_report(db: Session, release_id: int) -> ReleaseReport | None:
    release = db.get(Release, release_id)
    if release is None:
        return None
    app = db.get(App, release.app_id)
    inventory_row = db.get(InventoryRow, release.inventory_id)
    if app is None or inventory_row is None:
        return None
    inventory = Inventory.from_json(inventory_row.document)
    policy = db.get(PolicyVersion, release.policy_version_id) if release.policy_version_id else None
    declarations = stored_declarations(db, app.id, policy.number) if policy else None
    findings = _finding_views(db, release)
    counts = release_counts(db, [release_id]).get(release_id, Counts())
    return ReleaseReport(
        app=app,
        release=release,
        policy=policy,
        inventory=inventory,
        findings=findings,
        counts=counts,
        sdks=sdk_rows(inventory, declarations),
        permissions=permission_rows(inventory, declarations),
        by_subject={(view.row.rule, view.row.subject): view for view in findings},
    )


def policy_page(db: Session, app_id: str, number: int, lang: str) -> PolicyPage | None:
    app = db.get(App, app_id)
    version = queries.policy_version(db, app_id, number)
    declarations = stored_declarations(db, app_id, number) if version else None
    if app is None or version is None or declarations is None:
        return None
    return PolicyPage(app, version, declarations, disclosure_tables(declarations, lang))


def catalog_entries(query: str = "") -> list[SdkEntry]:
    """Catalog entries matching `query` (names, aliases, vendor, packages), best first; all of them without one."""
    entries = load_sdk_catalog()
    return search(entries, query) if query.strip() else list(entries)


def catalog_entry(sdk_id: str) -> SdkEntry | None:
    return next((entry for entry in load_sdk_catalog() if entry.id == sdk_id), None)

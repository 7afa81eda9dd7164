"""An app's releases: list, upload (scanned, reconciled, stored by sha256), one release, its inventory,
its findings, and the auditor's question in one answer: what it contained and what the policy declared."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from sqlmodel import Session

from registry import queries
from registry.database import session
from registry.models import Inventory as InventoryRow
from registry.models import PolicyVersion, Release
from registry.store import RegistryError
from registry.uploads import UploadRejected, store_upload

from ..auth import Principal, writes_app
from ..etags import ETagMiddleware
from ..openapi import SECURITY, UploadBody
from ..pagination import Cursor, Limit, decode_cursor, link_header, next_link
from ..params import NO_NUL, AppId, RowId, VersionCode
from ..problems import Problem, ProblemItem, already, cached, problems
from ..resources import app_or_404, release_or_404, version_number
from ..schemas import (
    FindingPage,
    ReleaseOut,
    ReleasePage,
    ReleaseReport,
    finding_out,
    release_out,
    version_detail,
)
from ..settings import ApiSettings
from ..upload import Received, receive_upload

Sha256 = Annotated[str | None, Parameter(pattern="^[0-9a-fA-F]{64}$", description="The artifact's SHA-256.")]


class ReleaseController(Controller):
    path = "/apps/{app_id:str}/releases"
    tags = ("releases",)
    security = SECURITY

    @get("/", sync_to_thread=False, responses=problems(400, 401, 404))
    def list_releases(
        self,
        request: Request,
        db: Session,
        app_id: AppId,
        limit: Limit,
        cursor: Cursor,
        sha256: Sha256 = None,
        version_name: Annotated[str | None, Parameter(max_length=200, pattern=NO_NUL)] = None,
        version_code: VersionCode = None,
    ) -> Response[ReleasePage]:
        """The app's releases, newest first; filter by artifact SHA-256 or version."""
        app_or_404(db, app_id)
        which = queries.ReleaseFilter(sha256=sha256, version_name=version_name, version_code=version_code)
        page = queries.releases(db, app_id, which, before=decode_cursor(cursor, int), limit=limit)
        link = next_link(request, page.after)
        items = [_release_out(db, release) for release in page.items]
        return Response(ReleasePage(items=items, next=link), headers=link_header(link))

    @post(
        "/",
        guards=[writes_app],
        operation_class=UploadBody,
        request_max_body_size=None,
        responses={**problems(400, 401, 403, 404, 413, 422), **already(ReleaseOut)},
    )
    async def upload_release(
        self, request: Request, settings: ApiSettings, principal: Principal, app_id: AppId
    ) -> Response[ReleaseOut]:
        """Upload a build (multipart field `file`): scanned with the command line's limits, reconciled
        against the policy in force, stored by SHA-256. 201 for a new release; 200 with the release the
        same bytes already are."""
        await anyio.to_thread.run_sync(_known_app, settings.database_url, app_id)
        received = await receive_upload(request, settings.upload_limit, settings.upload_dir)
        try:
            release, created = await anyio.to_thread.run_sync(_store, settings, app_id, received, principal)
        finally:
            received.path.unlink(missing_ok=True)
        location = f"/api/v1/apps/{app_id}/releases/{release.id}"
        return Response(release, status_code=201 if created else 200, headers={"Location": location})

    @get("/{release_id:int}", sync_to_thread=False, middleware=[ETagMiddleware], responses=cached(401, 404))
    def get_release(self, db: Session, app_id: AppId, release_id: RowId) -> ReleaseOut:
        """One release, with the policy version in force when it was recorded and its findings' summary."""
        return _release_out(db, release_or_404(db, app_id, release_id))

    @get("/{release_id:int}/inventory", sync_to_thread=False, middleware=[ETagMiddleware], responses=cached(401, 404))
    def get_inventory(self, db: Session, app_id: AppId, release_id: RowId) -> dict[str, Any]:
        """What the build contained (schema `consentry/inventory/1`)."""
        return _inventory(db, release_or_404(db, app_id, release_id))

    @get(
        "/{release_id:int}/findings",
        sync_to_thread=False,
        middleware=[ETagMiddleware],
        responses=cached(400, 401, 404),
    )
    def list_findings(
        self,
        request: Request,
        db: Session,
        app_id: AppId,
        release_id: RowId,
        limit: Limit,
        cursor: Cursor,
        rule: Annotated[
            str | None, Parameter(max_length=64, pattern=NO_NUL, description="A rule id: `sdk.undeclared`.")
        ] = None,
        severity: Literal["error", "warning"] | None = None,
        waived: bool | None = None,
    ) -> Response[FindingPage]:
        """What was flagged when the release was recorded, against the policy version then in force."""
        release_or_404(db, app_id, release_id)
        which = queries.FindingFilter(rule=rule, severity=severity, waived=waived)
        page = queries.findings(db, release_id, which, after=decode_cursor(cursor, int), limit=limit)
        link = next_link(request, page.after)
        items = [finding_out(finding) for finding in page.items]
        return Response(FindingPage(items=items, next=link), headers=link_header(link))

    @get("/{release_id:int}/report", sync_to_thread=False, middleware=[ETagMiddleware], responses=cached(401, 404))
    def get_report(self, db: Session, app_id: AppId, release_id: RowId) -> ReleaseReport:
        """What the release contained, what the policy in force at its time declared, and what was
        flagged: the auditor's question in one answer."""
        release = release_or_404(db, app_id, release_id)
        findings = list(queries.all_findings(db, release_id))
        version = db.get(PolicyVersion, release.policy_version_id) if release.policy_version_id else None
        return ReleaseReport(
            release=_release_out(db, release),
            inventory=_inventory(db, release),
            policy=version_detail(version) if version else None,
            findings=[finding_out(finding) for finding in findings],
        )


def _release_out(db: Session, release: Release) -> ReleaseOut:
    assert release.id is not None
    findings = list(queries.all_findings(db, release.id))
    return release_out(release, version_number(db, release.policy_version_id), findings)


def _inventory(db: Session, release: Release) -> dict[str, Any]:
    row = db.get(InventoryRow, release.inventory_id)
    assert row is not None
    return json.loads(row.document)  # type: ignore[no-any-return]


def _known_app(database_url: str, app_id: AppId) -> None:
    with session(database_url) as db:
        app_or_404(db, app_id)


def _store(settings: ApiSettings, app_id: AppId, received: Received, principal: Principal) -> tuple[ReleaseOut, bool]:
    with session(settings.database_url) as db:
        try:
            stored = store_upload(
                db, app_id, received.path, received.filename, received.sha256, principal.actor, settings.scan_limits
            )
        except UploadRejected as error:
            message = str(error)
            raise Problem(
                422, message, kind="unreadable-artifact", errors=[ProblemItem(path="file", message=message)]
            ) from None
        except RegistryError as error:
            raise Problem(404, str(error), kind="not-found") from None
        return _release_out(db, stored.release), stored.created

"""Waivers of a policy version: list, add, revoke (never deleted: a revoked waiver stays on record)."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, post
from sqlmodel import Session

from manifests.declarations import Waiver as DeclaredWaiver
from registry import queries
from registry.waivers import WaiverError, add_waiver, revoke_waiver

from ..auth import Principal, writes_app
from ..openapi import SECURITY
from ..pagination import Cursor, Limit, decode_cursor, link_header, next_link
from ..params import AppId, RowId, VersionNumber
from ..problems import Problem, ProblemItem, problems
from ..resources import app_or_404, version_or_404
from ..schemas import WaiverIn, WaiverOut, WaiverPage, waiver_out


class WaiverController(Controller):
    path = "/apps/{app_id:str}"
    tags = ("waivers",)
    security = SECURITY

    @get("/policy-versions/{number:int}/waivers", sync_to_thread=False, responses=problems(400, 401, 404))
    def list_waivers(
        self, request: Request, db: Session, app_id: AppId, number: VersionNumber, limit: Limit, cursor: Cursor
    ) -> Response[WaiverPage]:
        """The waivers of a policy version (its declarations' own and those added since), revoked ones too."""
        version = version_or_404(db, app_id, number)
        assert version.id is not None
        page = queries.waivers(db, version.id, after=decode_cursor(cursor, int), limit=limit)
        link = next_link(request, page.after)
        items = [waiver_out(row, number) for row in page.items]
        return Response(WaiverPage(items=items, next=link), headers=link_header(link))

    @post(
        "/policy-versions/{number:int}/waivers",
        guards=[writes_app],
        sync_to_thread=True,
        responses=problems(400, 401, 403, 404, 422),
    )
    def create_waiver(
        self, db: Session, principal: Principal, app_id: AppId, number: VersionNumber, data: WaiverIn
    ) -> Response[WaiverOut]:
        """Waive one finding (rule and subject) under this policy version until it expires: releases checked
        from now on report it as waived. Releases already recorded keep the findings they were recorded with."""
        version = version_or_404(db, app_id, number)
        waiver = DeclaredWaiver(
            rule=data.rule, subject=data.subject, reason=data.reason, approver=data.approver, expires=data.expires
        )
        try:
            row = add_waiver(db, version, waiver, principal.actor)
        except WaiverError as error:
            items = [ProblemItem(path=error.path or "(body)", message=str(error))]
            raise Problem(422, str(error), kind="invalid-waiver", errors=items) from None
        location = f"/api/v1/apps/{app_id}/waivers/{row.id}"
        return Response(waiver_out(row, number), status_code=201, headers={"Location": location})

    @delete(
        "/waivers/{waiver_id:int}",
        guards=[writes_app],
        sync_to_thread=True,
        status_code=200,
        responses=problems(401, 403, 404, 409),
    )
    def revoke(self, db: Session, principal: Principal, app_id: AppId, waiver_id: RowId) -> WaiverOut:
        """Revoke a waiver: the finding counts again in releases checked from now on."""
        found = queries.waiver(db, app_id, waiver_id)
        if found is None:
            app_or_404(db, app_id)
            raise Problem(404, f"app {app_id!r} has no waiver {waiver_id}", kind="not-found")
        row, version = found
        try:
            revoked = revoke_waiver(db, row, app_id, principal.actor)
        except WaiverError as error:
            raise Problem(409, str(error), kind="conflict") from None
        return waiver_out(revoked, version.number)

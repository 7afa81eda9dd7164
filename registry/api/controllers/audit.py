"""The audit log of an app: every write that touched it, newest first."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from sqlmodel import Session

from registry import queries

from ..openapi import SECURITY
from ..pagination import Cursor, Limit, decode_cursor, link_header, next_link
from ..params import AppId
from ..problems import problems
from ..resources import app_or_404
from ..schemas import AuditPage, audit_out


class AuditController(Controller):
    path = "/apps/{app_id:str}/audit-log"
    tags = ("audit log",)
    security = SECURITY

    @get("/", sync_to_thread=False, responses=problems(400, 401, 404))
    def list_entries(
        self, request: Request, db: Session, app_id: AppId, limit: Limit, cursor: Cursor
    ) -> Response[AuditPage]:
        """Who published, recorded, waived or revoked what, and when."""
        app_or_404(db, app_id)
        page = queries.audit_entries(db, app_id, before=decode_cursor(cursor, int), limit=limit)
        link = next_link(request, page.after)
        return Response(AuditPage(items=[audit_out(e) for e in page.items], next=link), headers=link_header(link))

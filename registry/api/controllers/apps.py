"""Apps: list and search (by part of an id, name or package, or by a whole package name), and one app."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import Parameter
from sqlmodel import Session

from registry import queries
from registry.store import policy_in_force

from ..openapi import SECURITY
from ..pagination import Cursor, Limit, decode_cursor, link_header, next_link
from ..params import NO_NUL, AppId
from ..problems import problems
from ..resources import app_or_404
from ..schemas import AppDetail, AppPage, app_out


class AppController(Controller):
    path = "/apps"
    tags = ("apps",)
    security = SECURITY

    @get("/", sync_to_thread=False, responses=problems(400, 401))
    def list_apps(
        self,
        request: Request,
        db: Session,
        limit: Limit,
        cursor: Cursor,
        q: Annotated[
            str | None, Parameter(max_length=300, pattern=NO_NUL, description="Part of an id, name or package.")
        ] = None,
        package: Annotated[
            str | None, Parameter(max_length=300, pattern=NO_NUL, description="A whole package name.")
        ] = None,
    ) -> Response[AppPage]:
        """Apps in the registry, by id."""
        page = queries.apps(db, q=q, package=package, after=decode_cursor(cursor, str), limit=limit)
        link = next_link(request, page.after)
        return Response(AppPage(items=[app_out(app) for app in page.items], next=link), headers=link_header(link))

    @get("/{app_id:str}", sync_to_thread=False, responses=problems(401, 404))
    def get_app(self, db: Session, app_id: AppId) -> AppDetail:
        """One app, with how many policy versions and releases it has and the policy version in force."""
        app = app_or_404(db, app_id)
        versions, releases = queries.app_counts(db, app_id)
        in_force = policy_in_force(db, app_id)
        return AppDetail(
            **msgspec.structs.asdict(app_out(app)),
            policy_versions=versions,
            releases=releases,
            policy_in_force=in_force.number if in_force else None,
        )

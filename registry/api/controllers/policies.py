"""An app's policy versions: list, publish (JSON or YAML declarations, validated as `consentry publish`
does), one version with its declarations, and its disclosure tables in any format the CLI writes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from manifests.declarations import MAX_SIZE, Declarations, DeclarationsError, parse_declarations
from registry import queries
from registry.database import session
from registry.models import PolicyVersion
from registry.store import publish

from ..auth import Principal, writes_app
from ..etags import ETagMiddleware
from ..openapi import SECURITY, DeclarationsBody, DisclosureOperation
from ..pagination import Cursor, Limit, decode_cursor, link_header, next_link
from ..params import AppId, VersionNumber
from ..problems import Problem, ProblemItem, already, cached, problems
from ..resources import app_or_404, version_or_404
from ..schemas import PolicyVersionDetail, PolicyVersionOut, PolicyVersionPage, version_detail, version_out
from ..settings import ApiSettings
from .disclosure import render_disclosure

TODO = "TODO:"
Format = Literal["markdown", "html", "csv", "json", "play-csv"]
Table = Literal["sdks", "permissions", "collected", "shared", "all"]


class PolicyVersionController(Controller):
    path = "/apps/{app_id:str}/policy-versions"
    tags = ("policy versions",)
    security = SECURITY

    @get("/", sync_to_thread=False, responses=problems(400, 401, 404))
    def list_versions(
        self, request: Request, db: Session, app_id: AppId, limit: Limit, cursor: Cursor
    ) -> Response[PolicyVersionPage]:
        """The app's published policy versions, newest first."""
        app_or_404(db, app_id)
        page = queries.policy_versions(db, app_id, before=decode_cursor(cursor, int), limit=limit)
        link = next_link(request, page.after)
        items = [version_out(version) for version in page.items]
        return Response(PolicyVersionPage(items=items, next=link), headers=link_header(link))

    @post(
        "/",
        guards=[writes_app],
        operation_class=DeclarationsBody,
        request_max_body_size=MAX_SIZE,
        responses={**problems(400, 401, 403, 409, 413, 422), **already(PolicyVersionOut)},
    )
    async def publish_version(
        self, request: Request, settings: ApiSettings, principal: Principal, app_id: AppId
    ) -> Response[PolicyVersionOut]:
        """Publish declarations as the app's next policy version (201), or find them already published as
        its newest (200). Every problem is reported with its path (422)."""
        body = await request.body()
        version, created = await anyio.to_thread.run_sync(_publish, settings.database_url, body, app_id, principal)
        location = f"/api/v1/apps/{app_id}/policy-versions/{version.number}"
        return Response(version_out(version), status_code=201 if created else 200, headers={"Location": location})

    @get("/{number:int}", sync_to_thread=False, middleware=[ETagMiddleware], responses=cached(401, 404))
    def get_version(self, db: Session, app_id: AppId, number: VersionNumber) -> PolicyVersionDetail:
        """One published (immutable) policy version, with its declarations."""
        return version_detail(version_or_404(db, app_id, number))

    @get("/{number:int}/declarations", sync_to_thread=False, middleware=[ETagMiddleware], responses=cached(401, 404))
    def get_declarations(self, db: Session, app_id: AppId, number: VersionNumber) -> dict[str, Any]:
        """The declarations of a policy version as published (schema `consentry/declarations/1`)."""
        return version_detail(version_or_404(db, app_id, number)).declarations

    @get(
        "/{number:int}/disclosure",
        sync_to_thread=False,
        operation_class=DisclosureOperation,
        middleware=[ETagMiddleware],
        responses=cached(400, 401, 404, 501),
    )
    def get_disclosure(
        self,
        db: Session,
        app_id: AppId,
        number: VersionNumber,
        lang: Annotated[Literal["zh", "en"], Parameter(description="Language of the tables.")] = "zh",
        output_format: Annotated[
            Format, Parameter(query="format", description="As `consentry disclose`.")
        ] = "markdown",
        table: Annotated[Table, Parameter(description="One table, or all of them.")] = "all",
    ) -> Response[str]:
        """The disclosure tables the policy publishes (SDK list, permissions, data collected and shared), as
        `consentry disclose --app ID --version N` writes them."""
        version = version_or_404(db, app_id, number)
        return render_disclosure(version, lang, table, output_format)


def _parsed(body: bytes, app_id: str) -> Declarations:
    try:
        declarations = parse_declarations(body, "request body")
    except DeclarationsError as error:
        raise _invalid(error.problems) from None
    if (marks := body.decode("utf-8", "replace").count(TODO)) > 0:
        raise _invalid([f"(file): {marks} {TODO} marks left; decide them first"])
    if b"\\u0000" in declarations.to_json():
        raise _invalid(["(file): a NUL character; text cannot hold one"])
    if declarations.app.id != app_id:
        raise _invalid([f"app.id: {declarations.app.id!r} is not the app of this path ({app_id!r})"])
    return declarations


def _invalid(found: list[str]) -> Problem:
    items = [ProblemItem(path=path, message=message) for path, _, message in (p.partition(": ") for p in found)]
    return Problem(422, f"the declarations have {len(items)} problem(s)", kind="invalid-declarations", errors=items)


def _publish(database_url: str, body: bytes, app_id: str, principal: Principal) -> tuple[PolicyVersion, bool]:
    declarations = _parsed(body, app_id)
    with session(database_url) as db:
        try:
            version, created = publish(db, declarations, principal.actor)
        except IntegrityError:
            raise Problem(
                409, "another policy version of this app was published at the same moment; try again", kind="conflict"
            ) from None
        db.refresh(version)
        db.expunge(version)
        return version, created

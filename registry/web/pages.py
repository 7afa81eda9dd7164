"""The auditor pages: handlers, the login guard, and the router that the app mounts at `/`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, Router, get, post
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, ResponseHeader
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from sqlmodel import Session

from registry.database import session

from . import views
from .i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, strings
from .session import Reader, cookie_secure, csrf_config, reader_for_hash, session_middleware, verify_token

STATIC = Path(__file__).parent / "static"
HOME = "/apps"
SECURE_OPT = "web_cookies_secure"
"""Router `opt` key: whether the pages' cookies are `Secure`."""
QUERY = Annotated[str, Parameter(max_length=200, description="search text")]
SECURITY_HEADERS = [
    ResponseHeader(
        name="Content-Security-Policy",
        value="default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Cache-Control", value="no-store"),
]


class LoginRequired(NotAuthorizedException):
    """A page was asked for without a valid session: the answer is a redirect to the login form."""


# --- language and rendering


def language(request: Request[Any, Any, Any]) -> str:
    return choose_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )


def _with_query(request: Request[Any, Any, Any], **changes: str) -> str:
    params = [(key, value) for key, value in request.query_params.multi_items() if key not in changes]
    return f"{request.url.path}?{urlencode([*params, *changes.items()])}"


def page(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """Render `template` in the request's language, remembering a language chosen with `?lang=`."""
    lang = language(request)
    cookies = []
    if request.query_params.get("lang") in LANGUAGES:
        cookies.append(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=lang,
                max_age=365 * 86400,
                httponly=True,
                samesite="lax",
                secure=request.route_handler.opt.get(SECURE_OPT, True),
            )
        )
    common = {
        "t": strings(lang),
        "lang": lang,
        "languages": [(code, strings(code)("language_name"), _with_query(request, lang=code)) for code in LANGUAGES],
        "reader": getattr(request.state, "reader", None),
        "path": request.url.path,
    }
    return Template(template_name=template, context=common | context, status_code=status_code, cookies=cookies)


def not_found(request: Request[Any, Any, Any], what: str) -> Template:
    return page(request, "not_found.html", status_code=404, what=what)


# --- signing in


def database(connection: ASGIConnection[Any, Any, Any, Any]) -> Session:
    """A session on the app's database: the one the app was created with, else $CONSENTRY_DATABASE_URL."""
    settings = getattr(connection.app.state, "settings", None)
    return session(getattr(settings, "database_url", None))


def _reader(connection: ASGIConnection[Any, Any, Any, Any], token_hash: str) -> Reader | None:
    with database(connection) as db:
        return reader_for_hash(db, token_hash)


async def require_reader(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a session whose token still exists, is not revoked and may read."""
    token_hash = connection.session.get("token_hash")
    reader = await sync_to_thread(_reader, connection, token_hash) if isinstance(token_hash, str) else None
    if reader is None:
        raise LoginRequired()
    connection.state.reader = reader


def to_login(request: Request[Any, Any, Any], _: LoginRequired) -> Response[Any]:
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?{urlencode({'next': wanted})}", status_code=303)


def form_refused(request: Request[Any, Any, Any], _: PermissionDeniedException) -> Response[Any]:
    """A form sent without its CSRF token (or with a stale one): ask to send it again from a fresh page."""
    return page(request, "refused.html", status_code=403)


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else the app list (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return HOME
    return target


@dataclass
class LoginForm:
    token: str = ""
    next: str = HOME


@get("/login", name="web:login")
async def login_form(request: Request[Any, Any, Any], logged_out: bool = False) -> Template:
    wanted = request.query_params.get("next")
    return page(request, "login.html", next=local_path(wanted), failed=False, logged_out=logged_out)


@post("/login", sync_to_thread=True)
def login(
    request: Request[Any, Any, Any], data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
) -> Response[Any]:
    with database(request) as db:
        reader = verify_token(db, data.token)
    if reader is None:
        return page(request, "login.html", status_code=403, next=local_path(data.next), failed=True, logged_out=False)
    request.clear_session()
    request.set_session({"token_hash": reader.token_hash})
    return Redirect(local_path(data.next), status_code=303)


@post("/logout")
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    request.clear_session()
    return Redirect("/login?logged_out=true", status_code=303)


# --- the pages


@get("/")
async def index() -> Redirect:
    return Redirect(HOME, status_code=303)


@get("/apps", sync_to_thread=True)
def apps_page(request: Request[Any, Any, Any], q: QUERY = "") -> Template:
    with database(request) as db:
        rows = views.app_rows(db, q)
    return page(request, "apps.html", rows=rows, q=q)


@get("/apps/{app_id:str}", sync_to_thread=True)
def app_page(request: Request[Any, Any, Any], app_id: str) -> Template:
    with database(request) as db:
        found = views.timeline(db, app_id)
    if found is None:
        return not_found(request, app_id)
    app, events = found
    return page(request, "app.html", app=app, events=events)


@get("/apps/{app_id:str}/policies/{number:int}", sync_to_thread=True)
def policy_page(request: Request[Any, Any, Any], app_id: str, number: int) -> Template:
    with database(request) as db:
        found = views.policy_page(db, app_id, number, language(request))
    if found is None:
        return not_found(request, f"{app_id} #{number}")
    return page(request, "policy.html", view=found)


@get("/releases/{release_id:int}", sync_to_thread=True)
def release_page(request: Request[Any, Any, Any], release_id: int) -> Template:
    with database(request) as db:
        report = views.release_report(db, release_id)
    if report is None:
        return not_found(request, f"#{release_id}")
    return page(request, "release.html", report=report)


@get("/catalog", sync_to_thread=True)
def catalog_page(request: Request[Any, Any, Any], q: QUERY = "") -> Template:
    return page(request, "catalog.html", entries=views.catalog_entries(q), q=q)


@get("/catalog/{sdk_id:str}", sync_to_thread=True)
def sdk_page(request: Request[Any, Any, Any], sdk_id: str) -> Template:
    entry = views.catalog_entry(sdk_id)
    if entry is None:
        return not_found(request, sdk_id)
    return page(request, "sdk.html", entry=entry)


def make_web_router(secure: bool | None = None) -> Router:
    """The pages, mounted at `/`: sign-in and static files for anyone, the rest behind the login guard.

    `secure` (default: $CONSENTRY_COOKIE_SECURE, on unless set to 0) marks the cookies `Secure`."""
    secure = cookie_secure() if secure is None else secure
    reading = Router(
        path="/",
        route_handlers=[index, apps_page, app_page, policy_page, release_page, catalog_page, sdk_page],
        guards=[require_reader],
    )
    static = create_static_files_router(path="/static", directories=[STATIC], name="web:static")
    return Router(
        path="/",
        route_handlers=[login_form, login, logout, static, reading],
        middleware=[
            partial(session_middleware, secure=secure),
            DefineMiddleware(CSRFMiddleware, config=csrf_config(secure)),
        ],
        exception_handlers={LoginRequired: to_login, PermissionDeniedException: form_refused},
        response_headers=SECURITY_HEADERS,
        include_in_schema=False,
        opt={SECURE_OPT: secure},
    )

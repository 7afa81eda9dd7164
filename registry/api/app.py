"""The application: the API under /api/v1 (and the auditor web pages, when `registry.web` is there)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.types import ControllerRouterHandler

from .allow import repair_allow_headers
from .auth import authenticate
from .controllers.apps import AppController
from .controllers.audit import AuditController
from .controllers.catalog import CatalogController
from .controllers.health import HealthController
from .controllers.policies import PolicyVersionController
from .controllers.releases import ReleaseController
from .controllers.tokens import TokenController
from .controllers.waivers import WaiverController
from .dependencies import DEPENDENCIES
from .openapi import openapi_config
from .problems import EXCEPTION_HANDLERS
from .request_id import RequestIdMiddleware
from .settings import ApiSettings

API_PREFIX = "/api/v1"
PROTECTED = (
    AppController,
    PolicyVersionController,
    WaiverController,
    ReleaseController,
    AuditController,
    CatalogController,
    TokenController,
)


def api_router() -> Router:
    """Every operation needs a token but the public ones (`authenticate` skips them)."""
    return Router(
        path=API_PREFIX,
        route_handlers=[*PROTECTED, HealthController],
        dependencies=DEPENDENCIES,
        guards=[authenticate],
    )


def web_parts() -> dict[str, Any]:
    """The auditor web pages' router (and template config) from `registry.web`, when it is installed."""
    try:
        web = importlib.import_module("registry.web")
    except ModuleNotFoundError as error:
        if error.name != "registry.web":
            raise
        return {"route_handlers": []}
    parts: dict[str, Any] = {"route_handlers": [web.web_router]}
    if template_config := getattr(web, "template_config", None):
        parts["template_config"] = template_config
    return parts


def create_app(
    database_url: str | None = None,
    upload_limit: int | None = None,
    *,
    route_handlers: Sequence[ControllerRouterHandler] = (),
    include_web: bool = True,
) -> Litestar:
    """The Litestar application on `database_url` (default: `$CONSENTRY_DATABASE_URL`, else `consentry.db`),
    taking uploads up to `upload_limit` bytes (default: `$CONSENTRY_UPLOAD_LIMIT`, else 512 MiB).

    `route_handlers` are mounted beside the API; so is `registry.web.web_router` when it exists."""
    settings = ApiSettings.resolve(database_url, upload_limit)
    web = web_parts() if include_web else {"route_handlers": []}
    app = Litestar(
        route_handlers=[api_router(), *route_handlers, *web.pop("route_handlers")],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=openapi_config(),
        state=State({"settings": settings}),
        logging_config=None,
        **web,
    )
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler)  # every response, unknown routes included
    repair_allow_headers(app)
    return app


def app_from_environment() -> Litestar:
    """For `uvicorn --factory` (what `consentry serve` runs): settings from the environment."""
    return create_app()

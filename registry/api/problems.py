"""Every error as `application/problem+json` (RFC 9457): the HTTP status, a title, what went wrong, the
request id to quote when reporting it and, for invalid input, each problem with its path."""

from __future__ import annotations

import logging
from http import HTTPStatus

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from .request_id import current_request_id

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("consentry.api")


class ProblemItem(msgspec.Struct, kw_only=True, omit_defaults=True):
    path: str
    """Where in the input: `sdks[3].purpose`, `query.limit`, `file`."""
    message: str


class ProblemDetail(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: str
    """A URI naming the kind of problem (`about:blank`: the status says it all)."""
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    """The request path."""
    request_id: str | None = None
    errors: list[ProblemItem] | None = None


class Problem(Exception):
    """Raised by handlers and guards; becomes a problem+json response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[ProblemItem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors
        self.headers = headers or {}


def problem_type(kind: str | None) -> str:
    return f"urn:consentry:problem:{kind}" if kind else "about:blank"


def problem_response(
    request: Request, status: int, detail: str | None, *, kind: str | None = None,
    errors: list[ProblemItem] | None = None, headers: dict[str, str] | None = None,
) -> Response[bytes]:  # fmt: skip
    body = ProblemDetail(
        type=problem_type(kind),
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=current_request_id(),
        errors=errors,
    )
    return Response(msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def handle_problem(request: Request, exc: Problem) -> Response[bytes]:
    return problem_response(request, exc.status, exc.detail, kind=exc.kind, errors=exc.errors, headers=exc.headers)


def handle_http_exception(request: Request, exc: HTTPException) -> Response[bytes]:
    """Litestar's own errors: unknown routes, methods, invalid parameters, bodies too large."""
    errors = _validation_items(exc.extra) if isinstance(exc, ValidationException) else None
    detail = None if exc.detail == HTTPStatus(exc.status_code).phrase else exc.detail
    if exc.status_code >= 500:
        logger.error("%s %s: %s", request.method, request.url.path, exc.detail)
        detail = None
    return problem_response(request, exc.status_code, detail, errors=errors, headers=exc.headers)


def handle_unexpected(request: Request, exc: Exception) -> Response[bytes]:
    logger.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "the server failed to answer; quote the request id when reporting it")


def _validation_items(extra: object) -> list[ProblemItem] | None:
    if not isinstance(extra, list):
        return None
    items = []
    for entry in extra:
        if isinstance(entry, dict):
            where = ".".join(str(part) for part in (entry.get("source"), entry.get("key")) if part)
            items.append(ProblemItem(path=where or "(request)", message=str(entry.get("message", ""))))
    return items or None


EXCEPTION_HANDLERS = {
    Problem: handle_problem,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI: the problem responses an operation may answer with (400, for a malformed request, always)."""
    return {
        code: ResponseSpec(
            data_container=ProblemDetail,
            description=HTTPStatus(code).phrase,
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for code in sorted({400, *codes})
    }


def cached(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI: the problems of an operation with ETags, and its 304 to a matching If-None-Match."""
    return {**problems(*codes), 304: ResponseSpec(data_container=None, description="Not Modified: the ETag is current")}


def already(container: type) -> dict[int, ResponseSpec]:
    """OpenAPI: the 200 of an idempotent create, when the thing already existed."""
    return {200: ResponseSpec(data_container=container, description="Already there: nothing was created")}

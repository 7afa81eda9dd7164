"""Every list is paginated: `limit` items at most, and an opaque `cursor` for the next page, given back
as the `next` link (in the body and in a `Link` header)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request
from litestar.params import Parameter

from .problems import Problem, ProblemItem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Limit = Annotated[
    int, Parameter(query="limit", ge=1, le=MAX_LIMIT, default=DEFAULT_LIMIT, description="Items per page.")
]
Cursor = Annotated[
    str | None,
    Parameter(query="cursor", default=None, max_length=500, description="From the previous page's `next` link."),
]


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": key}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: type) -> Any:
    """The key a cursor continues after (None for the first page); a cursor not made here is a 400."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        key = None
    if type(key) is not kind:
        raise Problem(
            400,
            "the cursor is not one this list gave out",
            kind="invalid-cursor",
            errors=[ProblemItem(path="query.cursor", message="invalid cursor")],
        )
    return key


def next_link(request: Request, after: Any) -> str | None:
    """The request's own path and query, with the cursor to the next page; None on the last page."""
    if after is None:
        return None
    query = [(name, value) for name, value in request.query_params.multi_items() if name != "cursor"]
    query.append(("cursor", encode_cursor(after)))
    return f"{request.url.path}?{urlencode(query)}"


def link_header(next_url: str | None) -> dict[str, str]:
    return {"Link": f'<{next_url}>; rel="next"'} if next_url else {}

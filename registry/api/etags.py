"""Entity tags for immutable resources: a strong ETag from the response body's SHA-256, and 304 Not
Modified when the client's If-None-Match already names it."""

from __future__ import annotations

import hashlib

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

CACHE_CONTROL = "private, no-cache"
"""Keep it, but ask again (a cheap 304) before using it: tokens decide who may see it."""
DROPPED_ON_304 = ("content-length", "content-type")


def entity_tag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in candidates or tag in candidates


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = Headers.from_scope(scope).get("if-none-match")
        start: Message | None = None
        body = bytearray()

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                await _finish(send, start, bytes(body), if_none_match)

        await self.app(scope, receive, buffered)


async def _finish(send: Send, start: Message, body: bytes, if_none_match: str | None) -> None:
    if start["status"] != 200:
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return
    tag = entity_tag(body)
    headers = MutableScopeHeaders.from_message(start)
    headers["etag"] = tag
    headers["cache-control"] = CACHE_CONTROL
    if matches(if_none_match, tag):
        for name in DROPPED_ON_304:
            if name in headers:
                del headers[name]
        start["status"] = 304
        body = b""
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})

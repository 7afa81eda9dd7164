"""A multipart upload streamed to a bounded temporary file, hashed on the way: nothing of it stays in
memory, and nothing beyond the size limit is written."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from litestar import Request
from litestar.exceptions import InternalServerException
from multipart import MultipartError, MultipartSegment, PushMultipartParser  # type: ignore[import-untyped]

from .problems import Problem, ProblemItem

FIELD = "file"
MAX_OTHER_FIELDS = 64 * 1024
"""Bytes of form fields other than the file that an upload may carry (they are ignored)."""
DRAIN_LIMIT = 64 * 1024 * 1024
"""Past the size limit, read (and drop) at most this much more so that the client hears the 413."""


@dataclass(frozen=True)
class Received:
    path: Path
    filename: str
    size: int
    sha256: str


class _Sink:
    """The file part going to disk, within the limit."""

    def __init__(self, handle: IO[bytes], limit: int) -> None:
        self.handle = handle
        self.limit = limit
        self.size = 0
        self.digest = hashlib.sha256()
        self.other = 0
        self.filename: str | None = None

    def write(self, data: bytes) -> bool:
        """False once the file has grown past the limit."""
        self.size += len(data)
        if self.size > self.limit:
            return False
        self.handle.write(data)
        self.digest.update(data)
        return True


async def receive_upload(request: Request, limit: int, directory: Path | None) -> Received:
    """The `file` field of a multipart request, in a temporary file the caller deletes."""
    boundary = _boundary(request.headers.get("content-type", ""))
    if boundary is None:
        raise _bad("send the artifact as multipart/form-data with a `file` field", "content-type")
    announced = request.content_length
    if announced is not None and announced > limit + DRAIN_LIMIT:
        raise _too_large(limit)
    with tempfile.NamedTemporaryFile(dir=directory, prefix="consentry-upload-", suffix=".part", delete=False) as handle:
        path = Path(handle.name)
        try:
            sink = _Sink(handle, limit)
            complete = await _parse(request.stream(), boundary, sink)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    problem = _too_large(limit) if not complete else _no_file() if sink.filename is None else None
    if problem is not None:
        path.unlink(missing_ok=True)
        raise problem
    assert sink.filename is not None
    return Received(path=path, filename=sink.filename, size=sink.size, sha256=sink.digest.hexdigest())


class _OverLimit(Exception):
    pass


async def _parse(stream: AsyncIterator[bytes], boundary: str, sink: _Sink) -> bool:
    """Feed the stream to the parser; False when the file went over the limit (the rest is drained)."""
    try:
        await _feed(stream, boundary, sink)
    except _OverLimit:
        await _drain(stream)
        return False
    except MultipartError as error:
        raise _bad(f"the multipart body is malformed or incomplete: {error}", "(body)") from None
    except InternalServerException:  # Litestar's word for a client that went away mid-upload
        raise _bad("the connection closed before the upload was complete", "(body)") from None
    return True


async def _feed(stream: AsyncIterator[bytes], boundary: str, sink: _Sink) -> None:
    segment: MultipartSegment | None = None
    with PushMultipartParser(boundary, max_segment_count=16) as parser:
        async for chunk in stream:
            for event in parser.parse(chunk):
                if isinstance(event, MultipartSegment):
                    segment = _start(event, sink)
                elif event is None:
                    segment = None
                elif segment is None:
                    _other_field(sink, event)
                elif not sink.write(event):
                    raise _OverLimit
            if parser.closed:
                return


def _boundary(content_type: str) -> str | None:
    media, _, parameters = content_type.partition(";")
    if media.strip().lower() != "multipart/form-data":
        return None
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "boundary" and value.strip('" '):
            return value.strip('" ')
    return None


def _start(event: MultipartSegment, sink: _Sink) -> MultipartSegment | None:
    """The segment if it is the file to keep, else None (its bytes count as another field's)."""
    if event.name != FIELD or sink.filename is not None:
        return None
    sink.filename = Path(event.filename or "upload").name[:200] or "upload"
    return event


def _other_field(sink: _Sink, data: bytes) -> None:
    sink.other += len(data)
    if sink.other > MAX_OTHER_FIELDS:
        raise _bad(f"form fields besides `{FIELD}` exceed {MAX_OTHER_FIELDS} bytes", "(body)")


async def _drain(stream: AsyncIterator[bytes]) -> None:
    dropped = 0
    with contextlib.suppress(InternalServerException):
        async for chunk in stream:
            dropped += len(chunk)
            if dropped > DRAIN_LIMIT:
                return


def _bad(message: str, path: str) -> Problem:
    return Problem(400, message, kind="bad-upload", errors=[ProblemItem(path=path, message=message)])


def _no_file() -> Problem:
    return _bad(f"the form has no `{FIELD}` field with a file", FIELD)


def _too_large(limit: int) -> Problem:
    return Problem(413, f"the artifact is larger than the upload limit of {limit} bytes", kind="upload-too-large")

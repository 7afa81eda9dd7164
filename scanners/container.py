"""Zip containers (APK, split sets, AAR, JAR) read in memory within `Limits`; nothing touches the disk."""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from typing import BinaryIO

from .errors import ScanError
from .limits import Limits

SUPPORTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class ReadBudget:
    """Uncompressed bytes one artifact may still read, shared by its nested containers."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.remaining = limits.max_total_read

    def take(self, size: int, name: str) -> None:
        if size > self.remaining:
            raise ScanError(f"{name}: reading it would exceed {self.limits.max_total_read} uncompressed bytes")
        self.remaining -= size


class Container:
    """One zip archive. `depth` counts the containers it sits in (0 for the file itself)."""

    def __init__(self, source: BinaryIO | bytes, budget: ReadBudget, depth: int = 0) -> None:
        self.budget = budget
        self.limits = budget.limits
        self.depth = depth
        if depth > self.limits.max_nesting:
            raise ScanError(f"containers nested deeper than {self.limits.max_nesting} levels")
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        try:
            self._zip = zipfile.ZipFile(stream)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
            raise ScanError(f"not a valid zip archive: {_reason(error)}") from None
        if len(infos) > self.limits.max_entries:
            raise ScanError(f"zip holds {len(infos)} entries, more than the limit of {self.limits.max_entries}")
        # The last of duplicate names wins, as Python's zipfile does; Android rejects such APKs anyway.
        self.entries: dict[str, zipfile.ZipInfo] = {info.filename: info for info in infos if not info.is_dir()}

    def names(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def read(self, name: str, max_size: int | None = None) -> bytes:
        info = self.entries[name]
        limit = min(max_size or self.limits.max_entry_size, self.limits.max_entry_size)
        if info.file_size > limit:
            raise ScanError(f"{name}: {info.file_size} bytes uncompressed, more than the limit of {limit}")
        if info.file_size > self.limits.ratio_floor and (
            info.file_size > self.limits.max_compression_ratio * max(info.compress_size, 1)
        ):
            raise ScanError(f"{name}: compression ratio above {self.limits.max_compression_ratio}:1 (zip bomb?)")
        self.budget.take(info.file_size, name)
        try:
            with self._zip.open(_readable(info)) as member:
                data = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, ValueError, OSError, EOFError) as error:
            raise ScanError(f"{name}: cannot be read: {_reason(error)}") from None
        if len(data) > info.file_size:
            raise ScanError(f"{name}: longer than its recorded size")
        return data

    def nested(self, name: str) -> Container:
        return Container(self.read(name), self.budget, self.depth + 1)


def _readable(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """Android reads an entry with an unknown compression method as stored or deflated; so do we."""
    if info.compress_type in SUPPORTED_METHODS:
        return info
    tolerant = copy.copy(info)
    stored = info.compress_size == info.file_size
    tolerant.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return tolerant


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text[0].lower() + text[1:] if text else text

"""What a running API is configured with: from `create_app()` arguments, else the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from registry.database import database_url
from scanners.limits import DEFAULT_LIMITS, Limits

MiB = 1024 * 1024
DEFAULT_UPLOAD_LIMIT = 512 * MiB
UPLOAD_LIMIT_VARIABLE = "CONSENTRY_UPLOAD_LIMIT"
UPLOAD_DIR_VARIABLE = "CONSENTRY_UPLOAD_DIR"


@dataclass(frozen=True)
class ApiSettings:
    database_url: str
    upload_limit: int = DEFAULT_UPLOAD_LIMIT
    """Largest artifact an upload may carry, in bytes."""
    upload_dir: Path | None = None
    """Where uploads are spooled while they are scanned (the system's temporary folder by default)."""
    scan_limits: Limits = field(default=DEFAULT_LIMITS)
    """The same bounds as the command line's scans."""

    @classmethod
    def resolve(cls, database_url_: str | None = None, upload_limit: int | None = None) -> ApiSettings:
        limit = upload_limit if upload_limit is not None else _environment_limit()
        folder = os.environ.get(UPLOAD_DIR_VARIABLE)
        return cls(
            database_url=database_url_ or database_url(),
            upload_limit=limit,
            upload_dir=Path(folder) if folder else None,
        )


def _environment_limit() -> int:
    text = os.environ.get(UPLOAD_LIMIT_VARIABLE)
    return parse_size(text) if text else DEFAULT_UPLOAD_LIMIT


def parse_size(text: str) -> int:
    """`1048576`, `512K`, `100M`, `2G` as bytes."""
    units = {"K": 1024, "M": MiB, "G": 1024 * MiB}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    multiplier = units.get(text[-1:], 1)
    number = int(text[:-1] if text[-1:] in units else text)
    if number <= 0:
        raise ValueError("a size must be positive")
    return number * multiplier

"""The Android platform permission catalog: `catalog/permissions.json`, generated from AOSP data
by tools/generate_permission_catalog.py."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import msgspec

PERMISSIONS_FILE = Path(__file__).parent / "catalog" / "permissions.json"


class PlatformPermission(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    protection_level: str | None = None
    protection_flags: tuple[str, ...] = ()
    added: int | None = None
    removed: int | None = None
    group: str | None = None
    label: str | None = None
    runtime: bool = False
    label_en: str | None = None
    label_zh: str | None = None
    category: str | None = None
    """Personal-information category it reaches; "none" when it reaches none; None when unlabelled."""
    sensitive: bool = False


class _CatalogFile(msgspec.Struct, kw_only=True):
    schema: str
    permissions: tuple[PlatformPermission, ...]


@cache
def load_permission_catalog(path: Path = PERMISSIONS_FILE) -> dict[str, PlatformPermission]:
    """Platform permissions by name."""
    catalog = msgspec.json.decode(path.read_bytes(), type=_CatalogFile)
    return {permission.name: permission for permission in catalog.permissions}

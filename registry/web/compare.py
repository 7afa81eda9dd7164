"""A release beside its policy: each SDK and permission of the build next to what the policy in force
declared, with a status, the way the reconciler matches them (any catalog name of an SDK; a declared
module covers the core SDK it brings; a permission a declared SDK lists counts as declared)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

from manifests.catalog_queries import resolve_name
from manifests.declarations import Declarations, DeclaredPermission, DeclaredSdk
from manifests.sdk_catalog import SdkEntry, load_sdk_catalog
from scanners.inventory import DetectedSdk, Inventory, Permission

Status = Literal["undeclared", "declared", "covered", "via-sdk", "not-in-build", "own", "no-policy"]
STATUS_ORDER: dict[str, int] = {"undeclared": 0, "no-policy": 1, "not-in-build": 2, "own": 4}
"""Undeclared rows first; declared ones (not listed here) after the rest."""


@dataclass(frozen=True)
class SdkRow:
    status: Status
    sdk_id: str | None
    detected: DetectedSdk | None
    declared: DeclaredSdk | None
    covered_by: str | None = None
    """The declared SDK that brings this one (status `covered`)."""


@dataclass(frozen=True)
class PermissionRow:
    status: Status
    name: str
    requested: Permission | None
    declared: DeclaredPermission | None
    declared_by: tuple[str, ...] = ()
    """Declared SDKs that list the permission (status `via-sdk`)."""


Row = TypeVar("Row", SdkRow, PermissionRow)


def _catalog() -> dict[str, SdkEntry]:
    return {entry.id: entry for entry in load_sdk_catalog()}


def _ancestors(catalog: dict[str, SdkEntry], sdk_id: str) -> list[str]:
    chain: list[str] = []
    parent = catalog[sdk_id].parent if sdk_id in catalog else None
    while parent and parent not in chain:
        chain.append(parent)
        parent = catalog[parent].parent if parent in catalog else None
    return chain


def sdk_id_of(catalog: dict[str, SdkEntry], sdk: DeclaredSdk) -> str | None:
    entry = catalog.get(sdk.sdk) if sdk.sdk else resolve_name(catalog.values(), sdk.name or "")
    return entry.id if entry else None


def _declared_ids(catalog: dict[str, SdkEntry], sdks: Iterable[DeclaredSdk]) -> dict[str, DeclaredSdk]:
    """Declared SDKs the catalog knows, by catalog id (the first declaration of each)."""
    declared: dict[str, DeclaredSdk] = {}
    for sdk in sdks:
        if sdk_id := sdk_id_of(catalog, sdk):
            declared.setdefault(sdk_id, sdk)
    return declared


def _sorted(rows: list[Row], key: str) -> list[Row]:
    return sorted(rows, key=lambda row: (STATUS_ORDER.get(row.status, 3), getattr(row, key) or ""))


def sdk_rows(inventory: Inventory, declarations: Declarations | None) -> list[SdkRow]:
    if declarations is None:
        return [SdkRow("no-policy", sdk.id, sdk, None) for sdk in inventory.sdks]
    catalog = _catalog()
    declared = _declared_ids(catalog, declarations.sdks)
    rows = [_detected_row(catalog, declared, sdk) for sdk in inventory.sdks]
    in_build = {sdk.id for sdk in inventory.sdks} | {a for sdk in inventory.sdks for a in _ancestors(catalog, sdk.id)}
    rows += [
        SdkRow("not-in-build", sdk_id, None, sdk)
        for sdk_id, sdk in declared.items()
        if sdk_id not in in_build and (not sdk.platforms or "android" in sdk.platforms)
    ]
    unknown = [sdk for sdk in declarations.sdks if sdk_id_of(catalog, sdk) is None]
    rows += [SdkRow("not-in-build", None, None, sdk) for sdk in unknown]
    return _sorted(rows, "sdk_id")


def _detected_row(catalog: dict[str, SdkEntry], declared: dict[str, DeclaredSdk], sdk: DetectedSdk) -> SdkRow:
    if sdk.id in declared:
        return SdkRow("declared", sdk.id, sdk, declared[sdk.id])
    for module_id, module in declared.items():
        if sdk.id in _ancestors(catalog, module_id):
            return SdkRow("covered", sdk.id, sdk, None, covered_by=module.name or module_id)
    return SdkRow("undeclared", sdk.id, sdk, None)


def permission_rows(inventory: Inventory, declarations: Declarations | None) -> list[PermissionRow]:
    if declarations is None:
        return [PermissionRow("no-policy", p.name, p, None) for p in inventory.permissions]
    listed = {permission.name: permission for permission in declarations.permissions}
    rows = [_requested_row(listed, declarations.sdks, permission) for permission in inventory.permissions]
    requested = {permission.name for permission in inventory.permissions}
    rows += [PermissionRow("not-in-build", name, None, p) for name, p in listed.items() if name not in requested]
    return _sorted(rows, "name")


def _requested_row(
    listed: dict[str, DeclaredPermission], sdks: Iterable[DeclaredSdk], permission: Permission
) -> PermissionRow:
    if permission.name in listed:
        return PermissionRow("declared", permission.name, permission, listed[permission.name])
    by = tuple(sdk.name or sdk.label for sdk in sdks if permission.name in sdk.permissions)
    if by:
        return PermissionRow("via-sdk", permission.name, permission, None, declared_by=by)
    if permission.origin == "app":
        return PermissionRow("own", permission.name, permission, None)
    return PermissionRow("undeclared", permission.name, permission, None)

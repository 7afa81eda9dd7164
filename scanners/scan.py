"""One artifact in, one `Inventory` out."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from functools import cache
from pathlib import Path
from typing import TypeVar

from manifests.permission_catalog import PlatformPermission, load_permission_catalog
from manifests.sdk_catalog import load_sdk_catalog

from .artifact import read_artifact
from .inventory import (
    SCHEMA,
    App,
    Artifact,
    DeclaredPermission,
    DexSummary,
    Inventory,
    NativeLibrary,
    Permission,
    Queries,
)
from .limits import DEFAULT_LIMITS, Limits
from .manifest import ManifestFacts, RequestedPermission
from .sdk_matching import SignatureIndex

PLATFORM_NAMESPACE = "android."
T = TypeVar("T")


@cache
def default_index() -> SignatureIndex:
    return SignatureIndex.from_catalog(load_sdk_catalog())


def scan(path: Path, limits: Limits = DEFAULT_LIMITS, index: SignatureIndex | None = None) -> Inventory:
    """Read the artifact at `path` and explain its contents with the SDK and permission catalogs.

    Raises `ScanError` for anything that is not a readable Android artifact within `limits`.
    """
    contents = read_artifact(path, limits)
    manifest = _merged(contents.manifests)
    maven_libraries = contents.maven_libraries()
    match = (index or default_index()).match(
        packages=contents.packages,
        components=manifest.components,
        meta_data=manifest.meta_data,
        queries=manifest.queries.packages,
        native_libs=contents.native_libs,
        maven=maven_libraries,
        app_package=manifest.app.package,
    )
    return Inventory(
        schema=SCHEMA,
        artifact=Artifact(
            path=str(path),
            kind=contents.kind,
            sha256=contents.sha256,
            size=contents.size,
            parts=tuple(contents.parts),
        ),
        app=manifest.app,
        permissions=_permissions(manifest, load_permission_catalog()),
        declared_permissions=manifest.declared_permissions,
        components=manifest.components,
        meta_data=manifest.meta_data,
        queries=manifest.queries,
        native_libraries=tuple(
            NativeLibrary(name=name, abis=tuple(sorted(abis))) for name, abis in sorted(contents.native_libs.items())
        ),
        maven_libraries=maven_libraries,
        dex=DexSummary(files=contents.dex_files, classes=contents.classes),
        sdks=match.sdks,
        unknown_packages=match.unknown_packages,
    )


def _merged(manifests: list[ManifestFacts]) -> ManifestFacts:
    """One view of a split set's manifests; the base APK's (listed first) names the app."""
    if len(manifests) <= 1:
        return manifests[0] if manifests else ManifestFacts(app=App())
    return ManifestFacts(
        app=manifests[0].app,
        requested_permissions=_first_of_each(
            (p for m in manifests for p in m.requested_permissions), key=lambda p: p.name
        ),
        declared_permissions=_first_of_each(
            (p for m in manifests for p in m.declared_permissions), key=lambda p: p.name
        ),
        components=_first_of_each((c for m in manifests for c in m.components), key=lambda c: c.name),
        meta_data=_first_of_each(name for m in manifests for name in m.meta_data),
        queries=Queries(
            packages=_first_of_each(name for m in manifests for name in m.queries.packages),
            intents=_first_of_each(intent for m in manifests for intent in m.queries.intents),
            providers=_first_of_each(name for m in manifests for name in m.queries.providers),
        ),
    )


def _first_of_each(items: Iterable[T], key: Callable[[T], Hashable] = lambda item: item) -> tuple[T, ...]:
    first: dict[Hashable, T] = {}
    for item in items:
        first.setdefault(key(item), item)
    return tuple(first.values())


def _permissions(manifest: ManifestFacts, platform: dict[str, PlatformPermission]) -> tuple[Permission, ...]:
    app_defined = {declared.name: declared for declared in manifest.declared_permissions}
    return tuple(_permission(requested, platform, app_defined) for requested in manifest.requested_permissions)


def _permission(
    requested: RequestedPermission,
    platform: dict[str, PlatformPermission],
    app_defined: dict[str, DeclaredPermission],
) -> Permission:
    common = {"name": requested.name, "max_sdk_version": requested.max_sdk_version, "sdk23": requested.sdk23}
    known = platform.get(requested.name)
    if known:
        return Permission(
            origin="platform",
            protection_level=known.protection_level,
            runtime=known.runtime,
            api_level=known.added,
            removed_in=known.removed,
            group=known.group,
            category=known.category,
            sensitive=known.sensitive,
            **common,
        )
    if requested.name in app_defined:
        return Permission(origin="app", protection_level=app_defined[requested.name].protection_level, **common)
    origin = "unknown" if requested.name.startswith(PLATFORM_NAMESPACE) else "vendor"
    return Permission(origin=origin, **common)

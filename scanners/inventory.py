"""The inventory: what one Android artifact really contains (schema `consentry/inventory/1`).

Plain immutable values; `manifests/schema/inventory.schema.json` describes their JSON form.
"""

from __future__ import annotations

from typing import Literal

import msgspec

SCHEMA = "consentry/inventory/1"

ArtifactKind = Literal[
    "apk",
    "split-apks",
    "aab",
    "aar",
    "jar",
    "dex",
    "manifest-binary",
    "manifest-text",
    "gradle-dependencies",
    "gradle-lockfile",
    "gradle-version-catalog",
]
ComponentKind = Literal["activity", "activity-alias", "service", "receiver", "provider"]
PermissionOrigin = Literal["platform", "app", "vendor", "unknown"]
"""platform: defined by AOSP; app: declared by this manifest; vendor: another namespace
(a phone maker's, an SDK's); unknown: in the android.* namespace but not an AOSP permission."""
EvidenceKind = Literal["dex_package", "component", "meta_data", "query", "native_lib", "maven"]
Confidence = Literal["declared", "present"]


class Struct(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=False):
    pass


class Artifact(Struct):
    path: str
    kind: ArtifactKind
    sha256: str
    size: int
    parts: tuple[str, ...] = ()
    """Member APKs of a split set, nested jars of an AAR."""


class App(Struct):
    package: str | None = None
    version_name: str | None = None
    version_code: int | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    split: str | None = None


class Permission(Struct):
    name: str
    origin: PermissionOrigin
    protection_level: str | None = None
    runtime: bool = False
    api_level: int | None = None
    """API level that added the permission (platform permissions only)."""
    removed_in: int | None = None
    group: str | None = None
    category: str | None = None
    """Personal-information category it reaches (location, contacts, ...), "none", or None if unlabelled."""
    sensitive: bool = False
    """The category is sensitive personal information (PIPL art. 28)."""
    max_sdk_version: int | None = None
    sdk23: bool = False
    """Requested with <uses-permission-sdk-23>: only on API 23 and later."""


class DeclaredPermission(Struct):
    name: str
    protection_level: str | None = None


class Component(Struct):
    kind: ComponentKind
    name: str
    exported: bool
    target: str | None = None
    """The activity an activity-alias points at."""


class QueryIntent(Struct):
    actions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    mime_types: tuple[str, ...] = ()


class Queries(Struct):
    packages: tuple[str, ...] = ()
    intents: tuple[QueryIntent, ...] = ()
    providers: tuple[str, ...] = ()


class NativeLibrary(Struct):
    name: str
    abis: tuple[str, ...]


class MavenLibrary(Struct):
    group: str
    artifact: str
    version: str | None


class Evidence(Struct):
    kind: EvidenceKind
    value: str
    count: int = 1


class DetectedSdk(Struct):
    id: str
    name: str
    confidence: Confidence
    evidence: tuple[Evidence, ...]
    via: str | None = None
    parent: str | None = None


class UnknownPackage(Struct):
    package: str
    classes: int


class DexSummary(Struct):
    files: int = 0
    classes: int = 0


class Inventory(Struct):
    schema: str
    artifact: Artifact
    app: App
    permissions: tuple[Permission, ...] = ()
    declared_permissions: tuple[DeclaredPermission, ...] = ()
    components: tuple[Component, ...] = ()
    meta_data: tuple[str, ...] = ()
    queries: Queries = Queries()
    native_libraries: tuple[NativeLibrary, ...] = ()
    maven_libraries: tuple[MavenLibrary, ...] = ()
    dex: DexSummary = DexSummary()
    sdks: tuple[DetectedSdk, ...] = ()
    unknown_packages: tuple[UnknownPackage, ...] = ()

    def to_json(self) -> bytes:
        return msgspec.json.encode(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> Inventory:
        inventory = msgspec.json.decode(data, type=cls)
        if inventory.schema != SCHEMA:
            raise ValueError(f"unsupported inventory schema {inventory.schema!r}, expected {SCHEMA!r}")
        return inventory

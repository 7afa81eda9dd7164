"""The SDK catalog: one YAML file per SDK in `catalog/sdks/`, each valid against `schema/sdk.schema.json`."""

from __future__ import annotations

import datetime
import hashlib
from functools import cache
from pathlib import Path

import msgspec

CATALOG_DIR = Path(__file__).parent / "catalog"
SDK_DIR = CATALOG_DIR / "sdks"
COMPILED_FILE = CATALOG_DIR / "sdks.compiled.json"
"""All entries in one JSON file, so that a scan need not parse hundreds of YAML files. It records the
digest of the YAML it was made from and is used only while that digest still matches."""


class Entry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class Localized(Entry):
    en: str | None = None
    zh: str | None = None


class Signatures(Entry):
    dex_packages: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    component_patterns: tuple[str, ...] = ()
    app_relative_components: tuple[str, ...] = ()
    meta_data: tuple[str, ...] = ()
    queries: tuple[str, ...] = ()
    native_libs: tuple[str, ...] = ()
    maven: tuple[str, ...] = ()


class ViaLink(Entry):
    sdk: str
    signatures: Signatures


class DataItem(Entry):
    item: str
    required: bool | None = None


class SdkPermissions(Entry):
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


class Provenance(Entry):
    source: str
    verified: datetime.date
    facts: tuple[str, ...]


class SdkEntry(Entry, kw_only=True):
    id: str
    name: Localized
    aliases: tuple[str, ...] = ()
    vendor: Localized = Localized()
    category: str
    website: str | None = None
    privacy_policy_url: str | None = None
    signatures: Signatures = Signatures()
    parent: str | None = None
    via: tuple[ViaLink, ...] = ()
    data_collected: tuple[DataItem, ...] = ()
    permissions: SdkPermissions = SdkPermissions()
    purpose: Localized = Localized()
    provenance: tuple[Provenance, ...] = ()

    @property
    def display_name(self) -> str:
        return self.name.en or self.name.zh or self.id


class CatalogError(Exception):
    """A catalog file that cannot be read or does not fit the entry shape."""


def load_entry(path: Path) -> SdkEntry:
    import yaml  # only when the compiled catalog is stale: importing it costs a scan 20 ms

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        return msgspec.convert(raw, SdkEntry, strict=False)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as error:
        raise CatalogError(f"{path.name}: {error}") from None


class CompiledCatalog(msgspec.Struct, kw_only=True):
    digest: str
    entries: tuple[SdkEntry, ...]


@cache
def load_sdk_catalog(directory: Path = SDK_DIR, compiled: Path = COMPILED_FILE) -> tuple[SdkEntry, ...]:
    """Every entry, sorted by id: from the compiled file when it is up to date, else from the YAML."""
    if compiled.is_file():
        catalog = msgspec.json.decode(compiled.read_bytes(), type=CompiledCatalog)
        if catalog.digest == catalog_digest(directory):
            return catalog.entries
    return tuple(sorted((load_entry(path) for path in directory.glob("*.yaml")), key=lambda entry: entry.id))


def catalog_digest(directory: Path = SDK_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def compile_catalog(directory: Path = SDK_DIR, compiled: Path = COMPILED_FILE) -> None:
    """Write the compiled file from the YAML entries (run after editing the catalog)."""
    entries = tuple(sorted((load_entry(path) for path in directory.glob("*.yaml")), key=lambda entry: entry.id))
    document = CompiledCatalog(digest=catalog_digest(directory), entries=entries)
    compiled.write_bytes(msgspec.json.format(msgspec.json.encode(document), indent=0) + b"\n")

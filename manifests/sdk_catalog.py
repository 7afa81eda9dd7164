"""The SDK catalog: one YAML file per SDK in `catalog/sdks/`, each valid against `schema/sdk.schema.json`."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path

import msgspec
import yaml

CATALOG_DIR = Path(__file__).parent / "catalog"
SDK_DIR = CATALOG_DIR / "sdks"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        return msgspec.convert(raw, SdkEntry, strict=False)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as error:
        raise CatalogError(f"{path.name}: {error}") from None


@cache
def load_sdk_catalog(directory: Path = SDK_DIR) -> tuple[SdkEntry, ...]:
    """Every entry, sorted by id."""
    return tuple(sorted((load_entry(path) for path in directory.glob("*.yaml")), key=lambda entry: entry.id))

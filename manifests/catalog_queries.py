"""Questions asked of the SDK catalog: find an SDK by any name, and how complete the catalog is."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .names import folded
from .sdk_catalog import SdkEntry

# Field -> whether an entry has it: the disclosure fields that a third-party SDK list publishes.
COMPLETENESS: dict[str, Callable[[SdkEntry], bool]] = {
    "name.zh": lambda e: bool(e.name.zh),
    "aliases": lambda e: bool(e.aliases),
    "vendor": lambda e: bool(e.vendor.en or e.vendor.zh),
    "vendor.en": lambda e: bool(e.vendor.en),
    "vendor.zh": lambda e: bool(e.vendor.zh),
    "website": lambda e: bool(e.website),
    # An empty field backed by a source is a known "none", not an unknown: an on-device library with no
    # vendor service has no privacy policy; a vendor may state that its SDK collects nothing.
    "privacy_policy_url": lambda e: bool(e.privacy_policy_url) or known_none(e, "privacy_policy_url"),
    "purpose": lambda e: bool(e.purpose.en and e.purpose.zh),
    "data_collected": lambda e: bool(e.data_collected) or known_none(e, "data_collected"),
    "permissions": lambda e: bool(e.permissions.required or e.permissions.optional) or known_none(e, "permissions"),
    "maven": lambda e: bool(e.signatures.maven),
    "dex_packages": lambda e: bool(e.signatures.dex_packages),
    "manifest_signatures": lambda e: bool(
        e.signatures.components or e.signatures.component_patterns or e.signatures.meta_data
    ),
}


def known_none(entry: SdkEntry, fact: str) -> bool:
    """Whether a source is cited for `fact`: for an empty field, "none" as opposed to "unknown"."""
    return any(fact in source.facts for source in entry.provenance)


DISCLOSURE_FIELDS = ("vendor", "purpose", "data_collected", "privacy_policy_url")


def completeness(entries: Iterable[SdkEntry]) -> dict[str, int]:
    """How many entries have each field."""
    entries = list(entries)
    return {field: sum(has(entry) for entry in entries) for field, has in COMPLETENESS.items()}


def search(entries: Iterable[SdkEntry], text: str) -> list[SdkEntry]:
    """Entries whose id, names, aliases, vendor, dex package prefixes or Maven coordinates match `text`,
    best first: exact names, then names that start with it, then any field that contains it."""
    wanted = folded(text)
    if not wanted:
        return []
    ranked = []
    for entry in entries:
        rank = _rank(entry, wanted)
        if rank is not None:
            ranked.append((rank, entry.id, entry))
    return [entry for _, _, entry in sorted(ranked, key=lambda item: item[:2])]


def _rank(entry: SdkEntry, wanted: str) -> int | None:
    names = [folded(name) for name in (entry.id, entry.name.en, entry.name.zh, *entry.aliases) if name]
    if wanted in names:
        return 0
    if any(name.startswith(wanted) for name in names):
        return 1
    code = [*entry.signatures.dex_packages, *entry.signatures.maven]
    if any(
        wanted == folded(value) or folded(value).startswith(wanted) or wanted.startswith(folded(value) + ".")
        for value in code
    ):
        return 2
    others = [entry.vendor.en, entry.vendor.zh, *code]
    if any(wanted in name for name in names) or any(value and wanted in folded(value) for value in others):
        return 3
    return None


def _without_sdk_suffix(name: str) -> str:
    return name.removesuffix("sdk") or name


def resolve_name(entries: Iterable[SdkEntry], name: str) -> SdkEntry | None:
    """The SDK a policy means by `name`: its id, English or Chinese name, or any alias, with width, case,
    whitespace and a trailing "SDK" folded (`Pangolin SDK`, `穿山甲`, `pangle` are one SDK)."""
    wanted = _without_sdk_suffix(folded(name))
    if not wanted:
        return None
    for entry in entries:
        names = (entry.id, entry.name.en, entry.name.zh, *entry.aliases)
        if any(_without_sdk_suffix(folded(candidate)) == wanted for candidate in names if candidate):
            return entry
    return None

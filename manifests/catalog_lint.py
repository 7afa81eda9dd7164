"""Checks that keep the SDK catalog honest: schema-valid, unique ids and aliases, well-formed URLs,
links, data items and permissions that resolve, and no dex prefix that shadows another SDK's unless a
parent or via link relates the two. (Whether each SDK's signatures detect it and nothing else is checked
against the real matcher by `scanners.sdk_matching.self_detection_problems`.)"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml

from .data_item_catalog import load_data_items
from .names import folded
from .permission_catalog import load_permission_catalog
from .sdk_catalog import SDK_DIR, SdkEntry, load_entry

SCHEMA_FILE = Path(__file__).parent / "schema" / "sdk.schema.json"
PLATFORM_NAMESPACE = "android."


def lint_catalog(directory: Path = SDK_DIR) -> list[str]:
    """Every problem found, as `file: what is wrong`; an empty list means the catalog is clean."""
    problems = _schema_problems(directory)
    if problems:
        return problems  # the remaining checks assume well-formed entries
    entries = [load_entry(path) for path in sorted(directory.glob("*.yaml"))]
    problems += _identity_problems(directory, entries)
    problems += _url_problems(entries)
    problems += _link_problems(entries)
    problems += _reference_problems(entries)
    problems += _shadowing_problems(entries)
    return problems


def related_sdks(entries: Iterable[SdkEntry]) -> dict[str, set[str]]:
    """For each SDK, the SDKs a parent or via link relates it to (in either direction), itself included."""
    entries = list(entries)
    parents = {entry.id: entry.parent for entry in entries}
    related = {entry.id: _lineage(entry.id, parents) | {link.sdk for link in entry.via} for entry in entries}
    for sdk_id, others in list(related.items()):
        for other in others:
            related.setdefault(other, {other}).add(sdk_id)
    return related


def _schema_problems(directory: Path) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    problems = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            problems.append(f"{path.name}: not valid YAML: {error}")
            continue
        for error in validator.iter_errors(document):
            location = ".".join(str(part) for part in error.absolute_path) or "(top)"
            problems.append(f"{path.name}: {location}: {error.message}")
    return problems


def _identity_problems(directory: Path, entries: list[SdkEntry]) -> list[str]:
    problems = []
    owners: dict[str, str] = {}
    for path, entry in zip(sorted(directory.glob("*.yaml")), entries, strict=True):
        if path.stem != entry.id:
            problems.append(f"{path.name}: id {entry.id!r} differs from the file name")
        names = {entry.id, *entry.aliases, *(name for name in (entry.name.en, entry.name.zh) if name)}
        for name in names:
            key = folded(name)
            if key in owners and owners[key] != entry.id:
                problems.append(f"{entry.id}.yaml: name or alias {name!r} is also used by {owners[key]}")
            owners.setdefault(key, entry.id)
    return problems


def _url_problems(entries: list[SdkEntry]) -> list[str]:
    problems = []
    for entry in entries:
        for field, url in (("website", entry.website), ("privacy_policy_url", entry.privacy_policy_url)):
            if url is None:
                continue
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
                problems.append(f"{entry.id}.yaml: {field} is not a well-formed http(s) URL: {url!r}")
    return problems


def _reference_problems(entries: list[SdkEntry]) -> list[str]:
    data_items = set(load_data_items())
    platform = load_permission_catalog()
    problems = []
    for entry in entries:
        problems += [
            f"{entry.id}.yaml: data item {item.item!r} is not in data_items.yaml"
            for item in entry.data_collected
            if item.item not in data_items
        ]
        named = (*entry.permissions.required, *entry.permissions.optional)
        problems += [
            f"{entry.id}.yaml: permission {name!r} is not an Android platform permission"
            for name in named
            if name.startswith(PLATFORM_NAMESPACE) and name not in platform
        ]
    return problems


def _link_problems(entries: list[SdkEntry]) -> list[str]:
    ids = {entry.id for entry in entries}
    problems = []
    for entry in entries:
        links = [("parent", entry.parent)] if entry.parent else []
        links += [("via", link.sdk) for link in entry.via]
        problems += [
            f"{entry.id}.yaml: {field} {target!r} is not in the catalog" for field, target in links if target not in ids
        ]
    return problems


def _lineage(entry_id: str, parents: dict[str, str | None]) -> set[str]:
    seen = set()
    while entry_id and entry_id not in seen:
        seen.add(entry_id)
        entry_id = parents.get(entry_id) or ""
    return seen


def _shadowing_problems(entries: Iterable[SdkEntry]) -> list[str]:
    entries = list(entries)
    related = related_sdks(entries)
    owners: dict[str, str] = {}
    problems = []
    for entry in entries:
        for prefix in entry.signatures.dex_packages:
            if prefix in owners and owners[prefix] != entry.id:
                problems.append(f"{entry.id}.yaml: dex prefix {prefix} is also {owners[prefix]}'s")
            owners.setdefault(prefix, entry.id)
    for prefix, owner in owners.items():
        ancestor = prefix.rpartition(".")[0]
        while ancestor:
            other = owners.get(ancestor)
            if other and other != owner and other not in related[owner]:
                problems.append(
                    f"{owner}.yaml: dex prefix {prefix} lies under {other}'s {ancestor} without a parent or via link"
                )
            ancestor = ancestor.rpartition(".")[0]
    return problems

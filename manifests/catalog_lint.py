"""Checks that keep the SDK catalog honest: schema-valid, unique ids and aliases, links that resolve,
and no signature that shadows another SDK's unless the two are declared parent and child."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import jsonschema
import yaml

from .sdk_catalog import SDK_DIR, SdkEntry, load_entry

SCHEMA_FILE = Path(__file__).parent / "schema" / "sdk.schema.json"


def lint_catalog(directory: Path = SDK_DIR) -> list[str]:
    """Every problem found, as `file: what is wrong`; an empty list means the catalog is clean."""
    problems = _schema_problems(directory)
    if problems:
        return problems  # the remaining checks assume well-formed entries
    entries = [load_entry(path) for path in sorted(directory.glob("*.yaml"))]
    problems += _identity_problems(directory, entries)
    problems += _link_problems(entries)
    problems += _shadowing_problems(entries)
    return problems


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
            key = name.casefold()
            if key in owners and owners[key] != entry.id:
                problems.append(f"{entry.id}.yaml: name or alias {name!r} is also used by {owners[key]}")
            owners.setdefault(key, entry.id)
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
    parents = {entry.id: entry.parent for entry in entries}
    related = {entry.id: _lineage(entry.id, parents) for entry in entries}
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
            if other and other != owner and other not in related[owner] and owner not in related[other]:
                problems.append(
                    f"{owner}.yaml: dex prefix {prefix} lies under {other}'s {ancestor} without a parent link"
                )
            ancestor = ancestor.rpartition(".")[0]
    return problems

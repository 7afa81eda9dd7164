#!/usr/bin/env python3
"""Build ``manifests/catalog/permissions.json``, the Android platform permission catalog.

Inputs, one permission table per API level:

* the AOSP permission definitions that androguard ships in its PyPI package
  (``androguard/core/api_specific_resources/aosp_permissions/permissions_<N>.json``), read from
  the installed distribution, never from a copy kept in this repository;
* optionally, AOSP framework manifests (``frameworks/base/core/res/AndroidManifest.xml`` of a
  release branch or tag) given as ``--manifest LEVEL=PATH``, for levels that the installed androguard
  does not ship or to override them. ``--strings LEVEL=PATH`` (``core/res/res/values/strings.xml``
  of the same revision) resolves ``@string/`` labels, ``--source-url LEVEL=URL`` records provenance;
* ``manifests/catalog/module_permissions.yaml``: the permissions that mainline modules (AdServices,
  Health Connect) define in their own manifests, which no framework table holds.

Only permissions that the platform defines are listed: androguard's tables come from the framework
manifest, a manifest given here must be the one of package ``android``, and the module list names the
module manifest each of its permissions comes from.

Examples::

    python tools/generate_permission_catalog.py
    python tools/generate_permission_catalog.py --manifest 35=tools/aosp/AndroidManifest-35.xml \\
        --source-url 35=https://android.googlesource.com/platform/frameworks/base/+/<commit>/core/res/AndroidManifest.xml
    python tools/generate_permission_catalog.py --check   # exit 1 if the committed file is stale
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "manifests" / "catalog" / "permissions.json"
LABELS_FILE = REPO_ROOT / "manifests" / "catalog" / "permission_labels.yaml"
MODULES_FILE = REPO_ROOT / "manifests" / "catalog" / "module_permissions.yaml"
DEFAULT_MAX_API = 36

CATALOG_SCHEMA = "consentry/permission-catalog/1"
GENERATED_BY = "tools/generate_permission_catalog.py"

ANDROGUARD_DATA_DIR = ("androguard", "core", "api_specific_resources", "aosp_permissions")
ANDROGUARD_FILE_RE = re.compile(r"^permissions_(\d+)\.json$")

ANDROID_NS = "http://schemas.android.com/apk/res/android"
# Base protection levels (android:protectionLevel minus its flags). Anything else is a flag.
BASE_LEVELS = ("normal", "dangerous", "signature", "signatureOrSystem", "internal")
# A permission without android:protectionLevel is "normal".
DEFAULT_BASE_LEVEL = "normal"
UNDEFINED_GROUP = "android.permission-group.UNDEFINED"


@dataclass(frozen=True)
class PermissionDef:
    """One ``<permission>`` as one API level defines it."""

    name: str
    protection: str
    group: str | None
    label: str | None


LevelTable = dict[str, PermissionDef]


def clean_text(text: str | None) -> str | None:
    """Collapse the whitespace of an AOSP string; empty becomes None."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed or None


def split_protection(raw: str) -> tuple[str, list[str]]:
    """Split ``"signature|privileged"`` into the base level and the sorted list of flags."""
    tokens = [token.strip() for token in raw.split("|") if token.strip()]
    bases = [token for token in tokens if token in BASE_LEVELS]
    if len(bases) > 1:
        raise ValueError(f"protection level {raw!r} names more than one base level")
    base = bases[0] if bases else DEFAULT_BASE_LEVEL
    flags = sorted({token for token in tokens if token not in BASE_LEVELS})
    return base, flags


# --------------------------------------------------------------------------------------------
# androguard's per-level tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AndroguardData:
    version: str
    data_dir: Path
    files: dict[int, Path]


def locate_androguard() -> AndroguardData:
    """Find the installed androguard distribution and its AOSP permission tables."""
    try:
        dist = importlib.metadata.distribution("androguard")
    except importlib.metadata.PackageNotFoundError as exc:
        raise SystemExit("androguard is not installed (pip install -e '.[test]')") from exc
    data_dir = Path(str(dist.locate_file(Path(*ANDROGUARD_DATA_DIR))))
    if not data_dir.is_dir():
        raise SystemExit(f"androguard {dist.version} has no AOSP permission tables at {data_dir}")
    files: dict[int, Path] = {}
    for path in data_dir.iterdir():
        match = ANDROGUARD_FILE_RE.match(path.name)
        if match:
            files[int(match.group(1))] = path
    return AndroguardData(version=dist.version, data_dir=data_dir, files=files)


def load_androguard_level(path: Path) -> LevelTable:
    data = json.loads(path.read_text(encoding="utf-8"))
    table: LevelTable = {}
    for name, entry in data["permissions"].items():
        table[name] = PermissionDef(
            name=name,
            protection=entry.get("protectionLevel") or "",
            group=entry.get("permissionGroup") or None,
            label=clean_text(entry.get("label")),
        )
    return table


# --------------------------------------------------------------------------------------------
# AOSP framework manifests
# --------------------------------------------------------------------------------------------


def safe_parse_xml(path: Path) -> etree._ElementTree:
    """Parse an XML file without DTDs, entity expansion or network access."""
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        tree = etree.parse(str(path), parser)
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SystemExit(f"{path}: cannot parse: {exc}") from exc
    if tree.docinfo.doctype:
        raise SystemExit(f"{path}: a DOCTYPE is not expected in an AOSP resource file")
    return tree


def android_string_value(element: etree._Element) -> str:
    """The text of a ``<string>`` resource, with Android's quoting and escapes undone."""
    text = "".join(element.itertext()).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    replacements = {"\\'": "'", '\\"': '"', "\\n": " ", "\\t": " ", "\\@": "@", "\\?": "?"}
    return re.sub(r"\\.", lambda match: replacements.get(match.group(0), match.group(0)[1:]), text)


def load_strings(path: Path) -> dict[str, str]:
    root = safe_parse_xml(path).getroot()
    return {
        element.get("name"): android_string_value(element) for element in root.iterfind("string") if element.get("name")
    }


def resolve_label(value: str | None, strings: dict[str, str]) -> str | None:
    if not value:
        return None
    if value.startswith("@string/") or value.startswith("@android:string/"):
        return clean_text(strings.get(value.split("/", 1)[1]))
    if value.startswith("@"):
        return None
    return clean_text(value)


def load_manifest_level(path: Path, strings: dict[str, str]) -> LevelTable:
    root = safe_parse_xml(path).getroot()
    if root.tag != "manifest" or root.get("package") != "android":
        raise SystemExit(f'{path}: not the framework manifest (<manifest package="android">)')

    def attr(element: etree._Element, name: str) -> str | None:
        return element.get(f"{{{ANDROID_NS}}}{name}")

    table: LevelTable = {}
    for element in root.iterfind("permission"):
        name = attr(element, "name")
        if not name:
            continue
        table[name] = PermissionDef(
            name=name,
            protection=attr(element, "protectionLevel") or "",
            group=attr(element, "permissionGroup") or None,
            label=resolve_label(attr(element, "label"), strings),
        )
    if not table:
        raise SystemExit(f"{path}: no <permission> elements found")
    return table


def add_module_permissions(tables: dict[int, LevelTable]) -> None:
    """Merge the permissions that mainline modules define (module_permissions.yaml) into every level
    from the one that first ships the module."""
    modules = yaml.safe_load(MODULES_FILE.read_text(encoding="utf-8"))["modules"]
    for module in modules.values():
        for name, definition in module["permissions"].items():
            permission = PermissionDef(name, definition["protection"], definition["group"], label=None)
            for level, table in tables.items():
                if name in table:
                    raise SystemExit(f"{MODULES_FILE.name}: {name} is also in the framework table of API {level}")
                if level >= module["added"]:
                    table[name] = permission


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def display_path(path: Path) -> str:
    """Repository-relative path when the file lives in the repository, else the path as given."""
    resolved = path.resolve()
    if resolved.is_relative_to(REPO_ROOT):
        return resolved.relative_to(REPO_ROOT).as_posix()
    return path.as_posix()


# --------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------


def build_entry(name: str, levels: Sequence[int], tables: dict[int, LevelTable]) -> dict[str, Any]:
    present = [level for level in levels if name in tables[level]]
    newest = present[-1]
    latest = tables[newest][name]
    base, flags = split_protection(latest.protection)
    defs_newest_first = [tables[level][name] for level in reversed(present)]
    group = next(
        (d.group for d in defs_newest_first if d.group and d.group != UNDEFINED_GROUP),
        None,
    )
    label = next((d.label for d in defs_newest_first if d.label), None)
    removed = next((level for level in levels if level > newest), None)
    return {
        "name": name,
        "protection_level": base,
        "protection_flags": flags,
        "added": present[0],
        "removed": removed,
        "group": group,
        "label": label,
        "runtime": base == "dangerous",
    }


def build_catalog(
    tables: dict[int, LevelTable], sources: list[dict[str, Any]], max_api: int, labels: dict[str, Any]
) -> dict[str, Any]:
    levels = sorted(tables)
    names = sorted(set().union(*(set(table) for table in tables.values())))
    unknown = sorted(set(labels["permissions"]) - set(names))
    if unknown:
        raise SystemExit(f"{LABELS_FILE.name} labels permissions AOSP does not define: {', '.join(unknown)}")
    return {
        "schema": CATALOG_SCHEMA,
        "generated_by": GENERATED_BY,
        "max_api_level": max_api,
        "sources": sources,
        "categories": labels["categories"],
        "permissions": [with_labels(build_entry(name, levels, tables), labels) for name in names],
    }


def with_labels(entry: dict[str, Any], labels: dict[str, Any]) -> dict[str, Any]:
    """The words policies use for the permission and the personal information it reaches
    (permission_labels.yaml); null where nobody has labelled it yet."""
    label = labels["permissions"].get(entry["name"], {})
    category = label.get("category")
    if category not in (None, "none") and category not in labels["categories"]:
        raise SystemExit(f"{LABELS_FILE.name}: {entry['name']} has unknown category {category!r}")
    return {
        **entry,
        "label_en": label.get("en"),
        "label_zh": label.get("zh"),
        "category": category,
        "sensitive": bool(category and category != "none" and labels["categories"][category]["sensitive"]),
    }


def render(catalog: dict[str, Any]) -> str:
    """Indented header, one source and one permission per line: small and diff-friendly."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    for key in ("schema", "generated_by", "max_api_level", "categories"):
        lines.append(f" {dumps(key)}: {dumps(catalog[key])},")
    lines.append(' "sources": [')
    lines.append(",\n".join(f"  {dumps(source)}" for source in catalog["sources"]))
    lines.append(" ],")
    lines.append(' "permissions": [')
    rows = [f"  {dumps(entry)}" for entry in catalog["permissions"]]
    lines.append(",\n".join(rows))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def level_mapping(pairs: Iterable[str], option: str) -> dict[int, str]:
    result: dict[int, str] = {}
    for pair in pairs:
        level, sep, value = pair.partition("=")
        if not sep or not level.strip().isdigit() or not value:
            raise SystemExit(f"{option} expects LEVEL=VALUE, got {pair!r}")
        result[int(level)] = value
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build the Android platform permission catalog.")
    parser.add_argument(
        "--manifest",
        action="append",
        default=[],
        metavar="LEVEL=PATH",
        help="AOSP frameworks/base/core/res/AndroidManifest.xml for an API level (repeatable)",
    )
    parser.add_argument(
        "--strings",
        action="append",
        default=[],
        metavar="LEVEL=PATH",
        help="core/res/res/values/strings.xml of the same revision, to resolve labels (repeatable)",
    )
    parser.add_argument(
        "--source-url",
        action="append",
        default=[],
        metavar="LEVEL=URL",
        help="where the manifest of LEVEL came from (URL with commit), recorded in 'sources'",
    )
    parser.add_argument(
        "--max-api",
        type=int,
        default=DEFAULT_MAX_API,
        help=f"highest API level of the catalog; it must be covered (default {DEFAULT_MAX_API})",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="catalog file to write")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if --output differs from the result")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    manifests = {level: Path(p) for level, p in level_mapping(args.manifest, "--manifest").items()}
    strings_files = {level: Path(p) for level, p in level_mapping(args.strings, "--strings").items()}
    urls = level_mapping(args.source_url, "--source-url")
    orphans = sorted((set(strings_files) | set(urls)) - set(manifests))
    if orphans:
        raise SystemExit(f"--strings/--source-url given without --manifest for levels {orphans}")

    androguard = locate_androguard()
    androguard_levels = sorted(level for level in androguard.files if level <= args.max_api and level not in manifests)
    tables: dict[int, LevelTable] = {
        level: load_androguard_level(androguard.files[level]) for level in androguard_levels
    }
    sources: list[dict[str, Any]] = [
        {
            "kind": "androguard-package",
            "package": "androguard",
            "version": androguard.version,
            "url": f"https://pypi.org/project/androguard/{androguard.version}/",
            "path": "/".join(ANDROGUARD_DATA_DIR) + "/permissions_<N>.json",
            "api_levels": androguard_levels,
        }
    ]

    for level in sorted(manifests):
        if level > args.max_api:
            raise SystemExit(f"--manifest level {level} is above --max-api {args.max_api}")
        strings = load_strings(strings_files[level]) if level in strings_files else {}
        tables[level] = load_manifest_level(manifests[level], strings)
        sources.append(
            {
                "kind": "aosp-manifest",
                "api_level": level,
                "url": urls.get(level),
                "path": display_path(manifests[level]),
                "sha256": sha256_of(manifests[level]),
                "strings_path": display_path(strings_files[level]) if level in strings_files else None,
            }
        )

    if args.max_api not in tables:
        raise SystemExit(
            f"no permission table for API level {args.max_api}: androguard {androguard.version} ships "
            f"levels {min(androguard.files)}..{max(androguard.files)}; pass --manifest "
            f"{args.max_api}=PATH or install a newer androguard"
        )

    add_module_permissions(tables)
    sources.append({"kind": "modules", "path": display_path(MODULES_FILE), "sha256": sha256_of(MODULES_FILE)})
    labels = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    sources.append({"kind": "labels", "path": display_path(LABELS_FILE), "sha256": sha256_of(LABELS_FILE)})
    catalog = build_catalog(tables, sources, args.max_api, labels)
    text = render(catalog)

    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{display_path(args.output)} is out of date; re-run {GENERATED_BY}", file=sys.stderr)
            return 1
        return 0

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(
        f"wrote {display_path(args.output)}: {len(catalog['permissions'])} permissions, "
        f"API levels {', '.join(str(level) for level in sorted(tables))}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

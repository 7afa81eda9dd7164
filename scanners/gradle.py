"""Gradle dependency lists: `gradle dependencies` output, `gradle.lockfile`, `libs.versions.toml`.

Pure functions from text to Maven coordinates `(group, artifact, version or None)`, so that a build step can
check the SDKs an app pulls in before an APK exists. Each format is told apart by content, not by file name.

Which dependencies count: a dependency tree or lockfile names its configurations. Test configurations
(`testImplementation`, `debugUnitTestRuntimeClasspath`, `androidTest...`) never ship and are ignored. When the
list holds runtime classpaths (`releaseRuntimeClasspath`), only those count: compile-only, annotation-processor
and lint classpaths do not end up in the APK. A library seen at several versions takes the one of a release
runtime classpath. A version catalog lists what the build may use, so every library in it counts.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from typing import Any, Literal

from .errors import ScanError
from .limits import MiB

GradleKind = Literal["gradle-dependencies", "gradle-lockfile", "gradle-version-catalog"]
Dependency = tuple[str, str, str | None]

MAX_SIZE = 16 * MiB
MAX_LINES = 1_000_000
DETECT_WINDOW = 64 * 1024
"""Bytes read from the start of a file to tell the formats apart."""

_NAME = r"[A-Za-z0-9_.\-]+"
COORDINATE = re.compile(rf"({_NAME}):({_NAME})(?::([^\s:]+))?")
LOCK_ENTRY = re.compile(rf"({_NAME}):({_NAME}):([^\s=]+)=(\S*)")
LOCK_EMPTY = re.compile(r"empty=\S*")
CATALOG_TABLE = re.compile(r"\s*\[\s*(?:libraries|versions)\s*\]\s*(?:#.*)?")
TREE_LINE = re.compile(r"([| ]*)[+\\]--- (.*)")
TREE_MARKERS = (" (*)", " (c)", " (n)", " FAILED")
SECTION_HEADER = re.compile(r"([A-Za-z_][\w.$\-]*)(?: - .*| \(n\))?")
NO_DEPENDENCIES = "No dependencies"
TEST_CONFIGURATION = re.compile(r"(?:^test|Test)(?=[A-Z_]|$)")

# Ranks of a configuration: which dependencies ship, and whose version wins.
TEST, OTHER, RUNTIME, RELEASE_RUNTIME = 0, 1, 2, 3


def detect(head: bytes) -> GradleKind | None:
    """The format of a file that starts with `head` (its first `DETECT_WINDOW` bytes), or None."""
    if b"\x00" in head:
        return None
    lines = head.decode("utf-8", "replace").removeprefix("\ufeff").splitlines()
    first = next((line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    if LOCK_ENTRY.fullmatch(first) or LOCK_EMPTY.fullmatch(first):
        return "gradle-lockfile"
    if any(CATALOG_TABLE.fullmatch(line) for line in lines):
        return "gradle-version-catalog"
    if any(TREE_LINE.fullmatch(line.rstrip()) or line.strip() == NO_DEPENDENCIES for line in lines):
        return "gradle-dependencies"
    return None


def decode(data: bytes) -> str:
    """The text of a dependency list, within the size and line limits."""
    if len(data) > MAX_SIZE:
        raise ScanError(f"{len(data)} bytes, more than the limit of {MAX_SIZE} for a Gradle dependency list")
    if b"\x00" in data:
        raise ScanError("binary data in a Gradle dependency list")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScanError(f"Gradle dependency list is not UTF-8 text (byte {error.start})") from None
    if text.count("\n") > MAX_LINES:
        raise ScanError(f"more than {MAX_LINES} lines in a Gradle dependency list")
    return text


def parse(kind: GradleKind, text: str) -> list[Dependency]:
    if kind == "gradle-lockfile":
        return parse_lockfile(text)
    if kind == "gradle-version-catalog":
        return parse_version_catalog(text)
    return parse_dependency_tree(text)


def parse_dependency_tree(text: str) -> list[Dependency]:
    """`gradle dependencies` console output (one or all configurations): the resolved version of each module.

    Constraints `(c)`, unresolved declarations `(n)` and `project :x` lines are not dependencies.
    """
    found: list[tuple[Dependency, int]] = []
    rank = OTHER  # a tree without a configuration header (dependency-guard's .tree.txt files)
    for line in text.splitlines():
        line = line.rstrip()
        if tree := TREE_LINE.fullmatch(line):
            if rank != TEST and (dependency := _tree_entry(tree.group(2))):
                found.append((dependency, rank))
        elif header := SECTION_HEADER.fullmatch(line):
            rank = _rank(header.group(1))
    return _shipped(found)


def _tree_entry(entry: str) -> Dependency | None:
    markers = set()
    while marker := next((m for m in TREE_MARKERS if entry.endswith(m)), None):
        markers.add(marker)
        entry = entry[: -len(marker)]
    if markers & {" (c)", " (n)"} or entry.startswith("project "):
        return None
    requested, _, resolved = entry.partition(" -> ")
    if resolved.startswith("project "):
        return None
    coordinate = _coordinate(requested)
    if coordinate is None:
        return None
    if ":" in resolved:  # substituted by another module: `old:lib:1.0 -> new:lib:2.0`
        return _coordinate(resolved)
    group, artifact, version = coordinate
    return group, artifact, resolved or _plain_version(version)


def _coordinate(text: str) -> Dependency | None:
    match = COORDINATE.fullmatch(text.strip())
    if not match:
        return None
    group, artifact, version = match.groups()
    return group, artifact, version


def _plain_version(version: str | None) -> str | None:
    """`{strictly 1.0}` -> `1.0`: rich versions as the tree prints them when nothing resolved them."""
    if version and version.startswith("{") and version.endswith("}"):
        words = version[1:-1].split(";")[0].split()
        return words[-1] if words else None
    return version


def parse_lockfile(text: str) -> list[Dependency]:
    """`gradle.lockfile`: `group:artifact:version=configuration,...` lines, `#` comments, one `empty=` line."""
    found: list[tuple[Dependency, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#") or LOCK_EMPTY.fullmatch(line):
            continue
        entry = LOCK_ENTRY.fullmatch(line)
        if not entry:
            raise ScanError(f"not a valid gradle.lockfile: line {number} is not group:artifact:version=configurations")
        group, artifact, version, configurations = entry.groups()
        rank = max((_rank(name) for name in configurations.split(",") if name), default=OTHER)
        found.append(((group, artifact, version), rank))
    return _shipped(found)


def _rank(configuration: str) -> int:
    if TEST_CONFIGURATION.search(configuration):
        return TEST
    if configuration == "runtimeClasspath" or configuration.startswith("releaseRuntime"):
        return RELEASE_RUNTIME
    if configuration.endswith("RuntimeClasspath"):
        return RELEASE_RUNTIME if "Release" in configuration else RUNTIME
    return OTHER


def _shipped(found: Iterable[tuple[Dependency, int]]) -> list[Dependency]:
    """Dependencies that reach the app, each once, at the version of its best-ranked configuration."""
    found = list(found)
    floor = RUNTIME if any(rank >= RUNTIME for _, rank in found) else OTHER
    best: dict[tuple[str, str], tuple[str | None, int]] = {}
    for (group, artifact, version), rank in found:
        if rank < floor:
            continue
        key = (group, artifact)
        if key not in best or rank > best[key][1]:
            best[key] = (version, rank)
    return [(group, artifact, version) for (group, artifact), (version, _) in best.items()]


def parse_version_catalog(text: str) -> list[Dependency]:
    """`libs.versions.toml`: every `[libraries]` entry, its version resolved through `[versions]`."""
    try:
        catalog = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise ScanError(f"not a valid version catalog: {_first_line(error)}") from None
    versions = _table(catalog, "versions")
    return [_library(alias, value, versions) for alias, value in _table(catalog, "libraries").items()]


def _table(catalog: dict[str, Any], name: str) -> dict[str, Any]:
    table = catalog.get(name, {})
    if not isinstance(table, dict):
        raise ScanError(f"not a valid version catalog: [{name}] is not a table")
    return table


def _library(alias: str, value: Any, versions: dict[str, Any]) -> Dependency:
    if isinstance(value, str):  # "group:artifact:version"
        coordinate = _coordinate(value)
        if coordinate is None:
            raise ScanError(f"not a valid version catalog: library {alias!r} is not group:artifact:version")
        return coordinate
    if not isinstance(value, dict):
        raise ScanError(f"not a valid version catalog: library {alias!r} is neither a string nor a table")
    module = value.get("module")
    if isinstance(module, str) and (coordinate := _coordinate(module)) and coordinate[2] is None:
        group, artifact = coordinate[:2]
    elif isinstance(value.get("group"), str) and isinstance(value.get("name"), str) and not module:
        group, artifact = value["group"], value["name"]
    else:
        raise ScanError(f"not a valid version catalog: library {alias!r} has no module or group and name")
    return group, artifact, _catalog_version(value.get("version"), versions)


def _catalog_version(version: Any, versions: dict[str, Any]) -> str | None:
    """A literal, a `{ ref = ... }` into [versions], or a rich version (prefer, else strictly, else require)."""
    if isinstance(version, dict) and isinstance(version.get("ref"), str):
        version = versions.get(version["ref"])
    if isinstance(version, dict):
        version = next((version[key] for key in ("prefer", "strictly", "require") if key in version), None)
    return version if isinstance(version, str) and version else None


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__

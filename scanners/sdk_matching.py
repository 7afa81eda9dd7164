"""Match the SDK catalog's signatures against what an artifact contains.

Dex package prefixes are looked up at package boundaries only, walking a class's package from the
longest name to the shortest in one dict (a hash trie over package segments): `com.tune` matches
`com.tune.Foo` but never `com.tunein.Foo`, and the most specific prefix wins
(`com.google.android.gms.ads` over `com.google.android.gms`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from manifests.sdk_catalog import CATALOG_DIR, SdkEntry, Signatures

from .inventory import Component, Confidence, DetectedSdk, Evidence, EvidenceKind, MavenLibrary, UnknownPackage

NAMESPACE_DEPTH = 3
"""Unknown code is grouped by its first three package segments (`com.example.sdk`)."""
DECLARING_KINDS: frozenset[EvidenceKind] = frozenset({"component", "meta_data"})
SUPPORTING_KINDS: frozenset[EvidenceKind] = frozenset({"query"})
"""Evidence that backs a detection but is never enough alone: an app may query WeChat without its SDK."""
NOT_THIRD_PARTY_FILE = CATALOG_DIR / "not_third_party.txt"


@dataclass(frozen=True)
class Rule:
    sdk: str
    via: str | None = None


@dataclass(frozen=True)
class Match:
    sdks: tuple[DetectedSdk, ...]
    unknown_packages: tuple[UnknownPackage, ...]


class SignatureIndex:
    """Every signature of the catalog, keyed for constant-time lookup per evidence kind."""

    def __init__(self, entries: Iterable[SdkEntry], not_third_party: Iterable[str] = ()) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._keys: dict[EvidenceKind, dict[str, list[Rule]]] = defaultdict(dict)
        self._relative: dict[str, list[Rule]] = {}
        self._patterns: list[tuple[re.Pattern[str], Rule]] = []
        for entry in self.entries.values():
            self._add(entry.signatures, Rule(entry.id))
            for link in entry.via:
                self._add(link.signatures, Rule(entry.id, via=link.sdk))
        self._not_third_party = frozenset(not_third_party)

    @classmethod
    def from_catalog(
        cls, entries: Iterable[SdkEntry], not_third_party_file: Path = NOT_THIRD_PARTY_FILE
    ) -> SignatureIndex:
        lines = not_third_party_file.read_text(encoding="utf-8").splitlines()
        return cls(entries, (line.strip() for line in lines if line.strip() and not line.startswith("#")))

    def _add(self, signatures: Signatures, rule: Rule) -> None:
        for kind, values in (
            ("dex_package", signatures.dex_packages),
            ("component", signatures.components),
            ("meta_data", signatures.meta_data),
            ("query", signatures.queries),
            ("native_lib", signatures.native_libs),
            ("maven", signatures.maven),
        ):
            for value in values:
                self._keys[kind].setdefault(value, []).append(rule)  # type: ignore[index]
        for suffix in signatures.app_relative_components:
            self._relative.setdefault(suffix, []).append(rule)
        self._patterns.extend((re.compile(pattern), rule) for pattern in signatures.component_patterns)

    def longest_prefix(self, package: str) -> tuple[str, list[Rule]] | None:
        prefixes = self._keys["dex_package"]
        while package:
            if package in prefixes:
                return package, prefixes[package]
            package = package.rpartition(".")[0]
        return None

    def component_rules(self, name: str, app_package: str | None) -> list[Rule]:
        rules = list(self._keys["component"].get(name, ()))
        if app_package and name.startswith(app_package + "."):
            rules += self._relative.get(name[len(app_package) :], ())
        rules += [rule for pattern, rule in self._patterns if pattern.fullmatch(name)]
        return list(dict.fromkeys(rules))  # an exact name and a pattern may both name the same SDK

    def rules(self, kind: EvidenceKind, value: str) -> list[Rule]:
        return self._keys[kind].get(value, [])

    def is_third_party(self, package: str, app_package: str | None) -> bool:
        if not package or len(package.partition(".")[0]) == 1:
            return False  # the default package, or obfuscator output like `a.b`
        if app_package and (package == app_package or package.startswith(app_package + ".")):
            return False
        return not any(
            package == namespace or package.startswith(namespace + ".") for namespace in self._not_third_party
        )

    def match(
        self,
        *,
        packages: Mapping[str, int],
        components: Iterable[Component],
        meta_data: Iterable[str],
        queries: Iterable[str],
        native_libs: Iterable[str],
        maven: Iterable[MavenLibrary],
        app_package: str | None,
    ) -> Match:
        found = _Findings()
        unknown: Counter[str] = Counter()
        for package, count in packages.items():
            hit = self.longest_prefix(package)
            if hit:
                found.add(hit[1], "dex_package", hit[0], count)
            elif self.is_third_party(package, app_package):
                unknown[".".join(package.split(".")[:NAMESPACE_DEPTH])] += count
        for component in components:
            found.add(self.component_rules(component.name, app_package), "component", component.name)
        for kind, values in (("meta_data", meta_data), ("query", queries), ("native_lib", native_libs)):
            for value in values:
                found.add(self.rules(kind, value), kind, value)  # type: ignore[arg-type]
        for library in maven:
            coordinate = f"{library.group}:{library.artifact}"
            label = f"{coordinate}:{library.version}" if library.version else coordinate
            found.add(self.rules("maven", coordinate), "maven", label)
        return Match(
            sdks=found.detected(self.entries),
            unknown_packages=tuple(
                UnknownPackage(package=package, classes=count)
                for package, count in sorted(unknown.items(), key=lambda item: (-item[1], item[0]))
            ),
        )


class _Findings:
    """Evidence gathered per SDK while matching."""

    def __init__(self) -> None:
        self.evidence: dict[str, Counter[tuple[EvidenceKind, str]]] = defaultdict(Counter)
        self.via: dict[str, str] = {}

    def add(self, rules: Iterable[Rule], kind: EvidenceKind, value: str, count: int = 1) -> None:
        for rule in rules:
            self.evidence[rule.sdk][kind, value] += count
            if rule.via:
                self.via[rule.sdk] = rule.via

    def detected(self, entries: Mapping[str, SdkEntry]) -> tuple[DetectedSdk, ...]:
        sdks = []
        for sdk_id, evidence in sorted(self.evidence.items()):
            kinds = {kind for kind, _ in evidence}
            if kinds <= SUPPORTING_KINDS:
                continue
            confidence: Confidence = "declared" if kinds & DECLARING_KINDS else "present"
            entry = entries[sdk_id]
            sdks.append(
                DetectedSdk(
                    id=sdk_id,
                    name=entry.display_name,
                    confidence=confidence,
                    evidence=tuple(
                        Evidence(kind=kind, value=value, count=count)
                        for (kind, value), count in sorted(evidence.items())
                    ),
                    via=self.via.get(sdk_id),
                    parent=entry.parent,
                )
            )
        return tuple(sdks)


SELF_CHECK_PACKAGE = "com.example.selfcheck"


def self_detection_problems(index: SignatureIndex, related: Mapping[str, set[str]]) -> list[str]:
    """Each SDK's own signatures, as evidence, must detect that SDK and no SDK it is not related to
    (by a parent or via link): the catalog tested against itself."""
    problems = []
    for entry in index.entries.values():
        signatures = entry.signatures
        components = [
            Component(kind="activity", name=name, exported=False)
            for name in (
                *signatures.components,
                *(SELF_CHECK_PACKAGE + suffix for suffix in signatures.app_relative_components),
            )
        ]
        match = index.match(
            packages=dict.fromkeys(signatures.dex_packages, 1),
            components=components,
            meta_data=signatures.meta_data,
            queries=signatures.queries,
            native_libs=signatures.native_libs,
            maven=[
                MavenLibrary(group=group, artifact=artifact, version=None)
                for group, _, artifact in (coordinate.partition(":") for coordinate in signatures.maven)
            ],
            app_package=SELF_CHECK_PACKAGE,
        )
        found = {sdk.id for sdk in match.sdks}
        if entry.id not in found:
            problems.append(f"{entry.id}.yaml: its own signatures do not detect it")
        if others := found - related.get(entry.id, {entry.id}):
            problems.append(f"{entry.id}.yaml: its signatures also detect {', '.join(sorted(others))}")
    return problems

"""Inventory + declarations (+ catalogs, + the published policy text) -> findings.

Each rule is one function that yields findings; waivers are applied last. An SDK declared by any name
the catalog knows (`Pangolin`, `穿山甲`, `pangle`) is the same SDK, and a declared module covers the core
SDK it brings (declaring Facebook Login covers the Facebook SDK core, not the other way round).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec

from manifests.catalog_queries import known_none, resolve_name
from manifests.data_item_catalog import DataItem, load_data_items
from manifests.declarations import Declarations, DeclaredSdk
from manifests.names import folded
from manifests.permission_catalog import PlatformPermission, load_permission_catalog
from manifests.sdk_catalog import SdkEntry, load_sdk_catalog
from scanners import Inventory
from scanners.inventory import DetectedSdk

from .findings import AppliedWaiver, Evidence, Finding, Location, load_rules

BUILD_KINDS = {"apk", "split-apks", "aab"}
"""Artifacts that hold both code and manifest: only there does an absent SDK prove it is not in the build."""
MANIFEST_KINDS = BUILD_KINDS | {"manifest-binary", "manifest-text", "aar"}
SEPARATE_CONSENT = "separate_consent"


@dataclass
class Context:
    inventory: Inventory
    declarations: Declarations
    source: str
    lines: dict[str, int]
    policy_text: str | None
    today: datetime.date
    catalog: dict[str, SdkEntry] = field(default_factory=lambda: {e.id: e for e in load_sdk_catalog()})
    platform: dict[str, PlatformPermission] = field(default_factory=load_permission_catalog)
    data_items: dict[str, DataItem] = field(default_factory=load_data_items)

    def __post_init__(self) -> None:
        self.declared: dict[str, tuple[int, DeclaredSdk]] = {}
        """Catalog id -> (index, declaration) of every declared SDK the catalog knows."""
        for index, sdk in enumerate(self.declarations.sdks):
            entry = self.catalog.get(sdk.sdk) if sdk.sdk else resolve_name(self.catalog.values(), sdk.name or "")
            if entry:
                self.declared.setdefault(entry.id, (index, sdk))
        self.detected = {sdk.id: sdk for sdk in self.inventory.sdks}

    def ancestors(self, sdk_id: str) -> list[str]:
        chain, parent = [], self.catalog[sdk_id].parent if sdk_id in self.catalog else None
        while parent and parent not in chain:
            chain.append(parent)
            parent = self.catalog[parent].parent if parent in self.catalog else None
        return chain

    def location(self, path: str) -> Location | None:
        line = self.lines.get(path) or self.lines.get(path.split("[")[0])
        return Location(file=self.source, line=line) if line else None

    def finding(
        self,
        rule_id: str,
        subject: str,
        message: str,
        *,
        path: str = "",
        severity: str | None = None,
        evidence: tuple[Evidence, ...] = (),
    ) -> Finding:
        rule = load_rules()[rule_id]
        return Finding(
            rule=rule_id,
            severity=severity or rule.severity,
            subject=subject,
            message=message,  # type: ignore[arg-type]
            basis=rule.basis,
            evidence=evidence,
            location=self.location(path) if path else None,
        )


def reconcile(
    inventory: Inventory,
    declarations: Declarations,
    *,
    source: str = "privacy.yaml",
    lines: dict[str, int] | None = None,
    policy_text: str | None = None,
    today: datetime.date | None = None,
) -> tuple[Finding, ...]:
    context = Context(
        inventory, declarations, source, lines or {}, policy_text, today or datetime.datetime.now(datetime.UTC).date()
    )
    findings = [
        *_undeclared_sdks(context),
        *_sdks_not_in_build(context),
        *_incomplete_sdks(context),
        *_underdeclared_data(context),
        *_undeclared_permissions(context),
        *_permissions_not_requested(context),
        *_permissions_without_purpose(context),
        *_consent(context),
        *(_missing_from_policy_text(context) if policy_text is not None else ()),
    ]
    findings = _apply_waivers(context, findings)
    return tuple(sorted(findings, key=lambda f: (f.waiver is not None, f.severity != "error", f.rule, f.subject)))


def _evidence(sdk: DetectedSdk) -> tuple[Evidence, ...]:
    return tuple(Evidence(kind=e.kind, value=e.value, count=e.count) for e in sdk.evidence)


def _is_declared(context: Context, sdk_id: str) -> bool:
    """Declared itself, or a declared module of it brings it (Facebook Login brings the Facebook core)."""
    return sdk_id in context.declared or any(sdk_id in context.ancestors(other) for other in context.declared)


def _undeclared_sdks(context: Context) -> Iterator[Finding]:
    undeclared = [sdk for sdk in context.inventory.sdks if not _is_declared(context, sdk.id)]
    cores = {ancestor for sdk in undeclared for ancestor in context.ancestors(sdk.id)}
    for sdk in undeclared:
        if sdk.id in cores:
            continue  # reported with the module that brings it: one thing to declare, one finding
        brought = [core for core in undeclared if core.id in context.ancestors(sdk.id)]
        via = f" (via {sdk.via})" if sdk.via else ""
        with_core = f", with {', '.join(core.name for core in brought)} that it brings" if brought else ""
        yield context.finding(
            "sdk.undeclared",
            sdk.id,
            f"{sdk.name}{via} is in the build ({sdk.confidence}{with_core}) but not declared",
            path="sdks",
            evidence=tuple(e for s in (sdk, *brought) for e in _evidence(s)),
        )


def _sdks_not_in_build(context: Context) -> Iterator[Finding]:
    if context.inventory.artifact.kind not in BUILD_KINDS:
        return
    in_build = set(context.detected) | {a for sdk_id in context.detected for a in context.ancestors(sdk_id)}
    for sdk_id, (index, sdk) in context.declared.items():
        if sdk_id in in_build or (sdk.platforms and "android" not in sdk.platforms):
            continue
        yield context.finding(
            "sdk.not-in-build", sdk_id, f"{sdk.name or sdk_id} is declared but not in the build", path=f"sdks[{index}]"
        )


def _incomplete_sdks(context: Context) -> Iterator[Finding]:
    for index, sdk in enumerate(context.declarations.sdks):
        entry = _entry(context, sdk)
        missing = []
        if not (sdk.vendor or (entry and (entry.vendor.en or entry.vendor.zh))):
            missing.append("vendor")
        if not (sdk.data_items or sdk.data_description or (entry and entry.data_collected)):
            missing.append("data collected")
        if not (sdk.privacy_url or (entry and entry.privacy_policy_url)):
            missing.append("privacy policy URL")
        if missing:
            known = "privacy policy URL" in missing and entry is not None and known_none(entry, "privacy_policy_url")
            why = (
                "not declared; the catalog records that the SDK has no privacy policy: waive with the reason"
                if known
                else "neither declared nor known to the catalog"
            )
            yield context.finding(
                "sdk.incomplete",
                entry.id if entry else sdk.label,
                f"{sdk.name or sdk.label} lacks {', '.join(missing)} ({why})",
                path=f"sdks[{index}]",
            )


def _entry(context: Context, sdk: DeclaredSdk) -> SdkEntry | None:
    return context.catalog.get(sdk.sdk) if sdk.sdk else resolve_name(context.catalog.values(), sdk.name or "")


def _underdeclared_data(context: Context) -> Iterator[Finding]:
    for index, sdk in enumerate(context.declarations.sdks):
        entry = _entry(context, sdk)
        if entry is None or not sdk.data_items:
            continue  # free-text data descriptions cannot be compared item by item
        missing = [item.item for item in entry.data_collected if item.item not in sdk.data_items]
        if missing:
            yield context.finding(
                "sdk.data-underdeclared",
                entry.id,
                f"{entry.display_name} is known to collect {', '.join(missing)}, which its declaration omits",
                path=f"sdks[{index}].data_items",
            )


def _declared_permissions(context: Context) -> set[str]:
    names = {permission.name for permission in context.declarations.permissions}
    return names | {name for sdk in context.declarations.sdks for name in sdk.permissions}


def _undeclared_permissions(context: Context) -> Iterator[Finding]:
    declared = _declared_permissions(context)
    for permission in context.inventory.permissions:
        if permission.origin == "app" or permission.name in declared:
            continue  # an app's own permission guards its components; it reaches no data
        reaches_data = permission.runtime or permission.category not in (None, "none")
        what = f"{permission.category} data" if permission.category not in (None, "none") else "no personal information"
        kind = "a runtime permission" if permission.runtime else f"{permission.origin} permission"
        yield context.finding(
            "permission.undeclared",
            permission.name,
            f"{permission.name} ({kind}, reaches {what}) is requested but not declared",
            path="permissions",
            severity="error" if reaches_data else "warning",
            evidence=(Evidence(kind="uses-permission", value=permission.name),),
        )


def _permissions_not_requested(context: Context) -> Iterator[Finding]:
    if context.inventory.artifact.kind not in MANIFEST_KINDS:
        return
    requested = {permission.name for permission in context.inventory.permissions}
    for index, permission in enumerate(context.declarations.permissions):
        if permission.name not in requested:
            yield context.finding(
                "permission.not-requested",
                permission.name,
                f"{permission.name} is declared but the build does not request it",
                path=f"permissions[{index}]",
            )


def _permissions_without_purpose(context: Context) -> Iterator[Finding]:
    for index, permission in enumerate(context.declarations.permissions):
        if not permission.purpose:
            yield context.finding(
                "permission.no-purpose",
                permission.name,
                f"{permission.name} is declared without a purpose",
                path=f"permissions[{index}]",
            )


def _consent(context: Context) -> Iterator[Finding]:
    for index, permission in enumerate(context.declarations.permissions):
        known = context.platform.get(permission.name)
        if known and known.sensitive and permission.legal_basis != SEPARATE_CONSENT:
            yield context.finding(
                "consent.separate-required",
                permission.name,
                f"{permission.name} reaches {known.category} data, sensitive personal information; its legal "
                f"basis is {permission.legal_basis or 'not stated'}",
                path=f"permissions[{index}].legal_basis",
            )
    for index, item in enumerate(context.declarations.data_items):
        if _sensitive(context, item.item) and item.legal_basis != SEPARATE_CONSENT:
            yield context.finding(
                "consent.separate-required",
                item.item,
                f"{item.item} is sensitive personal information; its legal basis is {item.legal_basis or 'not stated'}",
                path=f"data_items[{index}].legal_basis",
            )
    for index, sdk in enumerate(context.declarations.sdks):
        sensitive = [item for item in sdk.data_items if _sensitive(context, item)]
        if sensitive and sdk.legal_basis != SEPARATE_CONSENT:
            entry = _entry(context, sdk)
            subject = entry.id if entry else sdk.label
            yield context.finding(
                "consent.separate-required",
                subject,
                f"{sdk.name or subject} collects sensitive personal information ({', '.join(sensitive)}) on the "
                f"basis of {sdk.legal_basis}",
                path=f"sdks[{index}].legal_basis",
            )


def _sensitive(context: Context, item_id: str) -> bool:
    item = context.data_items.get(item_id)
    return bool(item and item.sensitive)


def _missing_from_policy_text(context: Context) -> Iterator[Finding]:
    text = folded(context.policy_text or "")
    raw = context.policy_text or ""
    for sdk_id, names in _sdk_names(context).items():
        if not any(folded(name) in text for name in names if len(folded(name)) >= 3):
            yield context.finding(
                "policy.text-missing",
                sdk_id,
                f"the policy text names {sdk_id} by none of: {', '.join(sorted(names)[:6])}",
                path="sdks",
            )
    for name, words in _permission_names(context).items():
        bare = name.rsplit(".", 1)[-1]
        mentioned = (
            name in raw
            or re.search(rf"\b{re.escape(bare)}\b", raw)
            or any(folded(word) in text for word in words if word)
        )
        if not mentioned:
            yield context.finding(
                "policy.text-missing",
                name,
                f"the policy text does not mention {name} (nor {bare}, nor its label)",
                path="permissions",
            )


def _sdk_names(context: Context) -> dict[str, set[str]]:
    """Every declared or detected SDK with each name it may go by in a policy."""
    subjects: dict[str, set[str]] = {}
    for sdk in context.declarations.sdks:
        entry = _entry(context, sdk)
        key = entry.id if entry else sdk.label
        subjects.setdefault(key, set()).update(name for name in (sdk.name, sdk.sdk) if name)
    for sdk in context.inventory.sdks:
        # A core SDK that only a declared module brings (the Facebook core under Facebook Login) is named
        # by that module's entry; everything else found in the build must be named itself.
        if sdk.id in context.declared or not _is_declared(context, sdk.id):
            subjects.setdefault(sdk.id, set())
    for key, names in subjects.items():
        entry = context.catalog.get(key)
        if entry:
            names.update(name for name in (entry.id, entry.name.en, entry.name.zh, *entry.aliases) if name)
    return subjects


def _permission_names(context: Context) -> dict[str, set[str]]:
    words: dict[str, set[str]] = {}
    for permission in context.declarations.permissions:
        words.setdefault(permission.name, set()).add(permission.function or "")
    for permission in context.inventory.permissions:
        if permission.origin == "platform":
            words.setdefault(permission.name, set())
    for name, labels in words.items():
        known = context.platform.get(name)
        if known:
            labels.update(label for label in (known.label_en, known.label_zh) if label)
    return words


def _apply_waivers(context: Context, findings: list[Finding]) -> list[Finding]:
    active = {}
    result = []
    for index, waiver in enumerate(context.declarations.waivers):
        if waiver.expires < context.today:
            result.append(
                context.finding(
                    "waiver.expired",
                    f"{waiver.rule} {waiver.subject}",
                    f"the waiver of {waiver.rule} for {waiver.subject} (approved by {waiver.approver}) expired on "
                    f"{waiver.expires}",
                    path=f"waivers[{index}].expires",
                )
            )
        else:
            active[waiver.rule, waiver.subject] = AppliedWaiver(
                reason=waiver.reason, approver=waiver.approver, expires=waiver.expires
            )
    for finding in findings:
        waiver = active.get((finding.rule, finding.subject))
        result.append(msgspec.structs.replace(finding, waiver=waiver) if waiver else finding)
    return result

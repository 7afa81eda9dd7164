"""A first draft of declarations (privacy.yaml) for what a build contains, filled from the catalogs.

Every default says in a comment where it came from, and every decision only a person can make is
marked `TODO:`; `consentry publish` refuses declarations that still carry such a mark.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from .declarations import PLATFORM_NAMESPACE, SCHEMA
from .permission_catalog import load_permission_catalog
from .sdk_catalog import SdkEntry, load_sdk_catalog

TODO = "TODO:"


@dataclass(frozen=True)
class FoundSdk:
    id: str
    evidence: str
    """How the build showed it, for the comment above its declaration."""


def scalar(value: object) -> str:
    """`value` as one line of YAML (flow style, quoted where it must be)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def line(indent: int, key: str, value: object, comment: str = "") -> str:
    """`key: value`, indented, with an optional `# comment`."""
    suffix = f"  # {comment}" if comment else ""
    return f"{' ' * indent}{key}: {scalar(value)}{suffix}"


def draft_declarations(
    *,
    package: str | None,
    source: str,
    sdks: Iterable[FoundSdk],
    permissions: Iterable[str],
    lang: str = "en",
    today: datetime.date | None = None,
) -> str:
    today = today or datetime.date.today()
    catalog = {entry.id: entry for entry in load_sdk_catalog()}
    sdks = list(sdks)
    lines = [
        f"# Draft declarations made by `consentry init` from {source} on {today}.",
        "# Defaults come from the consentry catalog (the comment on each line says which field);",
        f"# every `{TODO}` needs a person's decision before `consentry publish` accepts the file.",
        line(0, "schema", SCHEMA),
        "app:",
        line(2, "id", (package or "app").rsplit(".", 1)[-1].lower().replace("_", "-"), f"{TODO} the app's registry id"),
        line(2, "name", f"{TODO} the app's name"),
        line(2, "package", package or f"{TODO} package name"),
        line(2, "platforms", ["android"]),
        "policy:",
        line(2, "version", f"{TODO} the policy's version label"),
        line(2, "effective_date", today.isoformat(), f"{TODO} the date the policy takes effect"),
        line(2, "languages", [lang]),
        "",
        "# Third-party SDKs found in the build.",
        "sdks:" if sdks else "sdks: []",
    ]
    for found in sdks:
        lines += _sdk_lines(catalog[found.id], found.evidence, lang)
    permission_names = list(permissions)
    lines += ["", "# Permissions the build requests.", "permissions:" if permission_names else "permissions: []"]
    needed_by = _sdks_needing(catalog[found.id] for found in sdks)
    platform = load_permission_catalog()
    for name in permission_names:
        if name.startswith(PLATFORM_NAMESPACE) and name not in platform:
            lines.append(f"  # {name} is requested by the build but Android defines no such permission, so it")
            lines.append(f"  # grants nothing; {TODO} remove it from the manifest (it cannot be declared).")
            continue
        lines += _permission_lines(name, platform.get(name), needed_by.get(name, []), lang)
    return "\n".join(lines) + "\n"


def _sdks_needing(entries: Iterable[SdkEntry]) -> dict[str, list[str]]:
    needed: dict[str, list[str]] = {}
    for entry in entries:
        for name in (*entry.permissions.required, *entry.permissions.optional):
            needed.setdefault(name, []).append(entry.id)
    return needed


def _sdk_lines(entry: SdkEntry, evidence: str, lang: str) -> list[str]:
    vendor = getattr(entry.vendor, lang) or entry.vendor.en or entry.vendor.zh
    purpose = getattr(entry.purpose, lang) or entry.purpose.en or entry.purpose.zh
    sensitive = _has_sensitive_items(entry)
    lines = [f"  # {entry.display_name}: {evidence}", line(2, "- sdk", entry.id)]
    lines.append(
        line(4, "vendor", vendor, "catalog: vendor")
        if vendor
        else f"    # vendor: not in the catalog; {TODO} the vendor's legal name"
    )
    lines.append(
        line(4, "purpose", purpose, f"catalog: purpose; {TODO} check the wording")
        if purpose
        else line(4, "purpose", f"{TODO} what the app uses {entry.display_name} for")
    )
    lines.append(line(4, "scenario", f"{TODO} when or in which feature it runs"))
    items = [item.item for item in entry.data_collected]
    lines.append(
        line(4, "data_items", items, "catalog: data_collected")
        if items
        else f"    # data_items: not in the catalog; {TODO} what it collects (data_items.yaml ids)"
    )
    wanted = [*entry.permissions.required, *entry.permissions.optional]
    if wanted:
        lines.append(line(4, "permissions", wanted, "catalog: permissions"))
    basis = "separate_consent" if sensitive else "consent"
    note = "sensitive personal information: PIPL art. 29" if sensitive else "PIPL art. 13"
    lines.append(line(4, "legal_basis", basis, f"{TODO} confirm ({note})"))
    lines.append(line(4, "processing", "sdk-collects", f"{TODO} or app-transmits / both"))
    if entry.privacy_policy_url:
        lines.append(line(4, "privacy_url", entry.privacy_policy_url, "catalog: privacy_policy_url"))
    else:
        lines.append(f"    # privacy_url: not in the catalog; {TODO} the SDK's privacy-policy URL")
    return lines


def _has_sensitive_items(entry: SdkEntry) -> bool:
    from .data_item_catalog import load_data_items

    items = load_data_items()
    return any(item.item in items and items[item.item].sensitive for item in entry.data_collected)


def _permission_lines(name: str, known: object, needed_by: list[str], lang: str) -> list[str]:
    label = getattr(known, f"label_{lang}", None) if known else None
    sensitive = bool(known and getattr(known, "sensitive", False))
    lines = [line(2, "- name", name)]
    if label:
        lines.append(line(4, "function", label, "catalog: permission label"))
    else:
        lines.append(line(4, "function", f"{TODO} what it gives access to"))
    lines.append(line(4, "purpose", f"{TODO} why the app needs it"))
    lines.append(line(4, "scenario", f"{TODO} when the app asks for it"))
    lines.append(
        line(
            4,
            "requested_by",
            needed_by or ["app"],
            "catalog: SDKs that ask for it" if needed_by else f"{TODO} app, or the SDKs that need it",
        )
    )
    basis = "separate_consent" if sensitive else "consent"
    lines.append(line(4, "legal_basis", basis, f"{TODO} confirm"))
    return lines

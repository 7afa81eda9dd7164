"""The inventory as tables for a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanners import Inventory
from scanners.inventory import DetectedSdk, Evidence, Permission

UNKNOWN_PACKAGES_SHOWN = 15
COMPONENTS_SHOWN = 3
ORIGIN_STYLE = {"platform": "", "app": "cyan", "vendor": "magenta", "unknown": "red"}


def print_inventory(inventory: Inventory, console: Console | None = None) -> None:
    console = console or Console()
    console.print(_summary(inventory))
    console.print(_sdk_table(inventory.sdks))
    if inventory.permissions:
        console.print(_permission_table(inventory.permissions))
    if inventory.unknown_packages:
        console.print(_unknown_table(inventory))
    console.print()


def _summary(inventory: Inventory) -> Table:
    app, artifact = inventory.app, inventory.artifact
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("File", f"{artifact.path} ({artifact.kind}, {artifact.size:,} bytes)")
    grid.add_row("SHA-256", artifact.sha256)
    if app.package:
        version = f"{app.version_name or '?'} ({app.version_code if app.version_code is not None else '?'})"
        grid.add_row("App", f"{app.package} {version}")
        grid.add_row("SDK levels", f"min {_or_dash(app.min_sdk)}, target {_or_dash(app.target_sdk)}")
    if artifact.parts:
        grid.add_row("Parts", ", ".join(artifact.parts))
    exported = sum(component.exported for component in inventory.components)
    grid.add_row(
        "Contents",
        f"{inventory.dex.classes:,} classes in {inventory.dex.files} dex, "
        f"{len(inventory.components)} components ({exported} exported), "
        f"{len(inventory.native_libraries)} native libraries, {len(inventory.maven_libraries)} Maven libraries",
    )
    return grid


def _sdk_table(sdks: tuple[DetectedSdk, ...]) -> Table:
    table = Table(title=f"Third-party SDKs ({len(sdks)})", title_justify="left", expand=False)
    table.add_column("SDK", style="bold")
    table.add_column("id")
    table.add_column("confidence")
    table.add_column("evidence")
    for sdk in sdks:
        name = f"{sdk.name} (via {sdk.via})" if sdk.via else sdk.name
        confidence = Text(sdk.confidence, style="green" if sdk.confidence == "declared" else "yellow")
        table.add_row(name, sdk.id, confidence, _evidence_summary(sdk))
    if not sdks:
        table.add_row("none found", "", "", "")
    return table


def _evidence_summary(sdk: DetectedSdk) -> str:
    """One short line per evidence kind; the full list is in --format json."""
    by_kind: dict[str, list[Evidence]] = {}
    for evidence in sdk.evidence:
        by_kind.setdefault(evidence.kind, []).append(evidence)
    lines = []
    if packages := by_kind.pop("dex_package", None):
        classes = sum(evidence.count for evidence in packages)
        noun = "class" if classes == 1 else "classes"
        lines.append(f"{classes:,} {noun} in {', '.join(evidence.value for evidence in packages)}")
    if components := by_kind.pop("component", None):
        names = ", ".join(evidence.value.rpartition(".")[2] for evidence in components[:COMPONENTS_SHOWN])
        more = f" +{len(components) - COMPONENTS_SHOWN}" if len(components) > COMPONENTS_SHOWN else ""
        lines.append(f"components: {names}{more}")
    for kind, items in by_kind.items():
        lines.append(f"{kind.replace('_', ' ')}: {', '.join(evidence.value for evidence in items)}")
    return "\n".join(lines)


def _permission_table(permissions: tuple[Permission, ...]) -> Table:
    table = Table(title=f"Permissions ({len(permissions)})", title_justify="left")
    table.add_column("permission")
    table.add_column("protection")
    table.add_column("origin")
    table.add_column("API", justify="right")
    table.add_column("notes")
    for permission in permissions:
        notes = []
        if permission.max_sdk_version is not None:
            notes.append(f"maxSdkVersion {permission.max_sdk_version}")
        if permission.sdk23:
            notes.append("uses-permission-sdk-23")
        if permission.removed_in is not None:
            notes.append(f"removed in API {permission.removed_in}")
        level = permission.protection_level or "—"
        table.add_row(
            Text(permission.name, style="bold" if permission.runtime else ""),
            Text(level, style="red" if permission.runtime else ""),
            Text(permission.origin, style=ORIGIN_STYLE[permission.origin]),
            _or_dash(permission.api_level),
            ", ".join(notes),
        )
    return table


def _unknown_table(inventory: Inventory) -> Table:
    unknown = inventory.unknown_packages
    shown = unknown[:UNKNOWN_PACKAGES_SHOWN]
    more = f", {len(unknown) - len(shown)} more in --format json" if len(unknown) > len(shown) else ""
    table = Table(title=f"Third-party code no signature explains ({len(unknown)}{more})", title_justify="left")
    table.add_column("package")
    table.add_column("classes", justify="right")
    for package in shown:
        table.add_row(package.package, f"{package.classes:,}")
    return table


def _or_dash(value: object) -> str:
    return "—" if value is None else str(value)

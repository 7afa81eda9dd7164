"""`consentry catalog search|show|lint|stats`: the SDK catalog from the command line."""

from __future__ import annotations

import difflib
import sys
from typing import TYPE_CHECKING

import msgspec
import rich_click as click

from manifests.sdk_catalog import load_sdk_catalog

from .errors import report_error

if TYPE_CHECKING:
    from rich.table import Table

    from manifests.sdk_catalog import SdkEntry

FORMAT = click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)


@click.group("catalog")
def catalog_command() -> None:
    """Look up the SDK catalog: who runs each SDK, what it collects, how a build shows it."""


@catalog_command.command("search")
@click.argument("text")
@FORMAT
def search_command(text: str, output_format: str) -> None:
    """Find SDKs by name or alias (English or Chinese), vendor, dex package prefix or Maven coordinate.

    Exit code 1 when nothing matches.
    """
    from rich.console import Console
    from rich.table import Table

    from manifests.catalog_queries import search

    found = search(load_sdk_catalog(), text)
    if output_format == "json":
        _print_json([_summary(entry) for entry in found])
    else:
        title = f"1 SDK matches {text!r}" if len(found) == 1 else f"{len(found)} SDKs match {text!r}"
        table = Table(title=title, title_justify="left")
        for column in ("id", "name", "中文名", "vendor", "category"):
            table.add_column(column)
        for entry in found:
            table.add_row(entry.id, entry.name.en or "", entry.name.zh or "", _vendor(entry), entry.category)
        Console().print(table)
    sys.exit(0 if found else 1)


@catalog_command.command("show")
@click.argument("sdk_id", metavar="ID")
@FORMAT
def show_command(sdk_id: str, output_format: str) -> None:
    """Everything the catalog holds on one SDK, with the source of each fact."""
    entries = {entry.id: entry for entry in load_sdk_catalog()}
    entry = entries.get(sdk_id)
    if entry is None:
        nearest = difflib.get_close_matches(sdk_id, entries, n=3)
        hint = f"; did you mean {', '.join(nearest)}?" if nearest else "; try `consentry catalog search`"
        report_error("catalog", f"no SDK with id {sdk_id!r}{hint}")
        sys.exit(2)
    if output_format == "json":
        _print_json(msgspec.to_builtins(entry))
        return
    from rich.console import Console

    Console().print(_entry_table(entry))


@catalog_command.command("lint")
def lint_command() -> None:
    """Check the catalog: schema, unique ids and aliases, URLs, links, data items and permissions that
    exist, dex prefixes at package boundaries, and each SDK's signatures detecting it and nothing else.

    Exit code 1 when there are problems.
    """
    from manifests.catalog_lint import lint_catalog, related_sdks
    from manifests.sdk_catalog import SDK_DIR, load_entry
    from scanners.sdk_matching import SignatureIndex, self_detection_problems

    problems = lint_catalog()
    if not problems:
        entries = [load_entry(path) for path in sorted(SDK_DIR.glob("*.yaml"))]
        problems = self_detection_problems(SignatureIndex.from_catalog(entries), related_sdks(entries))
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problems" if problems else "catalog is clean", err=bool(problems))
    sys.exit(1 if problems else 0)


@catalog_command.command("stats")
@FORMAT
@click.option(
    "--unknown",
    "unknown_field",
    metavar="FIELD",
    help="List the ids of the SDKs whose FIELD is unknown (e.g. privacy_policy_url) instead of the totals.",
)
def stats_command(output_format: str, unknown_field: str | None) -> None:
    """How many SDKs the catalog holds, and how complete each disclosure field is across it."""
    from rich.console import Console
    from rich.table import Table

    from manifests.catalog_queries import COMPLETENESS, DISCLOSURE_FIELDS, completeness

    entries = load_sdk_catalog()
    if unknown_field is not None:
        if unknown_field not in COMPLETENESS:
            report_error("catalog", f"no field {unknown_field!r}; one of {', '.join(COMPLETENESS)}")
            sys.exit(2)
        unknown = [entry.id for entry in entries if not COMPLETENESS[unknown_field](entry)]
        if output_format == "json":
            _print_json(unknown)
        else:
            click.echo("\n".join(unknown))
        return
    filled = completeness(entries)
    if output_format == "json":
        _print_json({"entries": len(entries), "filled": filled})
        return
    table = Table(title=f"{len(entries)} SDK entries", title_justify="left")
    table.add_column("field")
    table.add_column("filled", justify="right")
    table.add_column("%", justify="right")
    table.add_column("unknown", justify="right")
    for field in COMPLETENESS:
        share = 100 * filled[field] / max(len(entries), 1)
        style = "bold" if field in DISCLOSURE_FIELDS else ""
        table.add_row(field, str(filled[field]), f"{share:.0f}", str(len(entries) - filled[field]), style=style)
    Console().print(table)


def _summary(entry: SdkEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "name": msgspec.to_builtins(entry.name),
        "vendor": msgspec.to_builtins(entry.vendor),
        "category": entry.category,
    }


def _vendor(entry: SdkEntry) -> str:
    return entry.vendor.zh or entry.vendor.en or "unknown"


def _none_or_unknown(entry: SdkEntry, fact: str) -> str:
    from manifests.catalog_queries import known_none

    return "none (per source)" if known_none(entry, fact) else "unknown"


def _print_json(document: object) -> None:
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(document)) + b"\n")


def _entry_table(entry: SdkEntry) -> Table:
    from rich.table import Table

    table = Table(title=f"{entry.display_name} ({entry.id})", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    signatures = entry.signatures
    rows = {
        "name": " / ".join(name for name in (entry.name.en, entry.name.zh) if name),
        "aliases": ", ".join(entry.aliases),
        "vendor": " / ".join(name for name in (entry.vendor.en, entry.vendor.zh) if name) or "unknown",
        "category": entry.category,
        "website": entry.website or "unknown",
        "privacy policy": entry.privacy_policy_url or _none_or_unknown(entry, "privacy_policy_url"),
        "purpose": " / ".join(text for text in (entry.purpose.en, entry.purpose.zh) if text) or "unknown",
        "data collected": ", ".join(
            f"{item.item}{'' if item.required else ' (optional)'}" for item in entry.data_collected
        )
        or _none_or_unknown(entry, "data_collected"),
        "permissions": ", ".join(
            [*entry.permissions.required, *(f"{name} (optional)" for name in entry.permissions.optional)]
        )
        or _none_or_unknown(entry, "permissions"),
        "dex packages": ", ".join(signatures.dex_packages),
        "components": "\n".join((*signatures.components, *signatures.app_relative_components)),
        "meta-data": ", ".join(signatures.meta_data),
        "native libraries": ", ".join(signatures.native_libs),
        "Maven": ", ".join(signatures.maven),
        "parent": entry.parent or "",
        "via": ", ".join(link.sdk for link in entry.via),
        "sources": "\n".join(
            f"{source.source} ({source.verified}: {', '.join(source.facts)})" for source in entry.provenance
        ),
    }
    for label, value in rows.items():
        if value:
            table.add_row(label, value)
    return table

"""`consentry init FILE`: draft declarations (privacy.yaml) from what a build contains."""

from __future__ import annotations

import sys
from pathlib import Path

import rich_click as click

from .errors import report_error, write_text


@click.command("init")
@click.argument("artifact", metavar="FILE", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the draft here instead of stdout.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the catalog defaults (purpose, permission labels).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def init_command(artifact: Path, output: Path | None, lang: str, force: bool) -> None:
    """Draft declarations for every SDK and permission that FILE contains, filled from the catalog's
    defaults, with `TODO:` marks where a person must decide (purpose wording, scenario, legal basis).
    """
    from manifests.draft import FoundSdk, draft_declarations
    from scanners import ScanError, scan

    try:
        inventory = scan(artifact)
    except ScanError as error:
        report_error(artifact, str(error))
        sys.exit(2)
    if output and output.exists() and not force:
        report_error(output, "exists; pass --force to overwrite it")
        sys.exit(2)
    text = draft_declarations(
        package=inventory.app.package,
        source=f"{artifact.name} (sha256 {inventory.artifact.sha256[:16]}…)",
        sdks=[FoundSdk(sdk.id, _evidence(sdk)) for sdk in inventory.sdks],
        permissions=[permission.name for permission in inventory.permissions],
        lang=lang,
    )
    if output:
        write_text(output, text)
        marks = text.count("TODO:")
        click.echo(
            f"wrote {output}: {len(inventory.sdks)} SDKs, {len(inventory.permissions)} permissions, {marks} TODO marks"
        )
    else:
        sys.stdout.write(text)


def _evidence(sdk) -> str:  # type: ignore[no-untyped-def]
    kinds = sorted({evidence.kind.replace("_", " ") for evidence in sdk.evidence})
    via = f", via {sdk.via}" if sdk.via else ""
    return f"{sdk.confidence} in the build ({', '.join(kinds)}{via})"

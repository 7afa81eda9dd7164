"""`consentry import-policy POLICY_FILE`: draft declarations (privacy.yaml) from a published privacy policy."""

from __future__ import annotations

import sys
from pathlib import Path

import rich_click as click

from .errors import report_error


@click.command("import-policy")
@click.argument("policy_file", metavar="POLICY_FILE", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the draft here instead of stdout.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    help="The policy's language (policy.languages); by default, told from its text.",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def import_command(policy_file: Path, output: Path | None, lang: str | None, force: bool) -> None:
    """Draft declarations from a published privacy policy (plain text, Markdown or HTML): its third-party
    SDK list and its permission table, in whatever layout (Markdown or HTML tables, `|`-separated rows,
    `SDK名称：…` field lists), with `TODO:` marks where a person must decide (the app, legal basis).

    A summary and every row or name the import could not place go to stderr. Exit codes: 0 the draft
    was written (even with problems), 2 the policy cannot be read.
    """
    from manifests.policy_import import draft_from_import, import_policy
    from manifests.policy_text import PolicyTextError, read_policy_text

    try:
        text = read_policy_text(policy_file, tables=True)
    except PolicyTextError as error:
        report_error(policy_file, str(error))
        sys.exit(2)
    if output and output.exists() and not force:
        report_error(output, "exists; pass --force to overwrite it")
        sys.exit(2)
    result = import_policy(text, lang)
    draft = draft_from_import(result, policy_file.name)
    if output:
        output.write_text(draft, encoding="utf-8")
    else:
        sys.stdout.write(draft)
    known = sum(1 for sdk in result.sdks if sdk.sdk)
    declared = sum(1 for permission in result.permissions if permission.platform)
    invalid = len(result.permissions) - declared
    summary = (
        f"{len(result.sdks)} SDKs ({known} in the catalog), {declared} permissions"
        f"{f' (and {invalid} commented out: not Android permissions)' if invalid else ''}, "
        f"{len(result.data_items)} data items; {len(result.problems)} problems; {draft.count('TODO:')} TODO marks"
    )
    report_error(policy_file, f"{summary}{f'; wrote {output}' if output else ''}")
    for problem in result.problems:
        report_error(policy_file, str(problem))

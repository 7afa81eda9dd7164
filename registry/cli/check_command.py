"""`consentry check FILE --declarations privacy.yaml`: the pre-release gate."""

from __future__ import annotations

import sys
from pathlib import Path

import rich_click as click

from .errors import report_error, write_text


@click.command("check")
@click.argument("artifact", metavar="FILE", type=click.Path(path_type=Path))
@click.option(
    "--declarations",
    "declarations_file",
    type=click.Path(path_type=Path),
    help="The app's privacy.yaml (or JSON). Not needed with --registry.",
)
@click.option(
    "--policy-text",
    type=click.Path(path_type=Path),
    help="The published policy (text, Markdown or HTML): everything must be named in it too.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "junit", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="The lowest severity that fails the check (exit code 1).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@click.option(
    "--registry",
    "use_registry",
    is_flag=True,
    help="Check against the policy version in force in the registry, and store the release and its findings.",
)
@click.option("--app", "app_id", help="The app's registry id (with --registry).")
def check_command(
    artifact: Path,
    declarations_file: Path | None,
    policy_text: Path | None,
    output_format: str,
    fail_on: str,
    output: Path | None,
    use_registry: bool,
    app_id: str | None,
) -> None:
    """Fail a build that holds anything its privacy policy does not declare.

    Scans FILE (APK, split set, AAB, AAR, merged AndroidManifest.xml, or a Gradle dependency list), reconciles
    it with the declarations (and the published policy text), and reports every finding with its rule, legal
    basis and evidence. Exit code 0 when nothing at or above `--fail-on` remains, 1 otherwise, 2 for bad input.
    """
    from registry.check import CheckError, run_check
    from registry.reports import render

    if use_registry == bool(declarations_file):
        report_error("check", "give either --declarations FILE or --registry (with --app ID)")
        sys.exit(2)
    try:
        findings = run_check(artifact, declarations_file, policy_text, fail_on, app_id if use_registry else None)
    except CheckError as error:
        for problem in error.problems:
            report_error(error.source, problem)
        sys.exit(2)
    report = render(findings, output_format)
    if output:
        write_text(output, report)
    else:
        sys.stdout.write(report)
    sys.exit(1 if findings.summary.failed else 0)

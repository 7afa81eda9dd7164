"""`consentry disclose`: the tables a privacy policy publishes, generated from the declarations."""

from __future__ import annotations

import sys
from pathlib import Path

import rich_click as click

from .errors import report_error, write_text

TABLE_CHOICES = ("sdks", "permissions", "collected", "shared", "all")


@click.command("disclose")
@click.option(
    "--declarations", "declarations_file", type=click.Path(path_type=Path), help="The app's privacy.yaml (or JSON)."
)
@click.option("--app", "app_id", help="Instead of --declarations: the app's registry id (its policy in force).")
@click.option("--version", "version_number", type=int, help="With --app: this policy version number instead.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--table", type=click.Choice(TABLE_CHOICES), default="all", show_default=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "html", "csv", "json", "play-csv"]),
    default="markdown",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here instead of stdout.")
def disclose_command(
    declarations_file: Path | None,
    app_id: str | None,
    version_number: int | None,
    lang: str,
    table: str,
    output_format: str,
    output: Path | None,
) -> None:
    """Generate the disclosure tables that the privacy policy publishes: the third-party SDK list
    (第三方SDK共享清单), the permission table (权限申请与使用情况说明), the personal information collected
    (已收集个人信息清单) and shared with third parties (与第三方共享个人信息清单).

    Catalog defaults (vendor, purpose, data collected, privacy URL) fill what the declarations leave out;
    `json` marks each such cell. `play-csv` is the Google Play Console Data safety import file.
    """
    from manifests.declarations import DeclarationsError, load_declarations

    if bool(declarations_file) == bool(app_id):
        report_error("disclose", "give either --declarations FILE or --app ID")
        sys.exit(2)
    try:
        declarations = (
            load_declarations(declarations_file) if declarations_file else _from_registry(app_id, version_number)
        )
    except DeclarationsError as error:
        for problem in error.problems:
            report_error(error.source, problem)
        sys.exit(2)
    text = _render(declarations, lang, table, output_format)
    if output:
        write_text(output, text)
    else:
        sys.stdout.write(text)


def _render(declarations, lang: str, table: str, output_format: str) -> str:  # type: ignore[no-untyped-def]
    if output_format == "play-csv":
        from manifests.play_data_safety import play_csv

        return play_csv(declarations)
    from manifests.disclosure import TABLES, disclosure_tables
    from manifests.disclosure_formats import render

    tables = disclosure_tables(declarations, lang, TABLES if table == "all" else (table,))
    return render(tables, declarations, lang, output_format)


def _from_registry(app_id: str | None, version_number: int | None):  # type: ignore[no-untyped-def]
    from manifests.declarations import DeclarationsError
    from registry.database import session, upgrade
    from registry.store import stored_declarations

    upgrade()
    with session() as db:
        declarations = stored_declarations(db, app_id or "", version_number)
    if declarations is None:
        which = f"version {version_number}" if version_number else "policy in force"
        raise DeclarationsError(app_id or "", [f"no {which} for app {app_id!r} in the registry"])
    return declarations

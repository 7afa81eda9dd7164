"""Commands that read and write the registry: `db upgrade|verify`, `publish`, `record`, `history`."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import rich_click as click

from .errors import report_error

ACTOR = click.option(
    "--actor",
    default=lambda: os.environ.get("CONSENTRY_ACTOR") or getpass.getuser(),
    show_default="$CONSENTRY_ACTOR or your user name",
    help="Who is doing this, for the audit log.",
)


def _session():  # type: ignore[no-untyped-def]
    from registry.database import session, upgrade

    upgrade()  # idempotent: a new database is created, an old one migrated
    return session()


@click.group("db")
def db_command() -> None:
    """The registry database: SQLite file `consentry.db` by default, or `$CONSENTRY_DATABASE_URL`
    (e.g. `postgresql+psycopg://user@host/db`)."""


@db_command.command("upgrade")
def upgrade_command() -> None:
    """Create the database or migrate it to the newest schema."""
    from registry.database import database_url, upgrade

    upgrade()
    click.echo(f"database at newest schema: {_redacted(database_url())}")


@db_command.command("verify")
def verify_command() -> None:
    """Recompute the content hash of every policy version and inventory; exit 1 if any row changed."""
    from registry.store import verify

    with _session() as session:
        problems = verify(session)
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} rows changed" if problems else "every stored document matches its hash")
    sys.exit(1 if problems else 0)


@click.command("publish")
@click.argument("declarations_file", metavar="PRIVACY_YAML", type=click.Path(path_type=Path))
@ACTOR
def publish_command(declarations_file: Path, actor: str) -> None:
    """Publish declarations as the app's next policy version (immutable once published).

    Publishing the same declarations as the newest version again changes nothing.
    """
    from manifests.declarations import DeclarationsError, load_declarations
    from manifests.draft import TODO
    from registry.store import publish

    try:
        declarations = load_declarations(declarations_file)
    except DeclarationsError as error:
        _report_problems(error.source, error.problems)
    if marks := declarations_file.read_text(encoding="utf-8").count(TODO):
        _report_problems(str(declarations_file), [f"(file): {marks} {TODO} marks left; decide them first"])
    with _session() as session:
        version, created = publish(session, declarations, actor)
        verb = "published" if created else "unchanged: already published as"
        click.echo(f"{declarations.app.id}: {verb} policy version {version.number} ({version.label})")


@click.command("record")
@click.argument("artifact", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--app", "app_id", required=True, help="The app's id in the registry.")
@ACTOR
def record_command(artifact: Path, app_id: str, actor: str) -> None:
    """Scan FILE and store it as a release of the app, keyed by its sha256 (recording it again does
    not duplicate it), with the policy version in force at the time."""
    from registry.store import RegistryError, record
    from scanners import ScanError, scan

    try:
        inventory = scan(artifact)
    except ScanError as error:
        report_error(artifact, str(error))
        sys.exit(2)
    with _session() as session:
        try:
            recorded = record(session, app_id, inventory, actor)
        except RegistryError as error:
            report_error(app_id, str(error))
            sys.exit(2)
        verb = "recorded" if recorded.created else "already recorded as"
        click.echo(f"{app_id}: {verb} release {recorded.release.id} (sha256 {recorded.release.sha256})")
    if recorded.findings:
        summary = recorded.findings.summary
        click.echo(
            f"  against {recorded.findings.declarations.source}: {summary.errors} errors, "
            f"{summary.warnings} warnings, {summary.waived} waived"
        )


@click.command("history")
@click.argument("app_id", metavar="ID")
def history_command(app_id: str) -> None:
    """Policy versions and releases of an app, newest first."""
    from rich.console import Console
    from rich.table import Table

    from registry.store import RegistryError, history

    with _session() as session:
        try:
            events = history(session, app_id)
        except RegistryError as error:
            report_error(app_id, str(error))
            sys.exit(2)
    table = Table(title=f"{app_id}: {len(events)} events, newest first", title_justify="left")
    for column in ("when (UTC)", "what", "", "detail"):
        table.add_column(column)
    for event in events:
        table.add_row(f"{event.at:%Y-%m-%d %H:%M:%S}", event.kind, event.title, event.detail)
    Console().print(table)


def _report_problems(source: str, problems: list[str]) -> None:
    for problem in problems:
        report_error(source, problem)
    sys.exit(2)


def _redacted(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

"""Entry point and command group. Each command lives in its own module and imports its heavy parts lazily,
so that `consentry scan` never loads the database or the web stack."""

from __future__ import annotations

import rich_click as click

from .catalog_command import catalog_command
from .check_command import check_command
from .disclose_command import disclose_command
from .import_command import import_command
from .init_command import init_command
from .registry_commands import db_command, history_command, publish_command, record_command
from .scan_command import scan_command
from .serve_command import serve_command
from .token_command import token_command

click.rich_click.USE_MARKDOWN = True
click.rich_click.SHOW_ARGUMENTS = True


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "--version", "-V", package_name="consentry", prog_name="consentry")
def main() -> None:
    """**consentry**: does this Android build contain anything its privacy policy does not declare?

    Scan builds (APK, split sets, AAR, JAR, dex, AndroidManifest.xml) for the permissions and
    third-party SDKs they really contain.

    Exit codes: 0 clean, 1 findings at or above the failure level, 2 bad input or usage.
    """


main.add_command(scan_command)
main.add_command(check_command)
main.add_command(disclose_command)
main.add_command(catalog_command)
main.add_command(import_command)
for _command in (init_command, publish_command, record_command, history_command, db_command):
    main.add_command(_command)
main.add_command(serve_command)
main.add_command(token_command)

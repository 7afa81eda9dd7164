"""`consentry scan FILE...`: the inventory of each artifact, as a table or JSON."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import rich_click as click

from scanners import Inventory, ScanError, scan

from .errors import report_error

Outcome = tuple[Path, Inventory | None, str | None]


@click.command("scan")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="`table` for people; `json` for machines (one inventory per line when several files are given).",
)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Scan in N processes.")
def scan_command(files: tuple[Path, ...], output_format: str, jobs: int) -> None:
    """List what each FILE really contains: app, permissions, components, native libraries, Maven
    libraries, third-party SDKs with their evidence, and third-party code no signature explains.

    FILE may be an APK, a split set (.apks, .xapk, a zip of APKs), an AAR, a JAR, a bare dex, or an
    AndroidManifest.xml (binary or plain text); the kind is told by content, not by name.
    Every file that cannot be read is reported on stderr and makes the exit code 2.
    """
    failed = False
    for path, inventory, error in _scan_all(files, jobs):
        if error is not None:
            report_error(path, error)
            failed = True
        elif output_format == "json":
            sys.stdout.buffer.write(inventory.to_json() + b"\n")  # type: ignore[union-attr]
        else:
            from .inventory_table import print_inventory

            print_inventory(inventory)  # type: ignore[arg-type]
    sys.stdout.flush()
    sys.exit(2 if failed else 0)


def _scan_all(files: tuple[Path, ...], jobs: int) -> Iterator[Outcome]:
    if jobs == 1 or len(files) == 1:
        outcomes: Iterator[Outcome] = map(_scan_one, files)
        yield from _with_progress(outcomes, len(files))
        return
    from concurrent.futures import ProcessPoolExecutor  # only here: importing it costs every scan 14 ms

    with ProcessPoolExecutor(max_workers=min(jobs, len(files))) as pool:
        yield from _with_progress(pool.map(_scan_one, files), len(files))


def _scan_one(path: Path) -> Outcome:
    try:
        return path, scan(path), None
    except ScanError as error:
        return path, None, str(error)
    except MemoryError:
        return path, None, "too large to scan in the memory available"
    except RecursionError:
        return path, None, "nested too deeply to scan"
    except Exception as error:  # a scanner bug must still end in one line, not a traceback
        return (
            path,
            None,
            f"internal error ({type(error).__name__}: {error}); please report it with this file",
        )


def _with_progress(outcomes: Iterator[Outcome], total: int) -> Iterator[Outcome]:
    """A progress bar on a terminal for many files; nothing when stderr is piped."""
    if total < 2 or not sys.stderr.isatty():
        yield from outcomes
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("scanning", total=total)
        for outcome in outcomes:
            progress.advance(task)
            yield outcome

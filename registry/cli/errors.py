"""How the command line reports bad input: one line on stderr, `consentry: FILE: what is wrong`."""

from __future__ import annotations

import sys
from pathlib import Path


def report_error(path: Path | str, message: str) -> None:
    print(f"consentry: {path}: {message}", file=sys.stderr)


def write_text(path: Path, text: str) -> None:
    """Write a report or draft; a path that cannot be written is bad input (exit code 2)."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        report_error(path, f"cannot write: {error.strerror or error}")
        sys.exit(2)

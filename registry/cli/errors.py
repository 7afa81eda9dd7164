"""How the command line reports bad input: one line on stderr, `consentry: FILE: what is wrong`."""

from __future__ import annotations

import sys
from pathlib import Path


def report_error(path: Path | str, message: str) -> None:
    print(f"consentry: {path}: {message}", file=sys.stderr)

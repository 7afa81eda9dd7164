"""How names are compared: as two policies might both write them."""

from __future__ import annotations

import unicodedata


def folded(name: str) -> str:
    """Width, case and whitespace folded: full-width `PANGOLIN SDK`, `pangolin sdk` and `PangolinSDK` are one name."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())

"""A policy version's disclosure tables, rendered as the `disclose` command renders them."""

from __future__ import annotations

from litestar import Response

from manifests.declarations import Declarations
from manifests.disclosure import TABLES, disclosure_tables
from manifests.disclosure_formats import render
from registry.models import PolicyVersion
from registry.store import declarations_of

from ..problems import Problem

MEDIA_TYPES = {
    "markdown": "text/markdown",
    "html": "text/html",
    "csv": "text/csv",
    "json": "application/json",
    "play-csv": "text/csv",
}
"""Litestar adds `; charset=utf-8` to the text ones."""


def render_disclosure(version: PolicyVersion, lang: str, table: str, output_format: str) -> Response[str]:
    declarations = declarations_of(version)
    if output_format == "play-csv":
        text = _play_csv(declarations)
    else:
        tables = disclosure_tables(declarations, lang, TABLES if table == "all" else (table,))
        text = render(tables, declarations, lang, output_format)
    return Response(text, media_type=MEDIA_TYPES[output_format])


def _play_csv(declarations: Declarations) -> str:
    try:
        from manifests.play_data_safety import play_csv
    except ImportError:
        raise Problem(
            501, "the Google Play Data safety export is not available in this build", kind="not-implemented"
        ) from None
    return play_csv(declarations)

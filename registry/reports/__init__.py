"""Findings rendered for people and for CI systems: text, JSON, SARIF 2.1.0, JUnit XML, Markdown.

Each format is a module of this package with one `render(findings) -> str`, imported only when used.
"""

from __future__ import annotations

import importlib

from registry.reconcile import Findings

FORMATS = ("text", "json", "sarif", "junit", "markdown")


def render(findings: Findings, output_format: str) -> str:
    if output_format == "json":
        return findings.to_json().decode("utf-8") + "\n"
    if output_format not in FORMATS:
        raise ValueError(f"unknown format {output_format!r}")
    return importlib.import_module(f"{__name__}.{output_format}").render(findings)

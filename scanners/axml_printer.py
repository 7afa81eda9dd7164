"""pyaxmlparser's AXML printer, imported without the 90 ms its package costs at import.

`import pyaxmlparser.axmlprinter` first runs the package's `__init__`, which loads its whole APK reader
(asn1crypto, lxml.sax), and `pyaxmlparser.resources.public`, which parses a 190 KB XML table with
minidom; together that is a fifth of a whole `consentry scan`. The printer needs neither: only the
attribute-id table, which pyaxmlparser also ships as `resources/public.json`. So, on first use, the
package and that table are registered from their files, the printer is imported, and the package
placeholders are dropped again so that a later `import pyaxmlparser` still loads the full package.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path

# SYSTEM_RESOURCES key -> resource type in public.json, as pyaxmlparser.resources.public builds it
RESOURCE_KINDS = {"attributes": "attr", "styles": "style", "drawables": "drawable", "mipmaps": "mipmap"}


def load_axml_printer() -> type:
    if "pyaxmlparser.axmlprinter" not in sys.modules:
        _import_printer_alone()
    from pyaxmlparser.axmlprinter import AXMLPrinter

    return AXMLPrinter


def _import_printer_alone() -> None:
    spec = importlib.util.find_spec("pyaxmlparser")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pyaxmlparser is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    placeholders = {
        "pyaxmlparser": _package("pyaxmlparser", root),
        "pyaxmlparser.resources": _package("pyaxmlparser.resources", root / "resources"),
    }
    added = [name for name, module in placeholders.items() if sys.modules.setdefault(name, module) is module]
    if "pyaxmlparser.resources.public" not in sys.modules:
        sys.modules["pyaxmlparser.resources.public"] = _public_table(root / "resources" / "public.json")
    try:
        importlib.import_module("pyaxmlparser.axmlprinter")
    finally:
        for name in added:
            del sys.modules[name]


def _package(name: str, path: Path) -> types.ModuleType:
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    return package


def _public_table(path: Path) -> types.ModuleType:
    table = json.loads(path.read_text(encoding="utf-8"))
    public = types.ModuleType("pyaxmlparser.resources.public")
    public.SYSTEM_RESOURCES = {  # type: ignore[attr-defined]
        kind: {"forward": dict(table[key]), "inverse": {value: name for name, value in table[key].items()}}
        for kind, key in RESOURCE_KINDS.items()
    }
    return public

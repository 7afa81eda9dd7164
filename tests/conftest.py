"""Shared test fixtures: the real corpus, the JSON Schemas, and the real `consentry` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SCHEMA_DIR = ROOT / "manifests" / "schema"
FSVIEW_APK = ROOT / "examples" / "fsview" / "app-release.apk"
FSVIEW_EXPECTED = ROOT / "tests" / "fixtures" / "fsview" / "expected.json"


def corpus_files(folder: str, pattern: str = "*") -> list[Path]:
    """Files of ../shared/corpus/<folder>; an empty list (tests then skip) where the corpus is absent."""
    return sorted((CORPUS / folder).glob(pattern)) if (CORPUS / folder).is_dir() else []


def corpus_params(folder: str, pattern: str = "*") -> list:
    files = corpus_files(folder, pattern)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"../shared/corpus/{folder} is absent"))]
    return [pytest.param(path, id=path.name) for path in files]


def corpus_file(folder: str, name: str) -> Path:
    path = CORPUS / folder / name
    if not path.is_file():
        pytest.skip(f"../shared/corpus/{folder}/{name} is absent")
    return path


def validator(schema_name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMA_DIR / schema_name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def inventory_validator() -> jsonschema.protocols.Validator:
    return validator("inventory.schema.json")


def run_consentry(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command line, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "registry.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )

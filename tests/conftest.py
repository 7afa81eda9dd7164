"""Shared test fixtures: the real corpus, the JSON Schemas, and the real `consentry` command."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
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


def run_consentry(
    *args: str | Path, timeout: float = 60, database: str | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """The real command line, in its own process (against `database` when given)."""
    env = {**os.environ, "CONSENTRY_DATABASE_URL": database} if database else None
    return subprocess.run(
        [sys.executable, "-m", "registry.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


POSTGRES_VARIABLE = "CONSENTRY_TEST_POSTGRES_URL"
"""Set (by .ci/run, to a server's maintenance database) to run the registry tests on PostgreSQL."""


@contextlib.contextmanager
def new_database(folder: Path) -> Iterator[str]:
    """A new, empty registry database: a SQLite file in `folder`, or a fresh PostgreSQL database when
    $CONSENTRY_TEST_POSTGRES_URL names a server (dropped afterwards)."""
    server = os.environ.get(POSTGRES_VARIABLE)
    if not server:
        yield f"sqlite:///{folder / 'consentry.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"consentry_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        from registry.database import engine_for

        engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A new, empty registry database for one test."""
    with new_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def module_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new, empty registry database shared by the tests of one module (e.g. behind one server)."""
    with new_database(tmp_path_factory.mktemp("registry")) as url:
        yield url

"""The registry on a real database (SQLite here; PostgreSQL when $CONSENTRY_TEST_POSTGRES_URL is set):
migrations, publish, record, history, tamper evidence, all through the real command line."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest
from conftest import FSVIEW_APK, ROOT, run_consentry
from sqlalchemy import text
from sqlmodel import select

from registry.database import engine_for, session, upgrade
from registry.models import AuditEntry, PolicyVersion, Release

DECLARATIONS = ROOT / "examples" / "fsview" / "privacy.yaml"


def test_empty_database_migrates_to_head_and_matches_the_models(database: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    upgrade(database)
    with engine_for(database).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    upgrade(database)  # a second upgrade is a no-op


def test_the_whole_flow(database: str, tmp_path: Path) -> None:
    draft = tmp_path / "privacy.yaml"
    result = run_consentry("init", FSVIEW_APK, "-o", draft, database=database)
    assert result.returncode == 0, result.stderr
    assert "TODO:" in draft.read_text(encoding="utf-8")

    published = run_consentry("publish", DECLARATIONS, "--actor", "privacy-officer", database=database)
    assert published.returncode == 0, published.stderr
    assert "published policy version 1" in published.stdout

    recorded = run_consentry("record", FSVIEW_APK, "--app", "fsview", "--actor", "ci", database=database)
    assert recorded.returncode == 0, recorded.stderr
    again = run_consentry("record", FSVIEW_APK, "--app", "fsview", database=database)
    assert "already recorded" in again.stdout

    history = run_consentry("history", "fsview", database=database)
    assert history.returncode == 0, history.stderr
    lines = history.stdout
    assert lines.index("release") < lines.index("policy")  # newest first
    with session(database) as db:
        releases = db.exec(select(Release)).all()
        assert len(releases) == 1 and releases[0].policy_version_id is not None
        actions = [entry.action for entry in db.exec(select(AuditEntry))]
        assert actions == ["app.create", "policy.publish", "release.record"]


def test_draft_with_todo_marks_is_not_published(database: str, tmp_path: Path) -> None:
    draft = tmp_path / "privacy.yaml"
    run_consentry("init", FSVIEW_APK, "-o", draft)
    result = run_consentry("publish", draft, database=database)
    assert result.returncode == 2
    assert "TODO: marks left" in result.stderr


def test_publishing_new_declarations_makes_a_new_version(database: str, tmp_path: Path) -> None:
    assert run_consentry("publish", DECLARATIONS, database=database).returncode == 0
    changed = tmp_path / "privacy.yaml"
    changed.write_text(
        DECLARATIONS.read_text(encoding="utf-8").replace("legal_basis: consent", "legal_basis: separate_consent", 1)
    )
    result = run_consentry("publish", changed, database=database)
    assert "published policy version 2" in result.stdout
    with session(database) as db:
        first = db.exec(select(PolicyVersion).where(PolicyVersion.number == 1)).one()
        first.label = "rewritten"
        db.add(first)
        with pytest.raises(PermissionError, match="immutable"):
            db.commit()


def test_record_needs_a_known_app(database: str) -> None:
    result = run_consentry("record", FSVIEW_APK, "--app", "nope", database=database)
    assert result.returncode == 2
    assert "no app 'nope'" in result.stderr


def test_concurrent_records_of_one_apk_store_it_once(database: str) -> None:
    assert run_consentry("publish", DECLARATIONS, database=database).returncode == 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda _: run_consentry("record", FSVIEW_APK, "--app", "fsview", database=database, timeout=120),
                range(8),
            )
        )
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    assert sum("recorded release" in r.stdout for r in results) == 1
    with session(database) as db:
        assert len(db.exec(select(Release)).all()) == 1
        assert [e.action for e in db.exec(select(AuditEntry))].count("release.record") == 1


def test_verify_finds_a_tampered_row(database: str) -> None:
    assert run_consentry("publish", DECLARATIONS, database=database).returncode == 0
    assert run_consentry("record", FSVIEW_APK, "--app", "fsview", database=database).returncode == 0
    assert run_consentry("db", "verify", database=database).returncode == 0
    with engine_for(database).begin() as connection:  # beneath the ORM, as an intruder would
        connection.execute(
            text("UPDATE policy_version SET declarations = replace(declarations, 'consent', 'contract')")
        )
    result = run_consentry("db", "verify", database=database)
    assert result.returncode == 1
    assert "policy_version 1 (fsview v1): content changed" in result.stdout

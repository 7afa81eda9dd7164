"""The registry database: a SQLite file by default, PostgreSQL by URL; schema changes through Alembic."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

DEFAULT_URL = "sqlite:///consentry.db"
URL_VARIABLE = "CONSENTRY_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url() -> str:
    return os.environ.get(URL_VARIABLE) or DEFAULT_URL


@cache
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers do not wait for the writer
    cursor.close()


def session(url: str | None = None) -> Session:
    return Session(engine_for(url or database_url()))


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Migrate the database to the newest schema (creating it if needed)."""
    from alembic import command

    command.upgrade(alembic_config(url or database_url()), "head")


def is_current(url: str | None = None) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    url = url or database_url()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with engine_for(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head

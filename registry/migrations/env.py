"""Alembic environment: runs the registry's migrations against the URL its config carries."""

from alembic import context
from sqlmodel import SQLModel

from registry import models  # noqa: F401 - registers the tables on SQLModel.metadata
from registry.database import engine_for

config = context.config
url = config.get_main_option("sqlalchemy.url")

with engine_for(url).connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()

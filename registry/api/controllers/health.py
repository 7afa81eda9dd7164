"""Is the server up, and can it reach its database? No token needed."""

from __future__ import annotations

from importlib.metadata import version

from litestar import Controller, get
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from ..auth import PUBLIC
from ..problems import Problem, problems
from ..schemas import Health


class HealthController(Controller):
    path = "/health"
    tags = ("health",)

    @get("/", sync_to_thread=False, opt={PUBLIC: True}, security=[], responses=problems(503))
    def health(self, db: Session) -> Health:
        """200 when the server answers and its database does too; 503 otherwise."""
        try:
            db.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except SQLAlchemyError as error:
            raise Problem(503, f"the database does not answer: {type(error).__name__}", kind="unavailable") from None
        return Health(status="ok", database="ok", version=version("consentry"))

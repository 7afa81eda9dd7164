"""What handlers are given: the settings, a database session per request, and who is asking."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.datastructures import State
from litestar.di import Provide
from sqlmodel import Session

from registry.database import session

from .auth import provide_principal
from .settings import ApiSettings


def provide_settings(state: State) -> ApiSettings:
    return state.settings  # type: ignore[no-any-return]


async def provide_db(state: State) -> AsyncIterator[Session]:
    # Async, so that Litestar does not hand the session's opening and closing to a worker thread:
    # both are cheap, and each hand-off costs more than the short reads it would wrap.
    with session(state.settings.database_url) as db:
        yield db


DEPENDENCIES = {
    "settings": Provide(provide_settings, sync_to_thread=False),
    "db": Provide(provide_db),
    "principal": Provide(provide_principal, sync_to_thread=False),
}

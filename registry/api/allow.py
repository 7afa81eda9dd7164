"""Litestar 2.25 answers OPTIONS with the `Allow` methods of the first handler registered for a path (its
automatic OPTIONS handler keeps the route it was made for, and a later handler of the same path makes a
new route). Point each automatic handler at the methods of the route that serves it."""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

AUTOMATIC = "options_handler"


def repair_allow_headers(app: Litestar) -> None:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.handler_name != AUTOMATIC:
                continue
            for cell in getattr(handler.fn, "__closure__", None) or ():
                if isinstance(cell.cell_contents, HTTPRoute):
                    cell.cell_contents.methods = set(route.methods)

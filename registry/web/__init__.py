"""The auditor web pages (server-rendered, zh and en), mounted by the app at `/`.

The app passes `template_config` to Litestar and registers `web_router`.
"""

from __future__ import annotations

from .pages import make_web_router
from .templating import template_config

web_router = make_web_router()

__all__ = ["make_web_router", "template_config", "web_router"]

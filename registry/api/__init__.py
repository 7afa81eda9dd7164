"""The registry's HTTP API (Litestar), under /api/v1."""

from .app import create_app

__all__ = ["create_app"]

"""`consentry serve`: the HTTP API (and the auditor pages) with uvicorn."""

from __future__ import annotations

import os
import secrets
import sys

import rich_click as click

from .errors import report_error

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def log_config(level: str) -> dict[str, object]:
    """Every line with the request id it belongs to (`-` outside a request)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "registry.api.request_id.RequestIdFilter"}},
        "formatters": {"plain": {"format": LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "plain",
                "filters": ["request_id"],
            }
        },
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in ("consentry", "uvicorn", "litestar")
        },
    }


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option(
    "--upload-limit",
    metavar="SIZE",
    help="Largest release upload (`200M`, `1G`); default `$CONSENTRY_UPLOAD_LIMIT`, else 512M.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve_command(host: str, port: int, workers: int, upload_limit: str | None, log_level: str) -> None:
    """Serve the registry's HTTP API under `/api/v1` (OpenAPI at `/api/v1/schema`) with uvicorn, on the
    SQLite file `consentry.db` or `$CONSENTRY_DATABASE_URL`. The database is migrated first."""
    import uvicorn

    from registry.api.settings import UPLOAD_LIMIT_VARIABLE, parse_size
    from registry.database import upgrade

    if upload_limit:
        try:
            os.environ[UPLOAD_LIMIT_VARIABLE] = str(parse_size(upload_limit))
        except ValueError:
            report_error("--upload-limit", f"{upload_limit!r} is not a size such as 200M or 1G")
            sys.exit(2)
    upgrade()
    # Every worker process must sign sessions with the same key, or a login on one is unknown to the others.
    from registry.web.session import SECRET_VARIABLE

    os.environ.setdefault(SECRET_VARIABLE, secrets.token_hex(32))
    uvicorn.run(
        "registry.api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(log_level),
        access_log=False,  # the API logs each request with its id
        server_header=False,
    )

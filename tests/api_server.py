"""A real `consentry serve` process on a free loopback port, and HTTP clients for it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from conftest import ROOT, run_consentry

STARTUP_SECONDS = 60


@dataclass(frozen=True)
class Server:
    url: str
    database: str
    log: Path
    upload_dir: Path

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(
    database: str, folder: Path, *, upload_limit: str = "1M", environment: dict[str, str] | None = None
) -> Iterator[Server]:
    """`consentry serve` against `database` (with `environment` added) until the block ends; its log in
    `folder`."""
    port = free_port()
    upload_dir = folder / "uploads"
    upload_dir.mkdir()
    log = folder / "server.log"
    env = {
        **os.environ,
        **(environment or {}),
        "CONSENTRY_DATABASE_URL": database,
        "CONSENTRY_UPLOAD_DIR": str(upload_dir),
    }
    command = [sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--upload-limit", upload_limit]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", database, log, upload_dir)
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"consentry serve exited with {process.returncode}:\n{server.log_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/api/v1/health", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"consentry serve did not answer in {STARTUP_SECONDS} s:\n{server.log_text()}")


def admin_token(database: str) -> str:
    """An admin token, made as an operator makes the first one: `consentry token create`."""
    result = run_consentry("token", "create", "--role", "admin", "--name", "test admin", database=database)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()

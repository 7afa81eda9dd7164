"""schemathesis against the OpenAPI schema the server serves: generated requests to every operation (as an
admin, and without a token) find no server error and no response the schema does not describe. Bounded:
a few examples per operation, a fixed seed, a time limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from api_server import admin_token, running_server
from conftest import FSVIEW_APK, ROOT

DECLARATIONS = ROOT / "examples" / "fsview" / "privacy.yaml"
TIME_LIMIT = 300


def test_schemathesis_finds_no_server_error_and_no_response_against_the_schema(
    module_database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("schemathesis")
    with running_server(module_database, folder, upload_limit="1M") as server:
        admin = admin_token(server.database)
        with server.client(admin) as http:  # something to find: an app, a policy version, a release
            yaml_body = {"content": DECLARATIONS.read_bytes(), "headers": {"Content-Type": "application/yaml"}}
            assert http.post("/api/v1/apps/fsview/policy-versions", **yaml_body).status_code == 201  # type: ignore[arg-type]
            files = {"file": ("app-release.apk", FSVIEW_APK.read_bytes())}
            assert http.post("/api/v1/apps/fsview/releases", files=files).status_code == 201
        result = _schemathesis(f"{server.url}/api/v1/schema/openapi.json", admin, folder)
        log = server.log_text()
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert " 500 " not in log and "Traceback" not in log, log[-20000:]


def _schemathesis(schema_url: str, token: str, folder: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", schema_url,
        "--header", f"Authorization: Bearer {token}",
        "--include-path-regex", "^/api/v1/",
        # Every check but one: a body the schema allows may still be refused (422: declarations that fail
        # the catalog checks, bytes that are no APK), which is the API doing its job.
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--max-examples", "5", "--seed", "7", "--workers", "1",  # threads hit a CPython 3.11 ast.parse race
        "--request-timeout", "30", "--generation-database", "none", "--no-color",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT, cwd=folder)

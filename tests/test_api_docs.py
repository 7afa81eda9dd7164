"""docs/api.md: its curl examples, run in order against a real server (with the tokens they name)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from api_server import admin_token, running_server
from conftest import FSVIEW_APK, ROOT

DOC = ROOT / "docs" / "api.md"
DECLARATIONS = ROOT / "examples" / "fsview" / "privacy.yaml"


def doc_commands() -> str:
    return "\n".join(re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL))


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_examples_of_the_api_documentation_run(
    module_database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with running_server(module_database, tmp_path_factory.mktemp("docs")) as server:
        admin = admin_token(server.database)
        with server.client(admin) as http:
            yaml_body = {"content": DECLARATIONS.read_bytes(), "headers": {"Content-Type": "application/yaml"}}
            assert http.post("/api/v1/apps/fsview/policy-versions", **yaml_body).status_code == 201  # type: ignore[arg-type]
            release = http.post("/api/v1/apps/fsview/releases", files={"file": ("a.apk", FSVIEW_APK.read_bytes())})
            tokens = {
                role: http.post("/api/v1/tokens", json={"role": role, "name": role, "app_id": app}).json()["token"]
                for role, app in (("auditor", None), ("publisher", "fsview"))
            }
        env = {
            **os.environ,
            "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}",
            "CONSENTRY_DATABASE_URL": server.database,
            "CONSENTRY_URL": server.url,
            "ADMIN_TOKEN": admin,
            "TOKEN": tokens["auditor"],
            "PUBLISHER_TOKEN": tokens["publisher"],
            "RELEASE": str(release.json()["id"]),
        }
        result = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + doc_commands()],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert '"schema":"consentry/inventory/1"' in result.stdout  # the report
    assert "| WeChat login |" in result.stdout  # the disclosure table

"""The HTTP API over real HTTP, against a real `consentry serve` process on SQLite (or on PostgreSQL when
$CONSENTRY_TEST_POSTGRES_URL is set): every endpoint for every role, pagination, ETags, problem+json
errors, publishing, uploads (idempotent; abuse rejected with nothing half-written), the OpenAPI document."""

from __future__ import annotations

import io
import json
import re
import socket
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from api_server import Server, admin_token, running_server
from conftest import FSVIEW_APK, ROOT, run_consentry
from sqlalchemy import func
from sqlmodel import select

from registry.database import session
from registry.models import AuditEntry, Finding, Release
from registry.models import Inventory as InventoryRow

DECLARATIONS = ROOT / "examples" / "fsview" / "privacy.yaml"
UNDECLARED_APK = ROOT / "examples" / "fsview" / "undeclared" / "app-release.apk"
TEXT_MANIFEST = ROOT / "tests" / "fixtures" / "fsview" / "AndroidManifest.xml"
API = "/api/v1"
PROBLEM_JSON = "application/problem+json"
WAIVER = {
    "rule": "permission.undeclared",
    "subject": "android.permission.RECORD_VIDEO",
    "reason": "a vendor camera extension; it records nothing the user did not start",
    "approver": "privacy officer",
    "expires": "2030-01-01",
}


@dataclass(frozen=True)
class World:
    server: Server
    tokens: dict[str, str | None]
    """Role name (as the matrix names it) -> its token; "none" has none."""
    release_id: int

    def client(self, role: str = "admin", **headers: str) -> httpx.Client:
        return self.server.client(self.tokens[role], **headers)


def declarations_for(app_id: str, **changes: Any) -> dict[str, Any]:
    """The FS+VIEW declarations as JSON, for another app id (and with top-level changes)."""
    document = yaml.safe_load(DECLARATIONS.read_text(encoding="utf-8"))
    document["app"] = {**document["app"], "id": app_id, "name": f"App {app_id}"}
    document.update(changes)
    return json.loads(json.dumps(document, default=str))


def upload(http: httpx.Client, app_id: str, data: bytes, name: str = "app-release.apk") -> httpx.Response:
    return http.post(f"{API}/apps/{app_id}/releases", files={"file": (name, data, "application/octet-stream")})


def publish(http: httpx.Client, app_id: str, document: dict[str, Any]) -> httpx.Response:
    return http.post(f"{API}/apps/{app_id}/policy-versions", json=document)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with the request id the response header carries."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["type"] and body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def server(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(module_database, tmp_path_factory.mktemp("server"), upload_limit="1M") as running:
        yield running


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    """fsview (published as YAML, one release) and `other` (published as JSON), and a token per role."""
    admin = admin_token(server.database)
    with server.client(admin) as http:
        yaml_body = {"content": DECLARATIONS.read_bytes(), "headers": {"Content-Type": "application/yaml"}}
        assert http.post(f"{API}/apps/fsview/policy-versions", **yaml_body).status_code == 201  # type: ignore[arg-type]
        assert publish(http, "other", declarations_for("other")).status_code == 201
        tokens: dict[str, str | None] = {"none": None, "admin": admin}
        for role, token_role, app in (
            ("auditor", "auditor", None),
            ("publisher", "publisher", "fsview"),
            ("other-publisher", "publisher", "other"),
        ):
            created = http.post(f"{API}/tokens", json={"role": token_role, "name": role, "app_id": app})
            assert created.status_code == 201, created.text
            tokens[role] = created.json()["token"]
        uploaded = upload(http, "fsview", FSVIEW_APK.read_bytes())
        assert uploaded.status_code == 201, uploaded.text
    return World(server, tokens, uploaded.json()["id"])


# --- authorization: every endpoint x every role ---------------------------------------------------------

ROLES = ("none", "auditor", "publisher", "other-publisher", "admin")
ALLOWED = {
    "public": set(ROLES),
    "read": {"auditor", "publisher", "other-publisher", "admin"},
    "write": {"publisher", "admin"},
    "admin": {"admin"},
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str
    access: str
    ok: int = 200

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


ENDPOINTS = (
    Endpoint("GET", "/api/v1/health", "public"),
    Endpoint("GET", "/api/v1/apps", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/policy-versions", "read"),
    Endpoint("POST", "/api/v1/apps/{app_id}/policy-versions", "write"),
    Endpoint("GET", "/api/v1/apps/{app_id}/policy-versions/{number}", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/policy-versions/{number}/declarations", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/policy-versions/{number}/disclosure", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/policy-versions/{number}/waivers", "read"),
    Endpoint("POST", "/api/v1/apps/{app_id}/policy-versions/{number}/waivers", "write", 201),
    Endpoint("DELETE", "/api/v1/apps/{app_id}/waivers/{waiver_id}", "write"),
    Endpoint("GET", "/api/v1/apps/{app_id}/releases", "read"),
    Endpoint("POST", "/api/v1/apps/{app_id}/releases", "write"),
    Endpoint("GET", "/api/v1/apps/{app_id}/releases/{release_id}", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/releases/{release_id}/inventory", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/releases/{release_id}/findings", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/releases/{release_id}/report", "read"),
    Endpoint("GET", "/api/v1/apps/{app_id}/audit-log", "read"),
    Endpoint("GET", "/api/v1/catalog/sdks", "read"),
    Endpoint("GET", "/api/v1/catalog/sdks/{sdk_id}", "read"),
    Endpoint("GET", "/api/v1/catalog/permissions", "read"),
    Endpoint("GET", "/api/v1/catalog/permissions/{name}", "read"),
    Endpoint("GET", "/api/v1/catalog/data-items", "read"),
    Endpoint("GET", "/api/v1/catalog/data-items/{item_id}", "read"),
    Endpoint("GET", "/api/v1/tokens", "admin"),
    Endpoint("POST", "/api/v1/tokens", "admin", 201),
    Endpoint("DELETE", "/api/v1/tokens/{token_id}", "admin"),
)


def _fresh_waiver(world: World) -> int:
    with world.client() as http:
        created = http.post(f"{API}/apps/fsview/policy-versions/1/waivers", json=WAIVER)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _fresh_token(world: World) -> int:
    with world.client() as http:
        created = http.post(f"{API}/tokens", json={"role": "auditor", "name": "to revoke"})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _path(endpoint: Endpoint, world: World) -> str:
    values: dict[str, Callable[[], object]] = {
        "app_id": lambda: "fsview",
        "number": lambda: 1,
        "release_id": lambda: world.release_id,
        "sdk_id": lambda: "pangle",
        "name": lambda: "android.permission.CAMERA",
        "item_id": lambda: "phone-number",
        "waiver_id": lambda: _fresh_waiver(world),
        "token_id": lambda: _fresh_token(world),
    }
    return re.sub(r"\{(\w+)\}", lambda match: str(values[match.group(1)]()), endpoint.template)


def _body(endpoint: Endpoint) -> dict[str, Any]:
    if endpoint.method != "POST":
        return {}
    if endpoint.template.endswith("/policy-versions"):  # the same declarations again: 200, unchanged
        return {"content": DECLARATIONS.read_bytes(), "headers": {"Content-Type": "application/yaml"}}
    if endpoint.template.endswith("/waivers"):
        return {"json": WAIVER}
    if endpoint.template.endswith("/releases"):  # the same build again: 200, the release it already is
        return {"files": {"file": ("app-release.apk", FSVIEW_APK.read_bytes(), "application/octet-stream")}}
    return {"json": {"role": "auditor", "name": "matrix"}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_authorization_matrix(world: World, endpoint: Endpoint, role: str) -> None:
    path = _path(endpoint, world)
    with world.client(role) as http:
        response = http.request(endpoint.method, path, **_body(endpoint))
    if role in ALLOWED[endpoint.access]:
        assert response.status_code == endpoint.ok, response.text
    else:
        assert_problem(response, 401 if role == "none" else 403)
        if role == "none":
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_the_matrix_covers_every_operation_of_the_openapi_document(world: World) -> None:
    with world.client() as http:
        document = http.get(f"{API}/schema/openapi.json").json()
    operations = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if path.startswith(API)
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert operations == {str(endpoint) for endpoint in ENDPOINTS}


def test_a_revoked_or_unknown_token_is_401(world: World) -> None:
    with world.client() as http:
        created = http.post(f"{API}/tokens", json={"role": "auditor", "name": "short-lived"}).json()
        assert http.delete(f"{API}/tokens/{created['id']}").status_code == 200
    with world.server.client(created["token"]) as http:
        assert_problem(http.get(f"{API}/apps"), 401)
    with world.server.client("cst_not-a-token") as http:
        assert_problem(http.get(f"{API}/apps"), 401)
    with httpx.Client(base_url=world.server.url, headers={"Authorization": "Basic YTpi"}) as http:
        assert_problem(http.get(f"{API}/apps"), 401)


# --- errors, request ids, health ------------------------------------------------------------------------


def test_not_found_is_a_problem(world: World) -> None:
    with world.client("auditor") as http:
        for path in ("/apps/nope", "/apps/fsview/releases/999999", "/apps/fsview/policy-versions/99", "/nothing"):
            assert_problem(http.get(API + path), 404)
        assert assert_problem(http.get(f"{API}/apps/nope"), 404)["detail"] == "no app 'nope' in the registry"


def test_request_ids_are_echoed_generated_and_logged(world: World) -> None:
    with world.client("auditor", **{"X-Request-ID": "trace-42.a"}) as http:
        response = http.get(f"{API}/apps/nope")
    assert response.headers["x-request-id"] == "trace-42.a"
    assert assert_problem(response, 404)["request_id"] == "trace-42.a"
    with world.client("auditor", **{"X-Request-ID": "not a sane id"}) as http:
        generated = http.get(f"{API}/apps").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    time.sleep(0.2)  # the access log line is written as the response completes
    log = world.server.log_text()
    assert re.search(r"\[trace-42\.a\] consentry\.api\.access: GET /api/v1/apps/nope 404", log)
    assert f"[{generated}]" in log


def test_health_needs_no_token(world: World) -> None:
    response = httpx.get(f"{world.server.url}{API}/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


def test_invalid_parameters_are_400_problems_with_their_paths(world: World) -> None:
    with world.client("auditor") as http:
        body = assert_problem(http.get(f"{API}/apps", params={"limit": 0}), 400)
        assert any("limit" in error["path"] for error in body["errors"])
        body = assert_problem(http.get(f"{API}/apps", params={"cursor": "garbage!"}), 400)
        assert body["errors"] == [{"path": "query.cursor", "message": "invalid cursor"}]
        path = f"{API}/apps/fsview/releases/{world.release_id}/findings"
        assert_problem(http.get(path, params={"severity": "fatal"}), 400)
        assert_problem(http.get(f"{API}/apps/fsview/policy-versions/1/disclosure", params={"format": "pdf"}), 400)


# --- pagination -----------------------------------------------------------------------------------------


def _walk(http: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, page by page through the `next` links (checked against the Link header)."""
    items: list[dict[str, Any]] = []
    response = http.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if page["next"] is None:
            assert "link" not in response.headers
            return items
        assert response.headers["link"] == f'<{page["next"]}>; rel="next"'
        response = http.get(page["next"])


def test_every_list_pages_through_all_its_items(world: World) -> None:
    release = f"{API}/apps/fsview/releases/{world.release_id}"
    lists = [
        f"{API}/apps",
        f"{API}/apps/fsview/policy-versions",
        f"{API}/apps/fsview/policy-versions/1/waivers",
        f"{API}/apps/fsview/releases",
        f"{release}/findings",
        f"{API}/apps/fsview/audit-log",
        f"{API}/catalog/sdks",
        f"{API}/catalog/permissions",
        f"{API}/catalog/data-items",
        f"{API}/tokens",
    ]
    with world.client() as http:
        for path in lists:
            everything = http.get(path, params={"limit": 200}).json()
            paged = _walk(http, path, limit=2 if "catalog" not in path else 37)
            if everything["next"] is None:
                assert paged == everything["items"], path
            assert len({json.dumps(item, sort_keys=True) for item in paged}) == len(paged), path


def test_searches_and_filters(world: World) -> None:
    release = f"{API}/apps/fsview/releases/{world.release_id}"
    with world.client("auditor") as http:
        assert [app["id"] for app in _walk(http, f"{API}/apps", q="fs+v")] == ["fsview"]
        assert [app["id"] for app in _walk(http, f"{API}/apps", package="com.example.fsview")] == ["fsview", "other"]
        assert _walk(http, f"{API}/apps", q="%") == []  # a wildcard is a character like another
        assert _walk(http, f"{API}/catalog/sdks", q="穿山甲")[0]["id"] == "pangle"
        camera = _walk(http, f"{API}/catalog/permissions", q="camera")
        assert "android.permission.CAMERA" in [permission["name"] for permission in camera]
        assert any(item["id"] == "phone-number" for item in _walk(http, f"{API}/catalog/data-items", q="phone"))
        waived = _walk(http, f"{release}/findings", waived="true")
        assert waived and all(finding["waived"] for finding in waived)
        warnings = _walk(http, f"{release}/findings", severity="warning", rule="permission.undeclared")
        assert warnings and {(f["severity"], f["rule"]) for f in warnings} == {("warning", "permission.undeclared")}
        sha = http.get(release).json()["sha256"]
        assert [r["id"] for r in _walk(http, f"{API}/apps/fsview/releases", sha256=sha)] == [world.release_id]


# --- ETags ----------------------------------------------------------------------------------------------


def test_immutable_resources_have_etags_and_answer_304(world: World) -> None:
    release = f"{API}/apps/fsview/releases/{world.release_id}"
    version = f"{API}/apps/fsview/policy-versions/1"
    paths = [
        version,
        f"{version}/declarations",
        f"{version}/disclosure?lang=en&format=html",
        release,
        f"{release}/inventory",
        f"{release}/findings",
        f"{release}/report",
        f"{API}/catalog/sdks/pangle",
    ]
    with world.client("auditor") as http:
        for path in paths:
            first = http.get(path)
            tag = first.headers["etag"]
            assert first.status_code == 200 and re.fullmatch(r'"[0-9a-f]{32}"', tag), path
            assert http.get(path).headers["etag"] == tag, path
            for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
                again = http.get(path, headers={"If-None-Match": header})
                assert again.status_code == 304 and again.content == b"", (path, header)
                assert again.headers["etag"] == tag
            assert http.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


# --- reading what a release contained and declared ------------------------------------------------------


def test_report_answers_what_a_release_contained_and_declared(world: World) -> None:
    with world.client("auditor") as http:
        report = http.get(f"{API}/apps/fsview/releases/{world.release_id}/report").json()
        findings = _walk(http, f"{API}/apps/fsview/releases/{world.release_id}/findings")
    assert report["release"]["id"] == world.release_id
    assert report["inventory"]["schema"] == "consentry/inventory/1"
    assert report["inventory"]["artifact"]["sha256"] == report["release"]["sha256"]
    assert report["inventory"]["artifact"]["path"] == ""  # where one user kept the file is not stored
    assert {sdk["id"] for sdk in report["inventory"]["sdks"]} >= {"pangle", "huawei-push"}
    assert report["policy"]["number"] == report["release"]["policy_version"] == 1
    assert report["policy"]["declarations"]["app"]["id"] == "fsview"
    assert report["findings"] == findings
    summary = report["release"]["summary"]
    assert summary["waived"] == sum(f["waived"] for f in findings)
    assert summary["errors"] + summary["warnings"] + summary["waived"] == len(findings)


def test_app_versions_and_declarations(world: World) -> None:
    with world.client("auditor") as http:
        app = http.get(f"{API}/apps/fsview").json()
        assert app["policy_in_force"] == 1 and app["policy_versions"] == 1 and app["releases"] >= 1
        declarations = http.get(f"{API}/apps/fsview/policy-versions/1/declarations").json()
    assert declarations == yaml.safe_load(DECLARATIONS.read_text(encoding="utf-8")) | {
        "policy": declarations["policy"],
        "waivers": declarations["waivers"],
    }


@pytest.mark.parametrize(
    ("output_format", "media_type"),
    [
        ("markdown", "text/markdown"),
        ("html", "text/html"),
        ("csv", "text/csv"),
        ("json", "application/json"),
        ("play-csv", "text/csv"),
    ],
)
def test_disclosure_tables_in_every_format(world: World, output_format: str, media_type: str) -> None:
    with world.client("auditor") as http:
        response = http.get(
            f"{API}/apps/fsview/policy-versions/1/disclosure", params={"lang": "zh", "format": output_format}
        )
    if output_format == "play-csv" and response.status_code == 501:
        assert_problem(response, 501)
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    expected = run_consentry("disclose", "--declarations", DECLARATIONS, "--lang", "zh", "--format", output_format)
    assert response.text == expected.stdout


# --- publishing -----------------------------------------------------------------------------------------


def test_publish_yaml_or_json_creates_versions_and_is_idempotent(world: World) -> None:
    changed = yaml.safe_load(DECLARATIONS.read_text(encoding="utf-8"))
    changed["app"]["id"] = "publishing"
    changed["policy"]["version"] = "2"
    with world.client() as http:
        first = publish(http, "publishing", declarations_for("publishing"))
        assert first.status_code == 201 and first.json()["number"] == 1
        assert first.headers["location"] == f"{API}/apps/publishing/policy-versions/1"
        as_yaml = yaml.safe_dump(changed, allow_unicode=True).encode()
        second = http.post(
            f"{API}/apps/publishing/policy-versions", content=as_yaml, headers={"Content-Type": "application/yaml"}
        )
        assert second.status_code == 201 and second.json()["number"] == 2
        again = http.post(
            f"{API}/apps/publishing/policy-versions", content=as_yaml, headers={"Content-Type": "text/yaml"}
        )
        assert again.status_code == 200 and again.json()["number"] == 2
        versions = _walk(http, f"{API}/apps/publishing/policy-versions")
        assert [version["number"] for version in versions] == [2, 1]  # newest first
        actions = [entry["action"] for entry in _walk(http, f"{API}/apps/publishing/audit-log")]
        assert actions == ["policy.publish", "policy.publish", "app.create"]
        assert http.get(f"{API}/apps/publishing/audit-log").json()["items"][0]["actor"].startswith("test admin")


def test_invalid_declarations_are_422_with_every_problems_path(world: World) -> None:
    document = declarations_for("other")
    del document["sdks"][0]["purpose"]
    del document["sdks"][2]["legal_basis"]
    document["data_items"][0]["legal_basis"] = "because"
    with world.client("other-publisher") as http:
        body = assert_problem(publish(http, "other", document), 422)
        assert body["type"] == "urn:consentry:problem:invalid-declarations"
        paths = {error["path"] for error in body["errors"]}
        assert paths >= {"sdks[0].purpose", "sdks[2].legal_basis", "data_items[0].legal_basis"}
        unknown = declarations_for("other")
        unknown["permissions"][0]["name"] = "android.permission.CAMERAA"
        errors = assert_problem(publish(http, "other", unknown), 422)["errors"]
        assert errors[0]["path"] == "permissions[0].name" and "CAMERA" in errors[0]["message"]
        errors = assert_problem(publish(http, "other", declarations_for("fsview")), 422)["errors"]
        assert errors == [{"path": "app.id", "message": "'fsview' is not the app of this path ('other')"}]
        yaml_errors = http.post(f"{API}/apps/other/policy-versions", content=b"app: [unclosed")
        assert assert_problem(yaml_errors, 422)["errors"][0]["path"] == "(file)"
        todo = DECLARATIONS.read_text(encoding="utf-8").replace("id: fsview", "id: other") + "\n# TODO: check\n"
        errors = assert_problem(http.post(f"{API}/apps/other/policy-versions", content=todo.encode()), 422)["errors"]
        assert "TODO: marks left" in errors[0]["message"]
        assert_problem(http.post(f"{API}/apps/other/policy-versions", content=b"#" * (6 * 1024 * 1024)), 413)
        assert [v["number"] for v in _walk(http, f"{API}/apps/other/policy-versions")] == [1]


# --- uploads --------------------------------------------------------------------------------------------


def test_uploads_are_idempotent_by_sha256(world: World) -> None:
    with world.client("publisher") as http:
        again = upload(http, "fsview", FSVIEW_APK.read_bytes(), name="renamed.apk")
        assert again.status_code == 200 and again.json()["id"] == world.release_id
        assert again.headers["location"] == f"{API}/apps/fsview/releases/{world.release_id}"
        undeclared = upload(http, "fsview", UNDECLARED_APK.read_bytes())
        assert undeclared.status_code == 201
        release = undeclared.json()
        assert release["id"] != world.release_id and release["summary"]["failed"] is True
        errors = _walk(http, f"{API}/apps/fsview/releases/{release['id']}/findings", severity="error", waived="false")
        assert {(f["rule"], f["subject"]) for f in errors} == {
            ("sdk.undeclared", "umeng-common"),
            ("sdk.undeclared", "getui"),
            ("permission.undeclared", "android.permission.READ_CONTACTS"),
        }
        assert upload(http, "fsview", UNDECLARED_APK.read_bytes()).status_code == 200
    with world.client() as http:  # the same bytes are another app's release too
        assert upload(http, "other", UNDECLARED_APK.read_bytes()).status_code == 201


def _counts(database: str) -> tuple[int, ...]:
    with session(database) as db:
        return tuple(
            db.exec(select(func.count()).select_from(table)).one()  # type: ignore[call-overload]
            for table in (Release, InventoryRow, Finding, AuditEntry)
        )


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _fsview_entries() -> dict[str, bytes]:
    with zipfile.ZipFile(FSVIEW_APK) as apk:
        return {info.filename: apk.read(info) for info in apk.infolist()}


def _multipart_head(boundary: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="app.apk"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


ABUSE: dict[str, tuple[Callable[[], dict[str, Any]], int, str]] = {
    "over the size limit": (
        lambda: {"files": {"file": ("big.apk", b"PK\x03\x04" + b"\x00" * (2 * 1024 * 1024), "application/zip")}},
        413,
        "upload-too-large",
    ),
    "not an APK": (lambda: {"files": {"file": ("a.apk", b"hello, no build here\n" * 20)}}, 422, "unreadable"),
    "a manifest is not a release": (
        lambda: {"files": {"file": ("m.xml", TEXT_MANIFEST.read_bytes())}},
        422,
        "a manifest-text",
    ),
    "a zip bomb": (
        lambda: {"files": {"file": ("bomb.apk", _zip({**_fsview_entries(), "classes.dex": bytes(64 * 1024 * 1024)}))}},
        422,
        "zip bomb",
    ),
    "a truncated APK": (
        lambda: {"files": {"file": ("cut.apk", FSVIEW_APK.read_bytes()[:9000])}},
        422,
        "not a valid zip",
    ),
    "an empty file": (lambda: {"files": {"file": ("empty.apk", b"")}}, 422, "empty file"),
    "a truncated multipart body": (
        lambda: {
            "content": _multipart_head("xyz") + FSVIEW_APK.read_bytes()[:5000],
            "headers": {"Content-Type": "multipart/form-data; boundary=xyz"},
        },
        400,
        "malformed or incomplete",
    ),
    "no file field": (lambda: {"data": {"name": "app.apk"}, "files": {"other": ("x", b"y")}}, 400, "no `file`"),
    "not multipart": (lambda: {"json": {"file": "app.apk"}}, 400, "multipart/form-data"),
}


@pytest.mark.parametrize("case", list(ABUSE))
def test_upload_abuse_is_rejected_cleanly(world: World, case: str) -> None:
    make, status, words = ABUSE[case]
    before = _counts(world.server.database)
    with world.client("publisher") as http:
        body = assert_problem(http.post(f"{API}/apps/fsview/releases", **make()), status)
    assert words in body["type"] + body["detail"]
    assert _counts(world.server.database) == before
    assert list(world.server.upload_dir.iterdir()) == []


def test_an_entry_name_that_climbs_out_is_read_not_extracted(world: World) -> None:
    target = Path("/tmp") / f"consentry-traversal-{uuid.uuid4().hex}.txt"
    climbing = _zip({**_fsview_entries(), f"../../../../../../..{target}": b"owned"})
    with world.client("publisher") as http:
        response = upload(http, "fsview", climbing, name="../../../climbing.apk")
    assert response.status_code == 201, response.text
    assert not target.exists()
    with world.client("auditor") as http:
        inventory = http.get(f"{API}/apps/fsview/releases/{response.json()['id']}/inventory").json()
    assert inventory["app"]["package"] == "com.example.fsview"
    assert list(world.server.upload_dir.iterdir()) == []


def test_a_client_that_hangs_up_mid_upload_leaves_nothing(world: World) -> None:
    before = _counts(world.server.database)
    head = _multipart_head("cut")
    request = (
        "POST /api/v1/apps/fsview/releases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {world.tokens['publisher']}\r\n"
        "Content-Type: multipart/form-data; boundary=cut\r\nContent-Length: 500000\r\n\r\n"
    ).encode()
    host, port = world.server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(request + head + FSVIEW_APK.read_bytes()[:10000])
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while list(world.server.upload_dir.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(world.server.upload_dir.iterdir()) == []
    assert _counts(world.server.database) == before
    assert httpx.get(f"{world.server.url}{API}/health").status_code == 200


def test_upload_to_an_unknown_app_is_404_before_reading_the_body(world: World) -> None:
    with world.client() as http:
        assert_problem(upload(http, "nope", FSVIEW_APK.read_bytes()), 404)


# --- waivers and tokens ---------------------------------------------------------------------------------


def test_waivers_added_and_revoked_change_later_checks_only(world: World) -> None:
    with world.client() as http:
        assert publish(http, "waivered", declarations_for("waivered")).status_code == 201
        added = http.post(f"{API}/apps/waivered/policy-versions/1/waivers", json=WAIVER)
        assert added.status_code == 201 and added.json()["source"] == "api"
        waiver_id = added.json()["id"]
        release = upload(http, "waivered", FSVIEW_APK.read_bytes()).json()
        findings = f"{API}/apps/waivered/releases/{release['id']}/findings"
        waived = _walk(http, findings, rule="permission.undeclared", waived="true")
        assert WAIVER["subject"] in [finding["subject"] for finding in waived]
        revoked = http.delete(f"{API}/apps/waivered/waivers/{waiver_id}")
        assert revoked.status_code == 200 and revoked.json()["revoked_by"].startswith("test admin")
        assert_problem(http.delete(f"{API}/apps/waivered/waivers/{waiver_id}"), 409)
        assert_problem(http.delete(f"{API}/apps/fsview/waivers/{waiver_id}"), 404)  # not fsview's
        assert _walk(http, findings, rule="permission.undeclared", waived="true") == waived  # recorded as it was
        listed = _walk(http, f"{API}/apps/waivered/policy-versions/1/waivers")
        assert [(w["source"], w["revoked_at"] is None) for w in listed] == [("declarations", True), ("api", False)]
        actions = [entry["action"] for entry in _walk(http, f"{API}/apps/waivered/audit-log")]
        assert actions[:3] == ["waiver.revoke", "release.record", "waiver.add"]
        body = assert_problem(
            http.post(f"{API}/apps/waivered/policy-versions/1/waivers", json=WAIVER | {"rule": "x"}), 422
        )
        assert body["errors"][0]["path"] == "rule"
        body = assert_problem(http.post(f"{API}/apps/waivered/policy-versions/1/waivers", json={"rule": "x"}), 400)
        assert body["errors"]


def test_token_management(world: World) -> None:
    with world.client() as http:
        body = assert_problem(http.post(f"{API}/tokens", json={"role": "publisher", "name": "p"}), 422)
        assert "needs the app" in body["detail"]
        assert_problem(http.post(f"{API}/tokens", json={"role": "publisher", "name": "p", "app_id": "nope"}), 422)
        assert_problem(http.post(f"{API}/tokens", json={"role": "root", "name": "p"}), 400)
        listed = _walk(http, f"{API}/tokens")
        assert all(set(token) == {"id", "name", "role", "app_id", "created_at", "revoked_at"} for token in listed)
        me = next(token for token in listed if token["name"] == "test admin")
        assert_problem(http.delete(f"{API}/tokens/{me['id']}"), 409)
        assert_problem(http.delete(f"{API}/tokens/999999"), 404)


def test_token_command_line(world: World) -> None:
    result = run_consentry("token", "create", "--role", "publisher", database=world.server.database)
    assert result.returncode == 2 and "needs the app" in result.stderr
    result = run_consentry("token", "create", "--role", "auditor", "--name", "cli", database=world.server.database)
    assert result.returncode == 0 and result.stdout.startswith("cst_")
    with world.server.client(result.stdout.strip()) as http:
        assert http.get(f"{API}/apps").status_code == 200
    listed = run_consentry("token", "list", database=world.server.database)
    assert "auditor\t-\tcli\tactive" in listed.stdout and result.stdout.strip() not in listed.stdout


# --- the OpenAPI document -------------------------------------------------------------------------------


def test_openapi_document_is_served_valid_with_its_docs_page(world: World) -> None:
    from openapi_spec_validator import validate

    with world.server.client() as http:
        document = http.get(f"{API}/schema/openapi.json")
        docs = http.get(f"{API}/schema/swagger")
    assert document.status_code == 200
    validate(document.json())
    assert document.json()["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert docs.status_code == 200 and "swagger" in docs.text.lower()

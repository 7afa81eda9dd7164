"""The auditor web pages: over real HTTP against a real `consentry serve` process,
and in headless Chromium driven by Selenium (skipped, with the reason, where chromium is absent)."""

from __future__ import annotations

import contextlib
import re
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from api_server import running_server
from conftest import ROOT, run_consentry

EXAMPLE = ROOT / "examples" / "fsview"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
GUARDED = ["/", "/apps", "/apps?q=fsview", "/apps/fsview", "/apps/fsview/policies/1", "/catalog", "/catalog/pangle"]
EVIL_NAME = "<script>alert(1)</script> & Co"


@dataclass(frozen=True)
class Site:
    url: str
    database: str
    log: Path
    tokens: dict[str, str]
    releases: dict[str, int]

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, follow_redirects=False)


# --- the site: a registry with the FS+VIEW example behind a real server


def _populate(database: str, folder: Path) -> dict[str, int]:
    """The example's policy and both of its builds, and an app whose name is markup."""
    evil = folder / "evil.yaml"
    text = (EXAMPLE / "privacy.yaml").read_text(encoding="utf-8")
    text = text.replace("id: fsview", "id: evil", 1).replace("name: FS+VIEW", f'name: "{EVIL_NAME}"', 1)
    evil.write_text(text.replace("com.example.fsview", "com.example.evil", 1), encoding="utf-8")
    commands = [
        ("publish", EXAMPLE / "privacy.yaml"),
        ("record", EXAMPLE / "app-release.apk", "--app", "fsview"),
        ("record", EXAMPLE / "undeclared" / "app-release.apk", "--app", "fsview"),
        ("publish", evil),
    ]
    for command in commands:
        result = run_consentry(*command, database=database)
        assert result.returncode in (0, 1), result.stderr
    from sqlmodel import col, select

    from registry.database import session
    from registry.models import Release

    with session(database) as db:
        ids = list(db.exec(select(Release.id).where(Release.app_id == "fsview").order_by(col(Release.id))))
    return {"declared": ids[0], "undeclared": ids[1]}


def _tokens(database: str) -> dict[str, str]:
    """One token of each role (made as the API makes them), a revoked one, and one whose name is markup."""
    from registry.database import session
    from registry.tokens import create_token, revoke_token

    tokens = {}
    with session(database) as db:
        for key, role, name, app in [
            ("auditor", "auditor", "test auditor", None),
            ("publisher", "publisher", "test publisher", "fsview"),
            ("admin", "admin", "test admin", None),
            ("revoked", "auditor", "revoked auditor", None),
            ("markup", "auditor", "<b>bold</b> auditor", None),
        ]:
            row, tokens[key] = create_token(db, role, name, app, "test")
            if key == "revoked":
                revoke_token(db, row, "test")
    return tokens


@pytest.fixture(scope="module")
def site(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    releases = _populate(module_database, folder)
    tokens = _tokens(module_database)
    # Plain http on loopback: the login cookie may not be marked Secure here.
    with running_server(module_database, folder, environment={"CONSENTRY_COOKIE_SECURE": "0"}) as server:
        yield Site(server.url, module_database, server.log, tokens, releases)


# --- reading pages


def csrf_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def login(client: httpx.Client, token: str, next_page: str = "/apps") -> httpx.Response:
    form = client.get("/login", params={"next": next_page})
    assert form.status_code == 200
    return client.post("/login", data={"token": token, "next": next_page, "_csrf_token": csrf_token(form.text)})


@contextlib.contextmanager
def signed_in(site: Site, role: str = "auditor", **headers: str) -> Iterator[httpx.Client]:
    with site.client(**headers) as client:
        response = login(client, site.tokens[role])
        assert response.status_code == 303, response.text
        yield client


@dataclass
class Row:
    classes: set[str]
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        return " ".join(" ".join(self.text).split())


class _Rows(HTMLParser):
    """The body rows of one table (by id): classes, attributes and text."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.in_body, self.rows = table_id, False, False, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "table":
            self.inside = values.get("id") == self.table_id
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.inside and self.in_body and tag == "tr":
            self.rows.append(Row(set(values.get("class", "").split()), values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = self.in_body = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.in_body and self.rows:
            self.rows[-1].text.append(data)


def table_rows(html: str, table_id: str) -> list[Row]:
    parser = _Rows(table_id)
    parser.feed(html)
    return parser.rows


# --- signing in


@pytest.mark.parametrize("path", GUARDED)
def test_pages_redirect_to_the_login_form_without_a_session(site: Site, path: str) -> None:
    with site.client() as client:
        response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?" + str(httpx.QueryParams({"next": path}))


def test_the_login_form_is_accessible_and_marks_its_cookies(site: Site) -> None:
    with site.client() as client:
        response = client.get("/login")
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert '<label for="token">' in response.text and 'id="token" name="token" type="password"' in response.text
    csrf_cookie = next(
        value for value in response.headers.get_list("set-cookie") if value.startswith("consentry_csrf=")
    )
    assert "HttpOnly" in csrf_cookie and "SameSite=strict" in csrf_cookie
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("role", ["auditor", "publisher", "admin"])
def test_every_role_signs_in_and_reads(site: Site, role: str) -> None:
    with site.client() as client:
        response = login(client, site.tokens[role])
        assert response.status_code == 303 and response.headers["location"] == "/apps"
        session_cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("consentry_session="))
        assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
        assert site.tokens[role] not in session_cookie
        page = client.get("/apps")
    assert page.status_code == 200
    assert f"Signed in as test {role} ({role})" in page.text
    assert '<a href="/apps/fsview">FS+VIEW</a>' in page.text


@pytest.mark.parametrize("token", ["not-a-token", "", "revoked"])
def test_unknown_empty_and_revoked_tokens_are_refused(site: Site, token: str) -> None:
    with site.client() as client:
        response = login(client, site.tokens.get(token, token))
        assert response.status_code == 403
        assert not any(c.startswith("consentry_session=") for c in response.headers.get_list("set-cookie"))
        assert client.get("/apps").status_code == 303
    assert "That token is unknown, revoked, or has no role" in response.text


def test_the_login_form_needs_its_csrf_token(site: Site) -> None:
    with site.client() as client:
        client.get("/login")
        response = client.post("/login", data={"token": site.tokens["auditor"], "next": "/apps"})
        assert response.status_code == 403
        assert "Form not accepted" in response.text
        forged = client.post("/login", data={"token": site.tokens["auditor"], "_csrf_token": "forged"})
        assert forged.status_code == 403
        assert client.get("/apps").status_code == 303


@pytest.mark.parametrize(
    ("wanted", "landing"),
    [
        ("/apps/fsview", "/apps/fsview"),
        ("/catalog?q=pangle", "/catalog?q=pangle"),
        ("https://elsewhere.example/", "/apps"),
        ("//elsewhere.example/", "/apps"),
        ("/\\elsewhere.example", "/apps"),
    ],
)
def test_login_returns_to_the_page_asked_for_and_never_off_site(site: Site, wanted: str, landing: str) -> None:
    with site.client() as client:
        response = login(client, site.tokens["auditor"], next_page=wanted)
    assert response.status_code == 303
    assert response.headers["location"] == landing


def test_logout_ends_the_session(site: Site) -> None:
    with signed_in(site) as client:
        page = client.get("/apps")
        assert client.post("/logout").status_code == 403  # without the form's CSRF token
        response = client.post("/logout", data={"_csrf_token": csrf_token(page.text)})
        assert response.status_code == 303 and response.headers["location"] == "/login?logged_out=true"
        assert client.get("/apps").status_code == 303
        assert "You are signed out." in client.get(response.headers["location"]).text


def test_revoking_a_token_ends_its_sessions(site: Site) -> None:
    from registry.database import session
    from registry.tokens import create_token, find_token, revoke_token

    with session(site.database) as db:
        _, secret = create_token(db, "auditor", "short-lived", None, "test")
    with site.client() as client:
        assert login(client, secret).status_code == 303
        assert client.get("/apps").status_code == 200
        with session(site.database) as db:
            revoke_token(db, find_token(db, secret), "test")
        assert client.get("/apps").status_code == 303


# --- the pages


def test_app_search_by_name_or_package(site: Site) -> None:
    with signed_in(site) as client:
        every = table_rows(client.get("/apps").text, "apps")
        by_name = client.get("/apps", params={"q": "fs+v"}).text
        by_package = client.get("/apps", params={"q": "COM.EXAMPLE.EVIL"}).text
        nothing = client.get("/apps", params={"q": "%"}).text
    assert len(every) == 2
    assert [row.content.split()[0] for row in table_rows(by_name, "apps")] == ["FS+VIEW"]
    assert 'value="fs+v"' in by_name
    evil = table_rows(by_package, "apps")
    assert len(evil) == 1 and evil[0].content.startswith(EVIL_NAME)
    assert table_rows(nothing, "apps") == [] and "Nothing matches." in nothing


def test_app_timeline_newest_first(site: Site) -> None:
    with signed_in(site) as client:
        page = client.get("/apps/fsview").text
    events = re.findall(r'<li class="event event-(policy|release)', page)
    assert events == ["release", "release", "policy"]
    assert page.index(f'href="/releases/{site.releases["undeclared"]}"') < page.index(
        f'href="/releases/{site.releases["declared"]}"'
    )
    assert 'href="/apps/fsview/policies/1"' in page


def test_release_report_marks_what_the_policy_did_not_declare(site: Site) -> None:
    with signed_in(site) as client:
        page = client.get(f"/releases/{site.releases['undeclared']}").text
    sdks = table_rows(page, "sdk-comparison")
    undeclared = [row for row in sdks if "status-undeclared" in row.classes]
    assert {row.attrs["data-sdk"] for row in undeclared} == {"getui", "umeng-common"}
    assert all("✗ UNDECLARED" in row.content for row in undeclared)
    assert sdks[: len(undeclared)] == undeclared, "undeclared rows come first"
    declared = {row.attrs["data-sdk"] for row in sdks if row.classes & {"status-declared", "status-covered"}}
    assert {"pangle", "tencent-bugly", "facebook-sdk"} <= declared
    permissions = table_rows(page, "permission-comparison")
    flagged = {row.attrs["data-permission"] for row in permissions if "status-undeclared" in row.classes}
    assert flagged == {"android.permission.READ_CONTACTS", "android.permission.RECORD_VIDEO"}
    findings = table_rows(page, "findings")
    getui = next(row for row in findings if row.attrs["data-subject"] == "getui")
    assert "com.igexin" in getui.content and "PIPL art. 23" in getui.content and "open" in getui.content
    zxing = next(row for row in findings if row.attrs["data-subject"] == "zxing")
    assert "waived" in zxing.classes and "FS+VIEW privacy officer" in zxing.content


def test_release_report_of_the_declared_build(site: Site) -> None:
    with signed_in(site) as client:
        page = client.get(f"/releases/{site.releases['declared']}").text
    sdks = table_rows(page, "sdk-comparison")
    assert not [row for row in sdks if "status-undeclared" in row.classes]
    assert len(sdks) == 13
    assert "Errors: <strong>0</strong>" in page


def test_policy_version_disclosure_tables(site: Site) -> None:
    with signed_in(site) as client:
        english = client.get("/apps/fsview/policies/1").text
        chinese = client.get("/apps/fsview/policies/1", params={"lang": "zh"}).text
        missing = client.get("/apps/fsview/policies/9")
    for table in ("sdks", "permissions", "collected", "shared"):
        assert f'<table id="{table}" class="disclosure">' in english
    assert len(table_rows(english, "sdks")) == 12
    assert '<caption id="sdks-caption">Third-party SDKs</caption>' in english
    assert "第三方SDK共享清单" in chinese and "权限申请与使用情况说明" in chinese
    assert missing.status_code == 404


def test_catalog_search_and_detail(site: Site) -> None:
    with signed_in(site) as client:
        by_alias = client.get("/catalog", params={"q": "穿山甲"}).text
        by_package = client.get("/catalog", params={"q": "com.igexin"}).text
        by_vendor = client.get("/catalog", params={"q": "巨量引擎"}).text
        everything = client.get("/catalog").text
        detail = client.get("/catalog/pangle").text
        unknown = client.get("/catalog/no-such-sdk")
    assert table_rows(by_alias, "catalog")[0].attrs["data-sdk"] == "pangle"
    assert "getui" in {row.attrs["data-sdk"] for row in table_rows(by_package, "catalog")}
    assert "pangle" in {row.attrs["data-sdk"] for row in table_rows(by_vendor, "catalog")}
    assert len(table_rows(everything, "catalog")) > 300
    assert "Pangolin" in detail and "com.bytedance.sdk.openadsdk" in detail and "<caption>Sources</caption>" in detail
    assert unknown.status_code == 404


def test_unknown_apps_and_releases_are_404_pages(site: Site) -> None:
    with signed_in(site) as client:
        for path in ("/apps/nope", "/releases/999999"):
            response = client.get(path)
            assert response.status_code == 404
            assert "Not found" in response.text and response.headers["content-type"].startswith("text/html")


def test_chinese_and_english_and_the_choice_is_remembered(site: Site) -> None:
    with signed_in(site) as client:
        chinese = client.get("/apps", params={"lang": "zh"})
        assert any(c.startswith("consentry_lang=zh") for c in chinese.headers.get_list("set-cookie"))
        remembered = client.get(f"/releases/{site.releases['undeclared']}").text
        english = client.get("/apps", params={"lang": "en"}).text
    assert '<html lang="zh-CN">' in chinese.text and "<h1>应用</h1>" in chinese.text
    assert '<html lang="zh-CN">' in remembered and "✗ 未声明" in remembered and "构建中有SDK但未声明" in remembered
    assert '<html lang="en">' in english and "<h1>Apps</h1>" in english
    with signed_in(site, **{"Accept-Language": "zh-CN,zh;q=0.9"}) as client:
        assert '<html lang="zh-CN">' in client.get("/catalog").text


def test_everything_shown_is_escaped(site: Site) -> None:
    with signed_in(site, "markup") as client:
        pages = [client.get("/apps").text, client.get("/apps/evil").text, client.get("/apps/evil/policies/1").text]
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"
    for page in pages:
        assert "<script" not in page
        assert escaped in page
        assert "Signed in as &lt;b&gt;bold&lt;/b&gt; auditor (auditor)" in page


def test_pages_stay_out_of_the_api_schema(site: Site) -> None:
    with site.client() as client:
        schema = client.get("/api/v1/schema/openapi.json")
    if schema.status_code == 404:
        pytest.skip("the app serves no OpenAPI schema at /api/v1/schema")
    assert [path for path in schema.json()["paths"] if not path.startswith("/api/")] == []


def test_strings_tables_match() -> None:
    from registry.reconcile import load_rules
    from registry.web.i18n import LANGUAGES, strings

    english, chinese = (set(strings(lang)) for lang in LANGUAGES)
    assert english == {key for key in chinese if not key.startswith("rule.")}
    assert {f"rule.{rule}" for rule in load_rules()} <= chinese


def test_cookies_are_secure_unless_configured_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.web.session import SECURE_VARIABLE, csrf_config, session_config

    monkeypatch.delenv(SECURE_VARIABLE, raising=False)
    assert session_config().secure and csrf_config().cookie_secure
    assert session_config().httponly and session_config().samesite == "strict"
    monkeypatch.setenv(SECURE_VARIABLE, "0")
    assert not session_config().secure and not csrf_config().cookie_secure


# --- in a real browser


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def chrome(profile: Path):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def full_page_screenshot(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    import base64

    height = driver.execute_script("return document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (CI installs it)")
@pytest.mark.skipif(CHROMEDRIVER is None, reason="Debian's chromium-driver is not installed (CI installs it)")
def test_in_headless_chromium(site: Site, tmp_path: Path) -> None:
    pytest.importorskip("selenium", reason="selenium (the `test` extra) is not installed")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chrome(tmp_path / "profile")
    wait = WebDriverWait(driver, 30)
    try:
        driver.get(f"{site.url}/apps")
        wait.until(until.url_contains("/login"))
        driver.find_element(By.ID, "token").send_keys(site.tokens["auditor"])
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        wait.until(until.url_to_be(f"{site.url}/apps"))

        # an app's timeline, then the report of the build with undeclared SDKs
        driver.find_element(By.LINK_TEXT, "FS+VIEW").click()
        wait.until(until.url_contains("/apps/fsview"))
        driver.find_element(By.CSS_SELECTOR, f"a[href='/releases/{site.releases['undeclared']}']").click()
        wait.until(until.presence_of_element_located((By.ID, "sdk-comparison")))
        undeclared = driver.find_elements(By.CSS_SELECTOR, "#sdk-comparison tbody tr.status-undeclared")
        assert {row.get_attribute("data-sdk") for row in undeclared} == {"getui", "umeng-common"}
        assert all("UNDECLARED" in row.text for row in undeclared)
        declared = driver.find_element(By.CSS_SELECTOR, "#sdk-comparison tr[data-sdk='pangle']")
        colour = undeclared[0].find_element(By.CSS_SELECTOR, "td").value_of_css_property("background-color")
        assert colour != declared.find_element(By.CSS_SELECTOR, "td").value_of_css_property("background-color")
        permissions = driver.find_elements(By.CSS_SELECTOR, "#permission-comparison tbody tr.status-undeclared")
        assert "android.permission.READ_CONTACTS" in {row.get_attribute("data-permission") for row in permissions}
        screenshot = tmp_path / "release-report.png"
        full_page_screenshot(driver, screenshot)
        width, height = png_size(screenshot)
        assert width == 1280 and height > 2000
        assert screenshot.stat().st_size > 100_000

        # a catalog search through the form, in Chinese
        driver.find_element(By.LINK_TEXT, "SDK catalog").click()
        search = wait.until(until.presence_of_element_located((By.ID, "q")))
        search.send_keys("穿山甲")
        driver.find_element(By.CSS_SELECTOR, "form[role=search] button[type=submit]").click()
        wait.until(until.url_contains("q="))
        rows = driver.find_elements(By.CSS_SELECTOR, "#catalog tbody tr")
        assert rows and rows[0].get_attribute("data-sdk") == "pangle"

        # the language switch
        driver.find_element(By.LINK_TEXT, "中文").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN")
        assert driver.find_element(By.TAG_NAME, "h1").text == "SDK目录"
    finally:
        driver.quit()

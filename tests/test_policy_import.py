"""Policy-text import: published privacy policies (text, Markdown, HTML) to draft declarations."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from conftest import ROOT, run_consentry

from manifests.declarations import (
    AppInfo,
    Declarations,
    DeclaredPermission,
    DeclaredSdk,
    PolicyInfo,
    load_declarations,
    parse_declarations,
)
from manifests.disclosure import disclosure_tables
from manifests.disclosure_formats import render
from manifests.permission_catalog import load_permission_catalog
from manifests.policy_import import ImportResult, draft_from_import, import_policy
from manifests.policy_text import read_policy_text
from manifests.sdk_catalog import load_sdk_catalog

POLICIES = ROOT.parent / "shared" / "policies"
FSVIEW_POLICY = POLICIES / "fsview-privacy-policy.en.txt"
OTHER_POLICIES = (
    "easylink-privacy.en.txt",
    "inspur-cloud-privacy.en.txt",
    "lingjingyun-privacy.zh.txt",
    "wangsu-privacy-terms.en.txt",
)
FIXTURES = ROOT / "tests" / "fixtures" / "policies"
FIELD_LIST = FIXTURES / "sdk-field-list.zh.txt"
HTML_TABLES = FIXTURES / "sdk-table.zh.html"
EXAMPLE = ROOT / "examples" / "fsview" / "privacy.yaml"

FSVIEW_SDKS = (
    "wechat-opensdk", "facebook-login", "line-login", "huawei-push", "tencent-bugly", "beizi-ads", "pangle",
    "tencent-gdt", "baidu-mobads", "kuaishou-ads", "inmobi", "zxing",
)  # fmt: skip
FILLED = {
    "id": "example-app",
    "name": "Example",
    "package": "com.example.app",
    "version": "1",
    "effective_date": "2024-01-01",
}


def policy(name: str) -> Path:
    path = POLICIES / name
    if not path.is_file():
        pytest.skip(f"../shared/policies/{name} is absent")
    return path


def imported(path: Path) -> ImportResult:
    return import_policy(read_policy_text(path, tables=True))


def filled(draft: str) -> str:
    """The draft with every `key: 'TODO: …'` value filled in, as a person would."""

    def value(match: re.Match[str]) -> str:
        return f'{match.group(1)}{match.group(2)}: "{FILLED.get(match.group(2), "filled in")}"'

    return re.sub(r"^(\s*(?:- )?)(\w+): '?TODO:.*$", value, draft, flags=re.MULTILINE)


def declarations_of(result: ImportResult) -> Declarations:
    text = filled(draft_from_import(result, "policy"))
    assert "TODO:" not in re.sub(r"#.*", "", text), "a TODO value is left that the test cannot fill"
    return parse_declarations(text.encode(), "draft")


def tables_of(declarations: Declarations) -> tuple:
    return declarations.sdks, declarations.permissions, declarations.data_items


# --- the FS+VIEW policy: `|`-ended cells, numbered SDK blocks, a headed permission table -----------------


@pytest.fixture(scope="module")
def fsview() -> ImportResult:
    return imported(policy(FSVIEW_POLICY.name))


def test_fsview_yields_all_twelve_sdk_rows_resolved_to_the_catalog(fsview: ImportResult) -> None:
    assert tuple(sdk.sdk for sdk in fsview.sdks) == FSVIEW_SDKS
    by_id = {sdk.sdk: sdk for sdk in fsview.sdks}
    # The names as written, where they are not the catalog's own ("Purpose of using the SDK of …" is a heading).
    assert by_id["pangle"].name == "Pangolin SDK"
    assert by_id["tencent-gdt"].name == "SDK of Youlianghui"
    assert by_id["baidu-mobads"].name == "Baiqingteng SDK"
    assert by_id["kuaishou-ads"].name == "Kuaishou SDK"
    assert by_id["tencent-bugly"].name is None  # "Tencent Bugly" is the catalog's name
    # Each row's purpose, scenario, data and privacy address as written.
    assert by_id["wechat-opensdk"].purpose == "for Log in to provide support"
    assert by_id["huawei-push"].scenario.startswith("When the self-built push service is unreachable")
    assert by_id["zxing"].purpose == "Scan QR code"
    assert by_id["zxing"].data_description == "Camera permissions"
    assert by_id["zxing"].data_items == ("camera-images",)
    assert by_id["tencent-bugly"].privacy_url == "http://bugly.qq.com/v2/contract"
    assert by_id["wechat-opensdk"].privacy_url == "https://www.wechat.com/zh_cn/privacy_policy.html"
    assert {"precise-location", "installed-apps", "imei", "oaid"} <= set(by_id["pangle"].data_items)
    assert "name" not in by_id["pangle"].data_items  # "SSID name" is no person's name
    assert all(sdk.purpose for sdk in fsview.sdks)


def test_fsview_permission_words_it_cannot_place_are_reported(fsview: ImportResult) -> None:
    kuaishou = next(sdk for sdk in fsview.sdks if sdk.sdk == "kuaishou-ads")
    assert kuaishou.permissions == ("android.permission.REQUEST_INSTALL_PACKAGES",)  # "install apps"
    assert "obtain mac address" in kuaishou.unrecognised_permissions
    assert any("Kuaishou SDK: permission words not recognised" in problem.message for problem in fsview.problems)


def section_nine_rows() -> list[tuple[str, str]]:
    """(permission, purpose) of every android.permission.* row of section Nine, read straight off the file."""
    lines = [line.strip().removesuffix("|").strip() for line in FSVIEW_POLICY.read_text().splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Nine, permission"))
    rows = []
    for index in range(start, len(lines)):
        if lines[index].startswith("android.permission."):
            # Function and Purpose follow, one cell a line; `||` is two empty cells on one line.
            purpose = "" if lines[index + 1] == "|" else lines[index + 2]
            rows.append((lines[index], purpose))
    return rows


def test_fsview_yields_every_android_permission_row_with_its_purpose_as_written(fsview: ImportResult) -> None:
    expected = section_nine_rows()
    assert len(expected) == 25
    assert [(p.name, p.purpose or "") for p in fsview.permissions] == expected
    storage = fsview.permissions[0]
    assert (storage.name, storage.function) == ("android.permission.READ_EXTERNAL_STORAGE", "Storage")
    camera = next(p for p in fsview.permissions if p.name == "android.permission.CAMERA")
    assert camera.function is None  # "Camera" is the catalog's label for it


def test_fsview_record_video_is_kept_but_flagged(fsview: ImportResult) -> None:
    video = [p for p in fsview.permissions if p.name == "android.permission.RECORD_VIDEO"]
    assert len(video) == 1 and not video[0].platform
    assert video[0].purpose == "Recording screen during real-time preview"
    assert any("RECORD_VIDEO is not an Android platform permission" in p.message for p in fsview.problems)
    draft = draft_from_import(fsview, "fsview")
    assert "  # - name: android.permission.RECORD_VIDEO" in draft
    assert "#   purpose: Recording screen during real-time preview" in draft
    names = [permission.name for permission in declarations_of(fsview).permissions]
    assert "android.permission.RECORD_VIDEO" not in names and len(names) == 24


def test_fsview_get_installed_packages_is_the_installed_apps_data_item(fsview: ImportResult) -> None:
    (item,) = fsview.data_items
    assert item.item == "installed-apps"
    assert item.written == "PackageManager.getInstalledPackages()"
    assert item.description == "Get the list of application installations"
    assert item.purpose.startswith("by collecting whether the current system has installed Facebook")
    assert [i.item for i in declarations_of(fsview).data_items] == ["installed-apps"]


def test_fsview_ios_rows_are_reported_not_dropped(fsview: ImportResult) -> None:
    ios = [row for row in fsview.unplaced if row.other_platform]
    assert [row.text.split(" | ")[1] for row in ios] == [
        "Location", "Local network", "Camera", "Notification", "Wireless data", "Allow tracking", "microphone",
        "Album",
    ]  # fmt: skip
    assert sum("iOS-only" in problem.message for problem in fsview.problems) == 8


def test_fsview_policy_dates_come_from_the_text(fsview: ImportResult) -> None:
    assert str(fsview.policy.effective_date) == "2022-01-15"
    declarations = declarations_of(fsview)
    assert declarations.policy.version == "2022-01-15"  # the update date, with a TODO to confirm
    assert declarations.app.id == "example-app"


def test_fsview_draft_loads_once_the_todo_values_are_filled(fsview: ImportResult, tmp_path: Path) -> None:
    draft = draft_from_import(fsview, "fsview-privacy-policy.en.txt")
    assert draft.count("TODO:") > 12  # the app, and a legal basis for each SDK
    path = tmp_path / "privacy.yaml"
    path.write_text(filled(draft), encoding="utf-8")
    declarations = load_declarations(path)
    assert [sdk.sdk for sdk in declarations.sdks] == list(FSVIEW_SDKS)
    assert {sdk.legal_basis for sdk in declarations.sdks} <= {"consent", "separate_consent"}


@pytest.mark.parametrize("name", OTHER_POLICIES)
def test_policies_without_an_sdk_list_yield_no_sdk_rows_and_no_problems(name: str) -> None:
    result = imported(policy(name))
    assert result.sdks == ()
    assert result.problems == ()
    assert result.unplaced == ()
    declarations_of(result)


# --- round trip: import → disclose → import -------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_round_trip_through_disclose_markdown(fsview: ImportResult, lang: str) -> None:
    first = declarations_of(fsview)
    markdown = render(disclosure_tables(first, lang), first, lang, "markdown")
    again = import_policy(markdown)
    assert again.problems == ()
    assert tables_of(declarations_of(again)) == tables_of(first)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_round_trip_of_the_example_disclosure(lang: str, tmp_path: Path) -> None:
    """The hand-written example's own tables (requested_by, processing, legal basis, collected items)
    import the same from Markdown and from HTML, and come back unchanged through disclose."""
    example = load_declarations(EXAMPLE)
    markdown = render(disclosure_tables(example, lang), example, lang, "markdown")
    page = tmp_path / "disclosure.html"
    page.write_text(render(disclosure_tables(example, lang), example, lang, "html"), encoding="utf-8")
    first = declarations_of(import_policy(markdown))
    assert tables_of(declarations_of(imported(page))) == tables_of(first)
    assert [sdk.sdk for sdk in first.sdks] == [sdk.sdk for sdk in example.sdks]
    assert [p.name for p in first.permissions] == [p.name for p in example.permissions]
    assert [p.requested_by for p in first.permissions] == [p.requested_by for p in example.permissions]
    assert [sdk.legal_basis for sdk in first.sdks] == [sdk.legal_basis for sdk in example.sdks]
    assert [item.item for item in first.data_items] == [item.item for item in example.data_items]
    again = import_policy(render(disclosure_tables(first, lang), first, lang, "markdown"))
    assert tables_of(declarations_of(again)) == tables_of(first)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_catalog_defaults_come_back_as_defaults(lang: str) -> None:
    """Every catalog SDK declared bare, and every labelled permission: disclose fills in the catalog's
    names, vendors, purposes, data, permissions and URLs; the import recognises each and leaves it out."""
    bare = Declarations(
        schema="consentry/declarations/1",
        app=AppInfo(id="example-app", name="Example", package="com.example.app"),
        policy=PolicyInfo(version="1", effective_date=datetime.date(2024, 1, 1)),
        sdks=tuple(DeclaredSdk(sdk=entry.id, purpose="p", legal_basis="consent") for entry in load_sdk_catalog()),
        permissions=tuple(DeclaredPermission(name=name) for name, p in load_permission_catalog().items() if p.label_en),
    )
    result = import_policy(render(disclosure_tables(bare, lang), bare, lang, "markdown"))
    assert result.problems == ()
    assert tables_of(declarations_of(result)) == tables_of(bare)


@pytest.mark.parametrize("cell", ["无", "暂无", "N/A", "/", "—", "not applicable", "see website"])
def test_a_privacy_cell_that_says_none(cell: str) -> None:
    example = load_declarations(EXAMPLE)
    markdown = render(disclosure_tables(example, "en"), example, "en", "markdown")
    result = import_policy(markdown.replace("None (the SDK talks to no server of its provider)", cell))
    zxing = next(sdk for sdk in result.sdks if sdk.sdk == "zxing")
    assert zxing.privacy_url is None
    complaints = {p.message for p in result.problems}
    assert complaints == (set() if cell != "see website" else {'no URL in the privacy-policy cell "see website"'})


@pytest.mark.parametrize("path", [FIELD_LIST, HTML_TABLES], ids=lambda path: path.name)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_round_trip_of_the_chinese_layouts(path: Path, lang: str) -> None:
    first = declarations_of(imported(path))
    again = import_policy(render(disclosure_tables(first, lang), first, lang, "markdown"))
    assert tables_of(declarations_of(again)) == tables_of(first)


# --- a Chinese field list -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def field_list() -> ImportResult:
    return imported(FIELD_LIST)


def test_field_list_sdks(field_list: ImportResult) -> None:
    by_id = {sdk.sdk or sdk.name: sdk for sdk in field_list.sdks}
    assert list(by_id) == [
        "wechat-opensdk", "tencent-open-sdk", "jpush", "umeng-common", "小熊崩溃统计SDK", "pangle", "alipay",
        "unionpay",
    ]  # fmt: skip
    wechat = by_id["wechat-opensdk"]
    assert (wechat.name, wechat.purpose, wechat.scenario) == (
        "微信开放平台SDK",
        "微信登录、分享内容至微信",
        "用户使用微信登录或分享时",
    )
    assert wechat.data_items == ("device-model", "os-version", "network-type", "installed-apps")
    # Vendor, privacy URL and permissions as the catalog has them are left to the catalog.
    assert (wechat.vendor, wechat.privacy_url, wechat.permissions) == (None, None, ())
    assert by_id["tencent-open-sdk"].name is None  # "QQ互联SDK" is the catalog's Chinese name
    jpush = by_id["jpush"]
    assert jpush.permissions == (
        "android.permission.INTERNET",
        "android.permission.ACCESS_NETWORK_STATE",
        "android.permission.ACCESS_WIFI_STATE",
        "android.permission.READ_PHONE_STATE",
    )  # through their Chinese labels
    assert {"imei", "mac-address", "ip-address", "cell-info"} <= set(jpush.data_items)
    # Fields separated by "；" on one line.
    umeng = by_id["umeng-common"]
    assert (umeng.purpose, umeng.privacy_url) == ("统计分析应用使用情况", "https://www.umeng.com/page/policy")
    # Numbered records on one line each, the name before the first label.
    assert (by_id["alipay"].purpose, by_id["alipay"].data_items) == ("支付宝支付", ("imei", "imsi", "device-serial"))
    assert (by_id["unionpay"].name, by_id["unionpay"].purpose) == ("银联SDK", "银联云闪付支付")
    # A record under its own heading, with a value on the line after its label and bare identifiers.
    pangle = by_id["pangle"]
    assert pangle.data_description == "设备品牌、型号、操作系统版本、OAID、IP地址、粗略位置信息"
    assert pangle.permissions == (
        "android.permission.READ_PHONE_STATE",
        "android.permission.ACCESS_COARSE_LOCATION",
        "android.permission.REQUEST_INSTALL_PACKAGES",
    )


def test_field_list_unknown_sdk_is_kept_by_name_and_reported(field_list: ImportResult) -> None:
    unknown = next(sdk for sdk in field_list.sdks if sdk.sdk is None)
    assert (unknown.name, unknown.vendor) == ("小熊崩溃统计SDK", "杭州小熊网络科技有限公司")
    assert unknown.permissions == ("android.permission.READ_PHONE_STATE",)
    assert unknown.invalid_permissions == ("android.permission.RECORD_VIDEO",)
    messages = [problem.message for problem in field_list.problems]
    assert 'SDK "小熊崩溃统计SDK" is not in the catalog: kept by its name' in messages
    assert 'no URL in the privacy-policy cell "见其官网"' in messages
    assert any("RECORD_VIDEO is not an Android platform permission" in message for message in messages)
    assert len(messages) == 3


def test_field_list_permissions_and_policy_facts(field_list: ImportResult) -> None:
    camera, apps = field_list.permissions
    assert (camera.name, camera.function, camera.required) == ("android.permission.CAMERA", "相机权限", False)
    assert camera.scenario == "使用扫一扫或更换头像时"
    # Named by its Chinese label only, which is the catalog's: no function kept.
    assert (apps.name, apps.function) == ("android.permission.QUERY_ALL_PACKAGES", None)
    assert (field_list.lang, field_list.policy.version, str(field_list.policy.effective_date)) == (
        "zh",
        "V3.2.0",
        "2024-03-08",
    )
    declarations = declarations_of(field_list)
    assert declarations.policy.version == "V3.2.0"
    assert declarations.sdks[4].name == "小熊崩溃统计SDK"


# --- HTML tables ----------------------------------------------------------------------------------------


def test_html_tables_with_merged_cells(tmp_path: Path) -> None:
    result = imported(HTML_TABLES)
    assert [sdk.sdk for sdk in result.sdks] == ["tencent-bugly", "tencent-gdt", "amap-location", None]
    bugly, gdt, amap, caiyun = result.sdks
    # The vendor cell spans two rows; the link's address stands behind "点击查看"; both are the catalog's.
    assert (bugly.vendor, bugly.privacy_url, gdt.vendor) == (None, None, None)
    assert gdt.name == "腾讯广告SDK（优量汇）" and gdt.privacy_url == "https://e.qq.com/optout.html"
    assert amap.data_items == ("precise-location", "wifi-list", "cell-info", "device-identifier", "android-id")
    assert (caiyun.name, caiyun.privacy_url) == ("彩云天气数据SDK", "https://caiyunapp.com/privacy.html")
    names = [(p.name, p.purpose, p.scenario, p.required) for p in result.permissions]
    assert names[1:3] == [
        ("android.permission.READ_EXTERNAL_STORAGE", "缓存天气图片、分享截图", "分享天气截图时", False),
        ("android.permission.WRITE_EXTERNAL_STORAGE", "缓存天气图片、分享截图", "分享天气截图时", False),
    ]  # merged purpose, scenario and required cells
    assert [p.function for p in result.permissions] == ["位置权限", "存储权限", "存储权限", "通知权限"]
    assert [item.item for item in result.data_items] == ["installed-apps"]
    # The group headings across the table are not SDKs; the contact table is not read.
    assert [problem.message for problem in result.problems] == [
        'SDK "彩云天气数据SDK" is not in the catalog: kept by its name'
    ]
    assert str(result.policy.effective_date) == "2023-11-27"


def test_html_is_still_read_as_text_lines_by_default() -> None:
    text = read_policy_text(HTML_TABLES)
    assert "| SDK名称 |" not in text and "\n腾讯Bugly\n" in text
    assert "| 序号 | SDK名称 | 第三方名称 |" in read_policy_text(HTML_TABLES, tables=True)


# --- rows that cannot be placed -------------------------------------------------------------------------


def test_rows_it_cannot_place_are_reported_and_kept_as_comments() -> None:
    text = "\n".join(
        [
            "## Third-party SDKs",
            "",
            "| SDK | Purpose | Privacy policy |",
            "|---|---|---|",
            "| Umeng | Statistics | https://www.umeng.com/page/policy |",
            "| Foo Analytics SDK | Crash reports | see their website |",
            "| Advertising | | |",
            "",
            "## Permissions the app requests",
            "",
            "| Permission | Purpose |",
            "|---|---|",
            "| android.permission.CAMERA | Scan QR codes |",
            "| Take screenshots | Share the forecast |",
            "| CAMERA | Again, by its bare name |",
        ]
    )
    result = import_policy(text)
    assert [(sdk.sdk, sdk.name) for sdk in result.sdks] == [("umeng-common", "Umeng"), (None, "Foo Analytics SDK")]
    assert [p.name for p in result.permissions] == ["android.permission.CAMERA"] * 2
    assert [(row.line, row.text) for row in result.unplaced] == [
        (7, "Advertising"),
        (14, "Take screenshots | Share the forecast"),
    ]
    assert [str(problem) for problem in result.problems] == [
        'line 6: SDK "Foo Analytics SDK" is not in the catalog: kept by its name',
        'line 6: no URL in the privacy-policy cell "see their website"',
        'line 7: not placed: a name alone, perhaps a heading between groups of rows: "Advertising"',
        "line 14: not placed: no Android permission identifier or known permission label: "
        '"Take screenshots | Share the forecast"',
    ]
    draft = draft_from_import(result, "policy.md")
    assert "# TODO: rows the import could not place" in draft
    assert '# line 14: no Android permission identifier or known permission label: "Take screenshots' in draft
    declarations_of(result)


def test_partial_rows_and_nameless_fields_are_reported() -> None:
    text = "\n".join(
        [
            "Nine, permission acquisition instructions",
            "Authority name |",
            "Function |",
            "Purpose |",
            "---|---|---|",
            "android.permission.CAMERA |",
            "Camera |",
            "Scan QR codes |",
            "android.permission.VIBRATE |",
            "Vibration |",
            "",
            "第三方SDK",
            "使用目的：推送消息",
            "收集个人信息类型：设备标识符",
            "隐私政策链接：https://example.com/privacy",
        ]
    )
    result = import_policy(text)
    assert [p.name for p in result.permissions] == ["android.permission.CAMERA"]
    assert [str(problem) for problem in result.problems] == [
        'line 9: not read, cells outside any table row: "android.permission.VIBRATE | Vibration"',
        "line 13: not placed: fields of an SDK or permission without its name: "
        '"使用目的：推送消息 收集个人信息类型：设备标识符 隐私政策链接：https://example.com/privacy"',
    ]


# --- the command line -----------------------------------------------------------------------------------


def test_command_writes_the_draft_and_reports_on_stderr(tmp_path: Path) -> None:
    source = policy(FSVIEW_POLICY.name)
    output = tmp_path / "privacy.yaml"
    result = run_consentry("import-policy", source, "-o", output)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"consentry: {source}: 12 SDKs (12 in the catalog), 24 permissions (and 1 commented")
    assert f"consentry: {source}: line 127: android.permission.RECORD_VIDEO is not an Android platform" in result.stderr
    assert all(line.startswith(f"consentry: {source}: ") for line in lines)
    output.write_text(filled(output.read_text(encoding="utf-8")), encoding="utf-8")
    assert len(load_declarations(output).sdks) == 12
    again = run_consentry("import-policy", source, "-o", output)
    assert again.returncode == 2 and "exists; pass --force" in again.stderr


def test_command_reads_html_to_stdout() -> None:
    result = run_consentry("import-policy", HTML_TABLES, "--lang", "zh")
    assert result.returncode == 0, result.stderr
    assert "  - sdk: amap-location\n" in result.stdout
    assert "languages: [zh]" in result.stdout
    assert "4 SDKs (3 in the catalog), 4 permissions, 1 data items; 1 problems" in result.stderr


def test_command_refuses_unreadable_input(tmp_path: Path) -> None:
    missing = run_consentry("import-policy", tmp_path / "missing.txt")
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"consentry: {tmp_path / 'missing.txt'}: no such file"
    directory = run_consentry("import-policy", tmp_path)
    assert directory.returncode == 2 and "is a directory" in directory.stderr

"""Every input kind, told apart by content: split sets, AAR, JAR, dex, manifests (binary and text)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import FSVIEW_APK, ROOT, corpus_file, run_consentry

from scanners import scan
from scanners.dex import class_names

SPLIT = ROOT / "tests" / "fixtures" / "splits" / "config.arm64_v8a.apk"
FSVIEW_MANIFEST = ROOT / "tests" / "fixtures" / "fsview" / "AndroidManifest.xml"


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def dex_of(apk: Path, name: str = "classes.dex") -> bytes:
    with zipfile.ZipFile(apk) as archive:
        return archive.read(name)


def test_apks_split_set_merges_base_and_config_split(tmp_path: Path) -> None:
    # bundletool's layout; the split comes first so that the base must be found by its manifest.
    apks = make_zip(
        tmp_path / "app.apks",
        {"splits/base-arm64_v8a.apk": SPLIT.read_bytes(), "splits/base-master.apk": FSVIEW_APK.read_bytes()},
    )
    inventory = scan(apks)
    base = scan(FSVIEW_APK)
    assert inventory.artifact.kind == "split-apks"
    assert inventory.artifact.parts == ("splits/base-arm64_v8a.apk", "splits/base-master.apk")
    assert inventory.app == base.app and inventory.app.split is None
    assert inventory.permissions == base.permissions
    assert inventory.dex == base.dex
    assert [(lib.name, lib.abis) for lib in inventory.native_libraries] == [("libBugly.so", ("arm64-v8a",))]
    bugly = next(sdk for sdk in inventory.sdks if sdk.id == "tencent-bugly")
    assert {e.kind for e in bugly.evidence} == {"dex_package", "native_lib"}


def test_xapk_is_a_split_set(tmp_path: Path) -> None:
    xapk = make_zip(
        tmp_path / "app.xapk",
        {
            "manifest.json": json.dumps({"package_name": "com.example.fsview"}).encode(),
            "com.example.fsview.apk": FSVIEW_APK.read_bytes(),
            "config.arm64_v8a.apk": SPLIT.read_bytes(),
            "icon.png": b"\x89PNG",
        },
    )
    inventory = scan(xapk)
    assert inventory.artifact.kind == "split-apks"
    assert inventory.app.package == "com.example.fsview"
    assert {sdk.id for sdk in scan(FSVIEW_APK).sdks} == {sdk.id for sdk in inventory.sdks}


def test_aar_with_text_manifest_classes_jar_and_jni(tmp_path: Path) -> None:
    classes_jar = make_zip(
        tmp_path / "classes.jar",
        {
            "com/tencent/bugly/crashreport/CrashReport.class": b"\xca\xfe\xba\xbe",
            "com/tencent/bugly/crashreport/CrashReport$UserStrategy.class": b"\xca\xfe\xba\xbe",
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
        },
    )
    aar = make_zip(
        tmp_path / "bugly.aar",
        {
            "AndroidManifest.xml": (
                b'<?xml version="1.0" encoding="utf-8"?>\n'
                b'<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.tencent.bugly">\n'
                b'  <uses-permission android:name="android.permission.READ_PHONE_STATE"/>\n'
                b"</manifest>\n"
            ),
            "classes.jar": classes_jar.read_bytes(),
            "jni/armeabi-v7a/libBugly.so": b"",
            "R.txt": b"",
        },
    )
    inventory = scan(aar)
    assert inventory.artifact.kind == "aar"
    assert inventory.artifact.parts == ("classes.jar",)
    assert inventory.dex.classes == 2
    assert [p.name for p in inventory.permissions] == ["android.permission.READ_PHONE_STATE"]
    assert inventory.permissions[0].runtime
    assert [lib.name for lib in inventory.native_libraries] == ["libBugly.so"]


def test_jar_holding_dex_and_maven_version_files(tmp_path: Path) -> None:
    jar = make_zip(
        tmp_path / "sdk.jar",
        {
            "classes.dex": dex_of(FSVIEW_APK, "classes2.dex"),
            "META-INF/com.google.zxing_core.version": b"3.5.3\n",
        },
    )
    inventory = scan(jar)
    assert inventory.artifact.kind == "jar"
    assert inventory.dex.files == 1
    assert inventory.dex.classes == len(class_names(dex_of(FSVIEW_APK, "classes2.dex")))
    assert [(m.group, m.artifact, m.version) for m in inventory.maven_libraries] == [
        ("com.google.zxing", "core", "3.5.3")
    ]


def test_bare_dex(tmp_path: Path) -> None:
    path = tmp_path / "classes2.dex"
    path.write_bytes(dex_of(FSVIEW_APK, "classes2.dex"))
    inventory = scan(path)
    assert inventory.artifact.kind == "dex"
    assert "pangle" in {sdk.id for sdk in inventory.sdks}


def test_binary_manifest_alone() -> None:
    inventory = scan(corpus_file("axml", "AndroidManifest-Chinese.xml"))
    assert inventory.artifact.kind == "manifest-binary"
    assert inventory.app.package == "com.hotel"


def test_text_manifest_as_gradle_merges_it() -> None:
    inventory = scan(FSVIEW_MANIFEST)
    binary = scan(FSVIEW_APK)
    assert inventory.artifact.kind == "manifest-text"
    assert inventory.app.package == binary.app.package
    assert [p.name for p in inventory.permissions] == [p.name for p in binary.permissions]
    assert inventory.components == binary.components
    declared = {sdk.id for sdk in binary.sdks if sdk.confidence == "declared"}
    assert declared == {sdk.id for sdk in inventory.sdks}


def test_kind_is_told_by_content_not_name(tmp_path: Path) -> None:
    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(FSVIEW_APK.read_bytes())
    assert scan(disguised).artifact.kind == "apk"


def test_many_files_in_parallel_keep_their_order() -> None:
    files = [FSVIEW_APK, FSVIEW_MANIFEST, SPLIT]
    result = run_consentry("scan", "--format", "json", "-j", "2", *files)
    assert result.returncode == 0, result.stderr
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["artifact"]["path"] for d in documents] == [str(f) for f in files]


@pytest.mark.parametrize(
    ("classes", "unexpected"),
    [
        (["com/tunein/player/Player.class", "com/tunein/player/Radio.class"], "tune"),
        (["com/bytedance/boost_multidex/BoostMultiDex.class"], "pangle"),
    ],
)
def test_prefixes_match_only_at_a_package_boundary(tmp_path: Path, classes: list[str], unexpected: str) -> None:
    jar = make_zip(tmp_path / "lib.jar", {name: b"\xca\xfe\xba\xbe" for name in classes})
    inventory = scan(jar)
    assert unexpected not in {sdk.id for sdk in inventory.sdks}
    assert inventory.unknown_packages  # the code is still reported, as unexplained


def test_tune_itself_is_found(tmp_path: Path) -> None:
    jar = make_zip(tmp_path / "lib.jar", {"com/tune/Tune.class": b"\xca\xfe\xba\xbe"})
    assert "tune" in {sdk.id for sdk in scan(jar).sdks}


def test_sdk_bundled_by_an_aggregator_is_reported_via_it(tmp_path: Path) -> None:
    manifest = tmp_path / "AndroidManifest.xml"
    manifest.write_text(
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.app">\n'
        "  <application>\n"
        '    <service android:name="cn.jpush.android.service.PushService" android:exported="false"/>\n'
        '    <receiver android:name="cn.jpush.android.service.PluginXiaomiPlatformsReceiver"/>\n'
        '    <meta-data android:name="JPUSH_APPKEY" android:value="0123456789abcdef"/>\n'
        "  </application>\n"
        "</manifest>\n",
        encoding="utf-8",
    )
    sdks = {sdk.id: sdk for sdk in scan(manifest).sdks}
    assert sdks["jpush"].via is None
    assert sdks["xiaomi-push"].via == "jpush"
    assert sdks["xiaomi-push"].confidence == "declared"

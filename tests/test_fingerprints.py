"""Real SDK binaries' fingerprints (../shared/reference/sdk-fingerprints.json) turned into scanner inputs:
each names its SDK (or a module of its family) and nothing else."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from manifests.sdk_catalog import load_sdk_catalog
from scanners import scan

FINGERPRINTS = ROOT.parent / "shared" / "reference" / "sdk-fingerprints.json"
# fingerprint label prefix -> the SDKs the binary really holds
EXPECTED = {
    "tencent-bugly": {"tencent-bugly"},
    "tencent-gdt": {"tencent-gdt"},
    "baidu-mobads": {"baidu-mobads"},
    "bytedance metasec": {"bytedance-metasec"},
    "getui gtsdk": {"getui"},
    "getui gtc core": {"getui"},
    # The jar also carries 18 classes under com.sina.weibo; its fingerprint keeps three package levels
    # only, too few to reach the Weibo SDK's own prefix, so the stubs stand for unexplained code.
    "umeng share": {"umeng-share"},
    "mob sms sdk": {"mob-smssdk"},
    "bmob sdk": {"bmob"},
    "zxing": {"zxing"},
    "jpush": {"jpush"},
}


def _fingerprints() -> list:
    if not FINGERPRINTS.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/reference is absent"))]
    sdks = json.loads(FINGERPRINTS.read_text(encoding="utf-8"))["sdks"]
    return [pytest.param(sdk, id=sdk["sdk"].split(" (")[0]) for sdk in sdks]


def _expected(label: str) -> set[str]:
    return next(ids for prefix, ids in EXPECTED.items() if label.startswith(prefix))


def _artifact(fingerprint: dict, folder: Path) -> Path:
    """An AAR (or a JAR when no manifest is known) holding the fingerprint's class packages, native
    libraries and manifest entries, named as in the real binary."""
    classes = folder / "classes.jar"
    with zipfile.ZipFile(classes, "w") as jar:
        for package, count in fingerprint["package_prefixes_depth3"].items():
            for index in range(count):
                jar.writestr(f"{package.replace('.', '/')}/Stub{index}.class", b"\xca\xfe\xba\xbe")
    if "manifest_components" not in fingerprint:
        return classes
    components = "".join(
        f'<{kind} android:name="{name}"/>'
        for kind, name in (entry.split(":", 1) for entry in fingerprint["manifest_components"])
    )
    meta_data = "".join(
        f'<meta-data android:name="{name}" android:value="x"/>' for name in fingerprint["manifest_meta_data"]
    )
    permissions = "".join(f'<uses-permission android:name="{name}"/>' for name in fingerprint["manifest_permissions"])
    manifest = (
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.sdk">'
        f"{permissions}<application>{components}{meta_data}</application></manifest>"
    )
    aar = folder / "sdk.aar"
    with zipfile.ZipFile(aar, "w") as archive:
        archive.writestr("AndroidManifest.xml", manifest)
        archive.write(classes, "classes.jar")
        for library in fingerprint["native_libs"]:
            archive.writestr(f"jni/arm64-v8a/{library}", b"")
    return aar


def _with_ancestors(ids: set[str]) -> set[str]:
    parents = {entry.id: entry.parent for entry in load_sdk_catalog()}
    family = set()
    for sdk_id in ids:
        while sdk_id and sdk_id not in family:
            family.add(sdk_id)
            sdk_id = parents.get(sdk_id)
    return family


@pytest.mark.parametrize("fingerprint", _fingerprints())
def test_fingerprint_names_its_sdk_and_nothing_else(fingerprint: dict, tmp_path: Path) -> None:
    expected = _expected(fingerprint["sdk"])
    inventory = scan(_artifact(fingerprint, tmp_path))
    found = {sdk.id for sdk in inventory.sdks}
    assert expected <= _with_ancestors(found), f"missed {expected - _with_ancestors(found)}"
    assert _with_ancestors(found) <= _with_ancestors(expected) | {s.id for s in inventory.sdks if s.parent in expected}

"""The committed example APK (built by tests/fixtures/fsview/build.py with real Android tools):
the 12 SDKs of the FS+VIEW policy and its permission table."""

from __future__ import annotations

import json

import pytest
from conftest import FSVIEW_APK, FSVIEW_EXPECTED, run_consentry

from scanners import scan

EXPECTED = json.loads(FSVIEW_EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def inventory():
    return scan(FSVIEW_APK)


def test_app_facts(inventory) -> None:
    assert inventory.artifact.kind == "apk"
    assert inventory.app.package == EXPECTED["package"]
    assert inventory.app.version_name == EXPECTED["version_name"]
    assert inventory.app.version_code == EXPECTED["version_code"]
    assert (inventory.app.min_sdk, inventory.app.target_sdk) == (EXPECTED["min_sdk"], EXPECTED["target_sdk"])
    assert inventory.dex.files == EXPECTED["dex_files"] == 2
    assert inventory.dex.classes == EXPECTED["class_counts"]["total"]


@pytest.mark.parametrize("sdk_id", sorted(EXPECTED["sdks"]))
def test_each_policy_sdk_is_found_with_the_right_confidence(inventory, sdk_id: str) -> None:
    expected = EXPECTED["sdks"][sdk_id]
    found = {sdk.id: sdk for sdk in inventory.sdks}
    assert sdk_id in found, f"{sdk_id} not detected; found {sorted(found)}"
    sdk = found[sdk_id]
    assert sdk.confidence == expected["confidence"]
    assert any(e.kind == "dex_package" for e in sdk.evidence)
    family = {sdk_id, sdk.parent}
    components = {e.value for s in inventory.sdks if s.id in family for e in s.evidence if e.kind == "component"}
    expected_components = {c.split(":", 1)[1] for c in expected["components"]}
    # An app's own subclass of an SDK service (Huawei's HmsMessageService) carries no SDK name.
    assert expected_components - components <= {f"{EXPECTED['package']}.push.FsHmsMessageService"}


@pytest.mark.parametrize("sdk_id", sorted(EXPECTED["sdks"]))
def test_every_sdk_class_is_explained_or_reported_unknown(inventory, sdk_id: str) -> None:
    """Each stub class is attributed to the SDK (or its parent), or listed among the unknown packages:
    never silently dropped."""
    found = {sdk.id: sdk for sdk in inventory.sdks}
    family = {sdk_id, found[sdk_id].parent}
    prefixes = {e.value for sdk in inventory.sdks if sdk.id in family for e in sdk.evidence if e.kind == "dex_package"}
    unknown = {package.package for package in inventory.unknown_packages}
    for class_name in EXPECTED["sdks"][sdk_id]["classes"]:
        package = class_name.rpartition(".")[0]
        explained = any(package == p or package.startswith(p + ".") for p in prefixes)
        assert explained or ".".join(package.split(".")[:3]) in unknown, class_name


def test_no_sdk_beyond_the_policy(inventory) -> None:
    # Facebook Login brings the Facebook core SDK with it; nothing else may appear.
    extra = {sdk.id for sdk in inventory.sdks} - set(EXPECTED["sdks"])
    assert extra <= {"facebook-sdk"}


def test_every_permission_with_its_attributes(inventory) -> None:
    by_name = {p.name: p for p in inventory.permissions}
    assert set(by_name) == set(EXPECTED["permissions"]) | set(EXPECTED["sdk23_permissions"])
    for name, level in EXPECTED["max_sdk_version"].items():
        assert by_name[name].max_sdk_version == level
    assert {p.name for p in inventory.permissions if p.sdk23} == set(EXPECTED["sdk23_permissions"])
    for declared in EXPECTED["app_permissions"]:
        assert by_name[declared["name"]].origin == "app"
        assert by_name[declared["name"]].protection_level == declared["protection_level"]
    for name in EXPECTED["non_platform_permissions"]:
        assert by_name[name].origin == "unknown"
    camera = by_name["android.permission.CAMERA"]
    assert (camera.origin, camera.protection_level, camera.runtime) == ("platform", "dangerous", True)
    assert by_name["android.permission.INTERNET"].runtime is False


def test_unlisted_code_is_reported(inventory) -> None:
    unknown = {package.package: package.classes for package in inventory.unknown_packages}
    for package, count in EXPECTED["unlisted_packages"].items():
        assert unknown.get(package) == count


def test_table_output_names_every_sdk() -> None:
    result = run_consentry("scan", FSVIEW_APK)
    assert result.returncode == 0, result.stderr
    for sdk_id in EXPECTED["sdks"]:
        assert sdk_id in result.stdout

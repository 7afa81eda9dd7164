"""The scanner against real APKs, with pyaxmlparser and androguard as oracles."""

from __future__ import annotations

import json
import logging
import re
import zipfile
from pathlib import Path

import pytest
from conftest import corpus_file, corpus_params, run_consentry

from scanners import scan
from scanners.dex import class_names

logging.getLogger("androguard").setLevel(logging.CRITICAL)
ROOT_DEX = re.compile(r"classes\d*\.dex")
# The only SDKs that the corpus holds (its MANIFEST.tsv, and Google's Wear sample, built with the
# Play services wearable library); every other APK holds none.
EXPECTED_SDK_FAMILIES = {
    "instapaper.apk": {"firebase-crashlytics", "fabric", "facebook-sdk", "firebase", "google-play-services", "zxing"},
    "blooddonation.apk": {"firebase", "google-play-services"},
    "com.example.android.wearable.wear.weardrawers.apk": {"google-play-services"},
}


def _androguard_class_names(data: bytes) -> list[str]:
    from androguard.core.dex import DEX
    from loguru import logger

    logger.remove()
    return [name[1:-1].replace("/", ".") for name in (cls.get_name() for cls in DEX(data).get_classes())]


@pytest.mark.parametrize("path", corpus_params("dex", "*.dex") + corpus_params("apk", "*.apk"))
def test_class_names_equal_androguard(path: Path) -> None:
    if path.suffix == ".dex":
        blobs = [path.read_bytes()]
    else:
        with zipfile.ZipFile(path) as apk:
            blobs = [apk.read(name) for name in apk.namelist() if ROOT_DEX.fullmatch(name)]
    for data in blobs:
        assert class_names(data) == _androguard_class_names(data)


@pytest.mark.parametrize("path", corpus_params("apk", "*.apk"))
def test_permissions_equal_pyaxmlparser(path: Path) -> None:
    from pyaxmlparser import APK

    logging.getLogger("pyaxmlparser").setLevel(logging.CRITICAL)
    try:
        oracle = APK(str(path))
    except Exception:
        pytest.skip("pyaxmlparser cannot open it")
    if not oracle.is_valid_APK():
        pytest.skip("pyaxmlparser finds no manifest")
    inventory = scan(path)
    # pyaxmlparser's get_permissions() lists <uses-permission> only; <uses-permission-sdk-23> is ours to add.
    ours = [p.name for p in inventory.permissions if not p.sdk23]
    assert sorted(ours) == sorted(set(oracle.get_permissions()))
    sdk23 = {p.name for p in inventory.permissions if p.sdk23}
    xml = oracle.get_android_manifest_axml().get_xml().decode()
    assert sdk23 == set(re.findall(r'<uses-permission-sdk-23 android:name="([^"]+)"', xml))
    assert inventory.app.package == oracle.get_package()


@pytest.mark.parametrize("path", corpus_params("apk", "*.apk"))
def test_json_output_is_schema_valid_and_has_no_false_positive(path: Path, inventory_validator) -> None:
    result = run_consentry("scan", "--format", "json", path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    inventory_validator.validate(document)
    found = {sdk["id"] for sdk in document["sdks"]}
    expected = EXPECTED_SDK_FAMILIES.get(path.name, set())
    # Modules of an expected family (firebase-analytics under firebase) are fine; anything else is not.
    families = {sdk["parent"] or sdk["id"] for sdk in document["sdks"]}
    assert families <= expected, f"false positives: {families - expected}"
    assert expected <= found, f"missed: {expected - found}"


def test_instapaper_sdks_and_their_evidence() -> None:
    inventory = scan(corpus_file("apk", "instapaper.apk"))
    by_id = {sdk.id: sdk for sdk in inventory.sdks}
    google = by_id["google-play-services"]
    assert any(e.kind == "dex_package" and e.value.startswith("com.google.android.gms") for e in google.evidence)
    assert all(e.count >= 1 for sdk in inventory.sdks for e in sdk.evidence)
    assert inventory.dex.classes > 1000

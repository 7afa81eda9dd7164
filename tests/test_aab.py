"""Android App Bundles (.aab): protobuf manifests of every module, dex, native libraries, version files."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import struct
import zipfile
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from conftest import FSVIEW_APK, ROOT, run_consentry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanners import Limits, ScanError, scan
from scanners.limits import DEFAULT_LIMITS
from scanners.manifest import read_protobuf_manifest
from scanners.protobuf_xml import MAX_DEPTH, xml_node_to_element

FIXTURES = ROOT / "tests" / "fixtures" / "aab"
REAL_AAB = FIXTURES / "install-time-permanent-modules.aab"
SAMPLE = "com.google.android.samples.dynamicfeatures"
ANDROID = "http://schemas.android.com/apk/res/android"


def load_make_aab() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_aab", FIXTURES / "make_aab.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_aab = load_make_aab()


def real_manifest(module: str = "base") -> bytes:
    with zipfile.ZipFile(REAL_AAB) as bundle:
        return bundle.read(f"{module}/manifest/AndroidManifest.xml")


def root_with(*parts: bytes, name: str = "manifest") -> bytes:
    """An XmlNode holding one element `name` with the given XmlElement fields."""
    return make_aab.field_bytes(1, make_aab.field_string(3, name) + b"".join(parts))


def attribute(key: str, text: str, compiled: bytes | None = None) -> bytes:
    qname = key.partition("}")
    uri, name = (qname[0][1:], qname[2]) if qname[1] else ("", key)
    message = (make_aab.field_string(1, uri) if uri else b"") + make_aab.field_string(2, name)
    message += make_aab.field_string(3, text) if text else b""
    message += make_aab.field_bytes(6, compiled) if compiled else b""
    return make_aab.field_bytes(4, message)


# --- the real bundle (bundletool's test data) ----------------------------------------------------


def test_real_bundle_from_bundletool() -> None:
    inventory = scan(REAL_AAB)
    assert inventory.artifact.kind == "aab"
    assert inventory.artifact.parts == ("base", "assets", "initialInstall", "java")
    app = inventory.app
    assert (app.package, app.version_name, app.version_code) == (f"{SAMPLE}.ondemand", "1.0", 1)
    assert (app.min_sdk, app.target_sdk, app.split) == (24, 28, None)
    assert inventory.permissions == ()
    exported = {c.name: c.exported for c in inventory.components}
    assert exported == {
        f"{SAMPLE}.MainActivity": True,  # intent filters, no android:exported
        "com.google.android.play.core.missingsplits.PlayCoreMissingSplitsActivity": False,  # compiled false
        "com.google.android.play.core.common.PlayCoreDialogWrapperActivity": False,
        f"{SAMPLE}.InitialInstallActivity": True,  # declared in base and in its feature module: once
        f"{SAMPLE}.ondemand.JavaSampleActivity": True,
    }
    assert inventory.meta_data == ("default-url",)
    # base, initialInstall and java each ship a dex; the asset pack has no code.
    assert inventory.dex.files == 3 and inventory.dex.classes == 1298
    maven = {(m.group, m.artifact): m.version for m in inventory.maven_libraries}
    assert len(maven) == 34
    assert maven[("androidx.core", "core")] == "1.1.0"
    assert maven[("com.google.android.material", "material")] == "1.0.0-rc01"
    play_core = next(sdk for sdk in inventory.sdks if sdk.id == "google-play-core")
    assert play_core.confidence == "declared"
    assert {e.kind for e in play_core.evidence} == {"component", "dex_package"}


def test_real_bundle_json_is_schema_valid(inventory_validator) -> None:
    result = run_consentry("scan", "--format", "json", REAL_AAB)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    inventory_validator.validate(document)
    assert document["artifact"]["kind"] == "aab"


def test_feature_module_manifest_keeps_its_split_name() -> None:
    facts = read_protobuf_manifest(real_manifest("java"), DEFAULT_LIMITS)
    assert facts.app.split == "java"
    assert [c.name for c in facts.components] == [f"{SAMPLE}.ondemand.JavaSampleActivity"]


# --- the hand-assembled bundle: the FS+VIEW APK as a bundle --------------------------------------


@pytest.fixture(scope="module")
def fsview_aab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_aab.build_aab(tmp_path_factory.mktemp("aab") / "fsview.aab")


def test_bundle_scans_like_the_apk_it_was_made_from(fsview_aab: Path) -> None:
    bundle, apk = scan(fsview_aab), scan(FSVIEW_APK)
    assert bundle.artifact.kind == "aab" and bundle.artifact.parts == ("base", "extras")
    assert bundle.app == apk.app
    assert bundle.permissions == apk.permissions
    assert {p.max_sdk_version for p in bundle.permissions} == {None, 28}
    assert bundle.declared_permissions == apk.declared_permissions
    assert bundle.declared_permissions[0].protection_level == "signature"  # compiled int_hexadecimal 2
    extras = [c for c in bundle.components if c not in apk.components]
    assert [(c.name, c.exported) for c in extras] == [("com.example.fsview.extras.ExtrasActivity", False)]
    assert bundle.components[: len(apk.components)] == apk.components
    assert bundle.meta_data == apk.meta_data and bundle.queries == apk.queries
    assert bundle.dex == apk.dex
    assert [(lib.name, lib.abis) for lib in bundle.native_libraries] == [("libBugly.so", ("arm64-v8a",))]
    assert [(m.group, m.artifact, m.version) for m in bundle.maven_libraries] == [
        ("com.tencent.bugly", "crashreport", "4.1.9")
    ]
    assert {(s.id, s.confidence) for s in bundle.sdks} == {(s.id, s.confidence) for s in apk.sdks}
    bugly = next(sdk for sdk in bundle.sdks if sdk.id == "tencent-bugly")
    assert {e.kind for e in bugly.evidence} >= {"dex_package", "native_lib", "maven"}


def test_hand_assembled_bundle_json_is_schema_valid(fsview_aab: Path, inventory_validator) -> None:
    result = run_consentry("scan", "--format", "json", fsview_aab)
    assert result.returncode == 0, result.stderr
    inventory_validator.validate(json.loads(result.stdout))


def test_bundle_is_told_by_content_not_name(fsview_aab: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "app.apk"
    disguised.write_bytes(fsview_aab.read_bytes())
    assert scan(disguised).artifact.kind == "aab"


# --- attribute values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "compiled", "expected"),
    [
        ("", make_aab.primitive_item(6, -5), "-5"),  # int32 written sign-extended to 64 bits
        ("12", make_aab.primitive_item(6, 12), "12"),
        ("", make_aab.primitive_item(7, 0x12), "0x12"),
        ("", make_aab.primitive_item(8, 0), "false"),
        ("", make_aab.primitive_item(8, 1), "true"),
        ("", make_aab.primitive_item(9, 0xFF00FF00), "#ff00ff00"),
        ("${placeholder}", make_aab.primitive_item(8, 1), "true"),  # the compiled primitive wins
        ("", make_aab.field_bytes(7, make_aab.field_bytes(2, b"")), ""),  # Primitive.empty_value
        ("@string/app_name", make_aab.field_bytes(1, make_aab.field_varint(2, 0x7F0B0001)), "@string/app_name"),
        ("", make_aab.field_bytes(1, make_aab.field_varint(2, 0x7F0B0001)), "@0x7f0b0001"),
        ("", make_aab.field_bytes(1, make_aab.field_string(3, "style/AppTheme")), "@style/AppTheme"),
        ("", make_aab.field_bytes(2, make_aab.field_string(1, "compiled")), "compiled"),
        ("plain", None, "plain"),
    ],
)
def test_attribute_values(text: str, compiled: bytes | None, expected: str) -> None:
    root = xml_node_to_element(root_with(attribute(f"{{{ANDROID}}}value", text, compiled)))
    assert root.get(f"{{{ANDROID}}}value") == expected


def test_float_primitive() -> None:
    float_value = make_aab.varint(3 << 3 | 5) + struct.pack("<f", 1.5)  # Primitive.float_value, fixed32
    compiled = make_aab.field_bytes(7, float_value)
    assert xml_node_to_element(root_with(attribute("v", "", compiled))).get("v") == "1.5"


def test_elements_attributes_and_namespaces() -> None:
    child = make_aab.field_bytes(5, make_aab.field_bytes(1, make_aab.field_string(3, "application")))
    text = make_aab.field_bytes(5, make_aab.field_string(2, "\n  "))  # a text node: skipped
    root = xml_node_to_element(root_with(attribute("package", "a.b"), attribute(f"{{{ANDROID}}}x", "1"), text, child))
    assert root.tag == "manifest" and root.get("package") == "a.b" and root.get(f"{{{ANDROID}}}x") == "1"
    assert [c.tag for c in root] == ["application"]


# --- malformed input ------------------------------------------------------------------------------


def nested(depth: int) -> bytes:
    node = make_aab.field_bytes(1, make_aab.field_string(3, "x"))
    for _ in range(depth):
        node = make_aab.field_bytes(1, make_aab.field_string(3, "x") + make_aab.field_bytes(5, node))
    return node


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "the root node is not an element"),
        (make_aab.field_string(2, "text"), "the root node is not an element"),
        (real_manifest()[:-7], "runs past the end"),
        (b"\x0a\xff\xff\xff\xff\x0f", "runs past the end"),
        (b"\x08" + b"\xff" * 11, "a varint longer than 10 bytes"),
        (b"\x08\xff", "a varint runs past the end"),
        (b"\x0b\x00", "unsupported wire type 3"),
        (b"\x00\x00", "field number 0"),
        (b"\x08\x01", "XmlNode.element has wire type 0"),
        (b"\x0d\x00\x00", "fixed-size field runs past the end"),
        (make_aab.field_bytes(1, make_aab.field_bytes(3, b"\xff\xfe")), "XmlElement.name is not UTF-8"),
        (make_aab.field_bytes(1, b""), "an element without a name"),
        (root_with(make_aab.field_bytes(4, make_aab.field_string(3, "v"))), "an attribute without a name"),
        (root_with(name="bad name"), "Invalid tag name"),
        (root_with(attribute("x", "nul\x00")), "<manifest>"),
        (nested(MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
        (nested(5_000), f"nested deeper than {MAX_DEPTH} levels"),
        (root_with(b"\x78\x00" * 600_000), "more than 500000 fields"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_malformed_protobuf_raises_scan_error(data: bytes, why: str) -> None:
    with pytest.raises(ScanError, match=r"^malformed protobuf manifest: ") as error:
        xml_node_to_element(data)
    assert why in str(error.value)


def test_root_must_be_manifest() -> None:
    with pytest.raises(ScanError, match="root element is <application>"):
        read_protobuf_manifest(root_with(name="application"), DEFAULT_LIMITS)


def test_manifest_size_limit() -> None:
    with pytest.raises(ScanError, match="more than the limit of 100"):
        read_protobuf_manifest(real_manifest(), Limits(max_manifest_size=100))


def test_broken_bundle_fails_cleanly_on_the_command_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.aab"
    with zipfile.ZipFile(broken, "w") as bundle:
        bundle.writestr("BundleConfig.pb", b"")
        bundle.writestr("base/manifest/AndroidManifest.xml", real_manifest()[:100])
    result = run_consentry("scan", broken)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"consentry: {broken}: base/manifest/AndroidManifest.xml: malformed protobuf manifest: "
        "a field of 6073 bytes runs past the end of its message"
    ]


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """Flips, varint-breaking bytes (continuation bits, huge lengths), deletions and truncations."""
    mutated = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, max(len(mutated) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "byte", "varint", "delete", "truncate"]))
        if kind == "flip" and mutated:
            mutated[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte" and mutated:
            mutated[position] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0xFF, 0x0B, 0x0D, 0x09]))
        elif kind == "varint":
            mutated[position:position] = draw(st.sampled_from([b"\xff\xff\xff\xff\x0f", b"\x80" * 11, b"\x01"]))
        elif kind == "delete":
            del mutated[position : position + draw(st.integers(1, 32))]
        else:
            del mutated[position:]
    return bytes(mutated)


@pytest.mark.parametrize("module", ["base", "java"])
def test_mutated_manifests_raise_only_scan_errors(module: str) -> None:
    original = real_manifest(module)

    @settings(max_examples=400, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
    @given(mutations(original))
    def read_mutant(mutant: bytes) -> None:
        with contextlib.suppress(ScanError):
            read_protobuf_manifest(mutant, DEFAULT_LIMITS)

    read_mutant()

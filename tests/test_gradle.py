"""Gradle dependency lists as scanner input: `gradle dependencies` output, gradle.lockfile, libs.versions.toml.

The inputs are real files from public repositories (see tests/fixtures/gradle/README.md), told apart by
content: every test copies them to a name that says nothing about the format.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_consentry

from manifests.sdk_catalog import load_sdk_catalog
from scanners import ScanError, scan
from scanners.gradle import MAX_LINES, MAX_SIZE, parse_dependency_tree, parse_lockfile, parse_version_catalog

FIXTURES = ROOT / "tests" / "fixtures" / "gradle"
CONSOLE = FIXTURES / "ppjoke-app-dependencies.txt"
TREE = FIXTURES / "popos-prodReleaseRuntimeClasspath.tree.txt"
LOCKFILE = FIXTURES / "home-assistant-app-gradle.lockfile"
CATALOG = FIXTURES / "home-assistant-libs.versions.toml"
DOCS_CATALOG = FIXTURES / "gradle-docs-test-suite.libs.versions.toml"
KINDS = {
    CONSOLE: "gradle-dependencies",
    TREE: "gradle-dependencies",
    LOCKFILE: "gradle-lockfile",
    CATALOG: "gradle-version-catalog",
    DOCS_CATALOG: "gradle-version-catalog",
}


def versions(dependencies: list[tuple[str, str, str | None]]) -> dict[str, str | None]:
    coordinates = [f"{group}:{artifact}" for group, artifact, _ in dependencies]
    assert len(coordinates) == len(set(coordinates)), "each library once"
    return {f"{group}:{artifact}": version for group, artifact, version in dependencies}


def anonymous(path: Path, tmp_path: Path) -> Path:
    """The same bytes under a name that does not hint at the format."""
    copy = tmp_path / "input.bin"
    shutil.copyfile(path, copy)
    return copy


# --- gradle dependencies (console output) ---------------------------------------------------------


def test_console_output_takes_resolved_versions_of_runtime_classpaths() -> None:
    found = versions(parse_dependency_tree(CONSOLE.read_text(encoding="utf-8")))
    assert found["androidx.lifecycle:lifecycle-runtime"] == "2.1.0"  # `2.0.0 -> 2.1.0`
    assert found["com.alibaba:fastjson"] == "1.2.59"
    assert found["com.google.android.exoplayer:exoplayer-core"] == "2.10.4"
    # Substituted module: `android.arch.persistence.room:runtime:1.1.1 -> androidx.room:room-runtime:2.0.0`.
    assert found["androidx.room:room-runtime"] == "2.0.0"
    assert "android.arch.persistence.room:runtime" not in found
    # Unresolved `(n)` declarations, project lines, and classpaths that do not ship (lint, annotation processors).
    assert "androidx.databinding:databinding-compiler" not in found
    assert "com.android.tools.lint:lint-gradle" not in found
    assert "com.google.auto.service:auto-service" not in found
    assert not any(name.startswith(("project", ":")) for name in found)


def test_tree_without_header_takes_bom_managed_versions_and_skips_constraints() -> None:
    found = versions(parse_dependency_tree(TREE.read_text(encoding="utf-8")))
    assert found["com.google.firebase:firebase-crashlytics"] == "19.1.0"  # `firebase-crashlytics -> 19.1.0`
    assert found["com.google.firebase:firebase-messaging"] == "24.0.1"
    assert found["io.sentry:sentry-android"] == "7.14.0"
    assert found["com.google.firebase:firebase-bom"] == "33.3.0"
    # Listed in this file only as constraints of the Compose BOM and the Kotlin stdlib: `... (c)`.
    assert "androidx.compose.ui:ui-tooling-data" not in found
    assert "org.jetbrains.kotlin:kotlin-stdlib-jdk7" not in found


def test_test_configurations_do_not_count_in_a_dependency_tree() -> None:
    tree = (
        "debugUnitTestRuntimeClasspath - Resolved configuration for runtime for variant: debugUnitTest\n"
        "+--- io.mockk:mockk:1.14.11\n"
        "\n"
        "releaseRuntimeClasspath - Resolved configuration for runtime for variant: release\n"
        "\\--- com.tencent.bugly:crashreport:latest.release -> 4.1.9.3\n"
    )
    assert parse_dependency_tree(tree) == [("com.tencent.bugly", "crashreport", "4.1.9.3")]


# --- gradle.lockfile --------------------------------------------------------------------------------


def test_lockfile_keeps_what_the_runtime_classpaths_ship() -> None:
    found = versions(parse_lockfile(LOCKFILE.read_text(encoding="utf-8")))
    assert found["com.google.firebase:firebase-messaging"] == "25.1.1"
    assert found["io.sentry:sentry-android-core"] == "8.53.0"
    assert found["com.squareup.leakcanary:leakcanary-android"] == "2.14"  # debug runtime only, still shipped
    # Several locked versions: the one of a release runtime classpath, not of a compile or test classpath.
    assert found["com.google.android.gms:play-services-basement"] == "18.10.0"
    assert found["com.google.android.gms:play-services-base"] == "18.9.0"
    assert found["org.jetbrains.kotlin:kotlin-stdlib"] == "2.4.10"
    # Test-only and lint-only entries never reach the APK.
    for name in ("io.mockk:mockk", "org.robolectric:robolectric", "junit:junit"):
        assert name not in found
    assert "com.slack.lint.compose:compose-lint-checks" not in found


def test_lockfile_with_a_broken_line_names_the_line() -> None:
    with pytest.raises(ScanError, match="line 3 is not group:artifact:version=configurations"):
        parse_lockfile("# comment\nandroidx.core:core:1.0.0=releaseRuntimeClasspath\nnot a lock entry\nempty=\n")


# --- libs.versions.toml -----------------------------------------------------------------------------


def test_version_catalog_resolves_version_refs_and_keeps_bom_managed_libraries() -> None:
    found = versions(parse_version_catalog(CATALOG.read_text(encoding="utf-8")))
    assert found["io.sentry:sentry-android-core"] == "8.53.0"  # version.ref = "sentry-android"
    assert found["com.google.firebase:firebase-messaging"] is None  # version from firebase-bom
    assert found["com.google.firebase:firebase-bom"] == "34.17.0"
    assert found["androidx.concurrent:concurrent-futures-ktx"] == "1.3.0"  # group + name form
    assert found["com.google.android.gms:play-services-location"] == "21.4.0"
    # [plugins] and [bundles] are not libraries.
    assert not any(name.startswith(("com.android.application", "com.google.gms.google-services")) for name in found)
    assert len(found) == CATALOG.read_text(encoding="utf-8").split("[libraries]")[1].split("[bundles]")[0].count(" = {")


def test_version_catalog_string_and_rich_versions() -> None:
    found = versions(parse_version_catalog(DOCS_CATALOG.read_text(encoding="utf-8")))
    assert found == {
        "org.codehaus.groovy:groovy": "3.0.5",
        "org.codehaus.groovy:groovy-json": "3.0.5",
        "org.codehaus.groovy:groovy-nio": "3.0.5",
        "org.apache.commons:commons-lang3": "3.9",  # strictly "[3.8, 4.0[", prefer "3.9"
        "com.google.guava:guava": "29.0-jre",  # "group:artifact:version"
    }


# --- through the scanner and the command line ---------------------------------------------------------


@pytest.mark.parametrize("fixture", list(KINDS), ids=lambda path: path.name)
def test_each_format_is_told_apart_by_content_and_validates(fixture: Path, tmp_path: Path, inventory_validator) -> None:
    path = anonymous(fixture, tmp_path)
    result = run_consentry("scan", "--format", "json", path)
    assert result.returncode == 0, result.stderr
    inventory = json.loads(result.stdout)
    inventory_validator.validate(inventory)
    assert inventory["artifact"]["kind"] == KINDS[fixture]
    assert inventory["maven_libraries"]
    assert inventory["permissions"] == [] and inventory["dex"] == {"files": 0, "classes": 0}


def test_firebase_crashlytics_is_detected_from_a_dependency_tree(tmp_path: Path) -> None:
    inventory = scan(anonymous(TREE, tmp_path))
    sdks = {sdk.id: sdk for sdk in inventory.sdks}
    crashlytics = sdks["firebase-crashlytics"]
    assert crashlytics.confidence == "present"
    assert [(e.kind, e.value) for e in crashlytics.evidence] == [
        ("maven", "com.google.firebase:firebase-crashlytics:19.1.0")
    ]


@pytest.mark.parametrize("fixture", list(KINDS), ids=lambda path: path.name)
def test_every_catalog_coordinate_in_the_list_is_detected(fixture: Path, tmp_path: Path) -> None:
    """Whatever the catalog's `signatures.maven` names and the list holds is reported, as `maven` evidence."""
    inventory = scan(anonymous(fixture, tmp_path))
    listed = {f"{lib.group}:{lib.artifact}" for lib in inventory.maven_libraries}
    expected = {entry.id for entry in load_sdk_catalog() if listed & set(entry.signatures.maven)}
    detected = {sdk.id: sdk for sdk in inventory.sdks}
    assert expected <= set(detected)
    for sdk_id in expected:
        assert any(evidence.kind == "maven" for evidence in detected[sdk_id].evidence)
    assert all(evidence.kind == "maven" for sdk in inventory.sdks for evidence in sdk.evidence)


# --- malformed input: one line on stderr, exit code 2 --------------------------------------------------


def assert_clean_failure(path: Path, *expected: str) -> None:
    started = time.monotonic()
    result = run_consentry("scan", "--format", "json", path)
    assert time.monotonic() - started < 10
    assert result.returncode == 2, result.stdout[:300]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"consentry: {path}: "), result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0]


def test_garbage_text_is_not_an_android_artifact(tmp_path: Path) -> None:
    garbage = tmp_path / "libs.versions.toml"
    garbage.write_text("this is not a build file\n+-- almost a tree\nkey = value\n")
    assert_clean_failure(garbage, "not an Android artifact", "Gradle dependency list")


def test_binary_is_not_an_android_artifact(tmp_path: Path) -> None:
    binary = tmp_path / "gradle.lockfile"
    binary.write_bytes(bytes(range(256)) * 64)
    assert_clean_failure(binary, "not an Android artifact")


def test_huge_list_is_refused(tmp_path: Path) -> None:
    huge = tmp_path / "gradle.lockfile"
    line = b"androidx.core:core:1.0.0=releaseRuntimeClasspath\n"
    huge.write_bytes(LOCKFILE.read_bytes() + line * (MAX_SIZE // len(line) + 1))
    assert_clean_failure(huge, "more than the limit", "gradle-lockfile")


def test_too_many_lines_are_refused(tmp_path: Path) -> None:
    many = tmp_path / "deps.txt"
    many.write_bytes(b"+--- androidx.core:core:1.0.0\n" + b"\n" * (MAX_LINES + 1))
    assert_clean_failure(many, f"more than {MAX_LINES} lines")


def test_broken_lockfile_line(tmp_path: Path) -> None:
    broken = tmp_path / "input.bin"
    broken.write_bytes(LOCKFILE.read_bytes() + b"com.example:lib\n")
    assert_clean_failure(broken, "not a valid gradle.lockfile", "line 36")


def test_invalid_toml_catalog(tmp_path: Path) -> None:
    broken = tmp_path / "input.bin"
    broken.write_bytes(CATALOG.read_bytes().replace(b'activity-compose = "1.13.0"', b'activity-compose = "1.13.0'))
    assert_clean_failure(broken, "not a valid version catalog")


def test_catalog_library_without_coordinates(tmp_path: Path) -> None:
    broken = tmp_path / "input.bin"
    broken.write_bytes(DOCS_CATALOG.read_bytes() + b'\n[libraries.oops]\nversion = "1.0"\n')
    assert_clean_failure(broken, "not a valid version catalog")
    broken.write_bytes(b'[libraries]\nguava = "guava-without-a-group"\n')
    assert_clean_failure(broken, "library 'guava' is not group:artifact:version")


def test_deeply_nested_toml_fails_cleanly(tmp_path: Path) -> None:
    nested = tmp_path / "input.bin"
    nested.write_bytes(b"[versions]\nx = " + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    assert_clean_failure(nested, "not a valid version catalog")


def test_tree_that_is_not_utf8(tmp_path: Path) -> None:
    latin1 = tmp_path / "input.bin"
    latin1.write_bytes(CONSOLE.read_bytes() + "\n+--- com.example:caf\u00e9:1.0\n".encode("latin-1"))
    assert_clean_failure(latin1, "not UTF-8 text")

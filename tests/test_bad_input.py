"""Hostile and broken input: one line on stderr, exit code 2, quickly, never a traceback."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, FSVIEW_APK, corpus_params, run_consentry

from scanners import Limits, ScanError, scan
from scanners.limits import MiB

ALL_CORPUS = [param for folder in ("apk", "axml", "dex", "malformed") for param in corpus_params(folder)]


def assert_clean_failure(result, path: Path | str) -> str:
    assert result.returncode == 2, result.stdout[:500]
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"consentry: {path}: ")
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("path", ALL_CORPUS)
def test_every_corpus_file_scans_or_fails_cleanly_within_5_seconds(path: Path) -> None:
    started = time.monotonic()
    result = run_consentry("scan", "--format", "json", path, timeout=30)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f} s"
    if result.returncode != 0:
        assert_clean_failure(result, path)
    else:
        assert result.stderr == ""
        assert result.stdout.startswith("{")


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.apk"
    assert "no such file" in assert_clean_failure(run_consentry("scan", missing), missing)


def test_directory(tmp_path: Path) -> None:
    assert "is a directory" in assert_clean_failure(run_consentry("scan", tmp_path), tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.apk"
    empty.touch()
    assert "empty file" in assert_clean_failure(run_consentry("scan", empty), empty)


def test_not_an_android_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.apk"
    text.write_text("just some text\n")
    assert "not an Android artifact" in assert_clean_failure(run_consentry("scan", text), text)


def test_good_and_bad_files_together_report_both(tmp_path: Path) -> None:
    if not FSVIEW_APK.is_file():
        pytest.skip("example APK not built")
    missing = tmp_path / "missing.apk"
    result = run_consentry("scan", "--format", "json", FSVIEW_APK, missing)
    assert result.returncode == 2
    assert result.stdout.count("\n") == 1  # the good file's inventory is still written
    assert result.stderr.strip() == f"consentry: {missing}: no such file"


def _zip(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.apk", {"AndroidManifest.xml": b"<manifest/>", "classes.dex": bytes(64 * MiB)})
    assert bomb.stat().st_size < MiB
    line = assert_clean_failure(run_consentry("scan", bomb), bomb)
    assert "zip bomb" in line


def test_entry_count_is_bounded(tmp_path: Path) -> None:
    many = _zip(tmp_path / "many.jar", {f"com/example/C{i}.class": b"" for i in range(50)})
    assert scan(many).dex.classes == 50
    with pytest.raises(ScanError, match="more than the limit of 10"):
        scan(many, Limits(max_entries=10))


def test_total_read_is_bounded(tmp_path: Path) -> None:
    if not FSVIEW_APK.is_file():
        pytest.skip("example APK not built")
    with pytest.raises(ScanError, match="exceed"):
        scan(FSVIEW_APK, Limits(max_total_read=1024))


def test_nesting_depth_of_split_sets_is_bounded(tmp_path: Path) -> None:
    if not FSVIEW_APK.is_file():
        pytest.skip("example APK not built")
    split_set = _zip(tmp_path / "app.apks", {"splits/base-master.apk": FSVIEW_APK.read_bytes()})
    assert scan(split_set).app.package
    with pytest.raises(ScanError, match="nested deeper"):
        scan(split_set, Limits(max_nesting=0))


def test_string_pool_claiming_too_many_strings_is_refused(tmp_path: Path) -> None:
    manifest = CORPUS / "axml" / "AndroidManifest.xml"
    if not manifest.is_file():
        pytest.skip("corpus absent")
    data = bytearray(manifest.read_bytes())
    struct.pack_into("<I", data, 16, 50_000_000)  # string count of the pool chunk at offset 8
    forged = tmp_path / "AndroidManifest.xml"
    forged.write_bytes(bytes(data))
    line = assert_clean_failure(run_consentry("scan", forged), forged)
    assert "string pool" in line


def test_manifest_size_is_bounded(tmp_path: Path) -> None:
    big = tmp_path / "AndroidManifest.xml"
    big.write_bytes(b"<manifest>" + b" " * (2 * MiB) + b"</manifest>")
    with pytest.raises(ScanError, match="more than the limit"):
        scan(big, Limits(max_manifest_size=MiB))


def test_text_manifest_entities_are_not_expanded(tmp_path: Path) -> None:
    laughs = tmp_path / "AndroidManifest.xml"
    laughs.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        '<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="x.y">'
        '<uses-permission android:name="&d;"/><uses-permission android:name="&e;"/></manifest>'
    )
    try:
        inventory = scan(laughs)
    except ScanError:
        return  # refusing the document is as good as not expanding it
    names = [p.name for p in inventory.permissions]
    assert all("aaaa" not in name and "root:" not in name for name in names)


def test_truncated_apk(tmp_path: Path) -> None:
    if not FSVIEW_APK.is_file():
        pytest.skip("example APK not built")
    data = FSVIEW_APK.read_bytes()
    truncated = tmp_path / "truncated.apk"
    truncated.write_bytes(data[: len(data) // 2])
    assert_clean_failure(run_consentry("scan", truncated), truncated)


def test_unknown_compression_method_is_read_as_android_does(tmp_path: Path) -> None:
    manifest = CORPUS / "axml" / "AndroidManifest.xml"
    if not manifest.is_file():
        pytest.skip("corpus absent")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("AndroidManifest.xml", manifest.read_bytes())
    raw = bytearray(buffer.getvalue())
    # Compression method 99 in the local header (offset 8) and the central directory entry (offset 10).
    struct.pack_into("<H", raw, 8, 99)
    struct.pack_into("<H", raw, raw.find(b"PK\x01\x02") + 10, 99)
    odd = tmp_path / "odd.apk"
    odd.write_bytes(bytes(raw))
    assert scan(odd).app.package == scan(manifest).app.package

"""`consentry catalog search|show|lint|stats` as a user runs them, and the data-item catalog."""

from __future__ import annotations

import json

import yaml
from conftest import ROOT, run_consentry, validator

from manifests.data_item_catalog import DATA_ITEMS_FILE, load_data_items
from manifests.names import folded


def test_search_finds_an_sdk_by_its_chinese_alias() -> None:
    result = run_consentry("catalog", "search", "穿山甲", "--format", "json")
    assert result.returncode == 0
    assert next(hit["id"] for hit in json.loads(result.stdout)) == "pangle"


def test_search_by_alias_width_and_case_folded() -> None:
    fullwidth_pangolin = "\uff50\uff41\uff4e\uff47\uff4f\uff4c\uff49\uff4e"
    result = run_consentry("catalog", "search", fullwidth_pangolin.upper(), "--format", "json")
    assert json.loads(result.stdout)[0]["id"] == "pangle"


def test_search_by_class_name_prefix_and_maven_coordinate() -> None:
    by_class = json.loads(run_consentry("catalog", "search", "com.qq.e.ads.ADActivity", "--format", "json").stdout)
    assert by_class[0]["id"] == "tencent-gdt"
    by_maven = json.loads(
        run_consentry("catalog", "search", "com.tencent.bugly:crashreport", "--format", "json").stdout
    )
    assert by_maven[0]["id"] == "tencent-bugly"


def test_search_without_a_match_exits_1() -> None:
    result = run_consentry("catalog", "search", "no such sdk anywhere")
    assert result.returncode == 1


def test_show_as_json_and_table() -> None:
    result = run_consentry("catalog", "show", "tencent-bugly", "--format", "json")
    assert result.returncode == 0
    entry = json.loads(result.stdout)
    assert entry["id"] == "tencent-bugly"
    assert entry["provenance"]
    table = run_consentry("catalog", "show", "tencent-bugly")
    assert "com.tencent.bugly" in table.stdout and "sources" in table.stdout


def test_show_unknown_id_suggests_the_nearest() -> None:
    result = run_consentry("catalog", "show", "pangel")
    assert result.returncode == 2
    assert "did you mean pangle" in result.stderr


def test_lint_is_clean() -> None:
    result = run_consentry("catalog", "lint", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "catalog is clean" in result.stdout


def test_stats() -> None:
    result = run_consentry("catalog", "stats", "--format", "json")
    stats = json.loads(result.stdout)
    assert stats["entries"] >= 53
    assert set(stats["filled"]) >= {"vendor", "purpose", "data_collected", "privacy_policy_url"}


def test_data_items_are_schema_valid_with_unique_names() -> None:
    document = yaml.safe_load(DATA_ITEMS_FILE.read_text(encoding="utf-8"))
    validator("data-items.schema.json").validate(document)
    items = load_data_items()
    assert {"imei", "oaid", "android-id", "installed-apps", "precise-location"} <= set(items)
    assert all(item.play_data_type in document["play_data_types"] for item in items.values())
    owners: dict[str, str] = {}
    for item in items.values():
        for name in {folded(n) for n in (item.name.en, item.name.zh, *item.aliases)}:
            assert owners.setdefault(name, item.id) == item.id, f"{name} names {owners[name]} and {item.id}"
    assert items["precise-location"].sensitive and not items["device-model"].sensitive


def test_readme_mentions_the_catalog_commands() -> None:
    assert "consentry catalog" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_stats_lists_the_sdks_whose_field_is_unknown() -> None:
    result = run_consentry("catalog", "stats", "--unknown", "vendor", "--format", "json")
    unknown = json.loads(result.stdout)
    stats = json.loads(run_consentry("catalog", "stats", "--format", "json").stdout)
    assert len(unknown) == stats["entries"] - stats["filled"]["vendor"]
    wrong = run_consentry("catalog", "stats", "--unknown", "colour")
    assert wrong.returncode == 2 and "no field 'colour'" in wrong.stderr


def test_show_tells_none_from_unknown() -> None:
    # ZXing decodes on the device: its source says there is no vendor service, hence no privacy policy.
    zxing = run_consentry("catalog", "show", "zxing")
    assert "none (per source)" in zxing.stdout
    unknown = run_consentry("catalog", "stats", "--unknown", "privacy_policy_url", "--format", "json")
    assert "zxing" not in json.loads(unknown.stdout)

"""Declarations in (privacy.yaml): every schema rule broken once, unknown ids, hostile files —
each rejected with a clear message naming its path, exit code 2, and nothing written."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from conftest import run_consentry

from manifests.declarations import DeclarationsError, load_declarations

VALID = {
    "schema": "consentry/declarations/1",
    "app": {"id": "demo", "name": "Demo", "package": "com.example.demo", "platforms": ["android"]},
    "policy": {
        "version": "v3",
        "effective_date": "2025-01-01",
        "url": "https://example.com/privacy",
        "languages": ["zh"],
    },
    "sdks": [
        {
            "sdk": "tencent-bugly",
            "purpose": "崩溃分析",
            "data_items": ["device-model", "os-version"],
            "permissions": ["android.permission.INTERNET"],
            "legal_basis": "consent",
            "required": True,
            "processing": "sdk-collects",
            "privacy_url": "https://bugly.qq.com/v2/contract",
        },
        {"name": "某自研统计SDK", "purpose": "统计", "legal_basis": "legitimate_interests"},
    ],
    "permissions": [
        {
            "name": "android.permission.CAMERA",
            "function": "相机",
            "purpose": "扫码",
            "requested_by": ["app"],
            "legal_basis": "consent",
        },
    ],
    "data_items": [{"item": "imei", "purpose": "推送", "legal_basis": "consent"}],
    "waivers": [
        {
            "rule": "sdk.undeclared",
            "subject": "zxing",
            "reason": "being removed",
            "approver": "dpo",
            "expires": "2026-12-31",
        }
    ],
}


def write(tmp_path: Path, document: object, name: str = "privacy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True) if name.endswith(".yaml") else json.dumps(document))
    return path


def test_valid_yaml_and_json_both_load(tmp_path: Path) -> None:
    from_yaml = load_declarations(write(tmp_path, VALID))
    from_json = load_declarations(write(tmp_path, VALID, "privacy.json"))
    assert from_yaml == from_json
    assert from_yaml.sdks[0].sdk == "tencent-bugly" and from_yaml.sdks[1].name == "某自研统计SDK"


def broken(path: str, value: object) -> dict:
    document = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return document


DELETE = object()
SCHEMA_BREAKS = [
    ("schema", "consentry/declarations/9", "schema: must be 'consentry/declarations/1'"),
    ("app", DELETE, "app: required"),
    ("app.id", "Demo App", "app.id: "),
    ("app.package", "demo", "app.package: "),
    ("app.platforms", ["symbian"], "app.platforms[0]: 'symbian' is not one of"),
    ("policy.effective_date", "next tuesday", "policy.effective_date: "),
    ("policy.url", "ftp://example.com", "policy.url: "),
    ("policy.languages", ["fr"], "policy.languages[0]: 'fr' is not one of zh, en"),
    ("sdks.0.purpose", DELETE, "sdks[0].purpose: required"),
    ("sdks.0.legal_basis", "because", "sdks[0].legal_basis: 'because' is not one of consent"),
    ("sdks.1.name", DELETE, "sdks[1]: needs `sdk` (a catalog id) or `name`"),
    ("sdks.0.processing", "cloud", "sdks[0].processing: 'cloud' is not one of"),
    ("sdks.0.required", "yes", "sdks[0].required: 'yes' is not of type 'boolean'"),
    ("sdks.0.colour", "blue", "sdks[0]: unknown field ('colour' was unexpected)"),
    ("permissions.0.name", DELETE, "permissions[0].name: required"),
    ("permissions.0.requested_by", "app", "permissions[0].requested_by: 'app' is not of type 'array'"),
    ("data_items.0.purpose", DELETE, "data_items[0].purpose: required"),
    ("waivers.0.expires", DELETE, "waivers[0].expires: required"),
    ("waivers.0.rule", "sdk.whatever", "waivers[0].rule: 'sdk.whatever' is not one of"),
]


@pytest.mark.parametrize(
    ("path", "value", "message"), SCHEMA_BREAKS, ids=[b[0] + "=" + str(b[1])[:12] for b in SCHEMA_BREAKS]
)
def test_each_schema_rule_broken_once(tmp_path: Path, path: str, value: object, message: str) -> None:
    with pytest.raises(DeclarationsError) as caught:
        load_declarations(write(tmp_path, broken(path, value)))
    assert any(problem.startswith(message) for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "sdks.0.sdk",
            "tencent-bugli",
            "sdks[0].sdk: unknown catalog id 'tencent-bugli'; did you mean 'tencent-bugly'?",
        ),
        ("sdks.0.data_items", ["imeii"], "sdks[0].data_items[0]: unknown data item 'imeii'; did you mean 'imei'?"),
        (
            "permissions.0.name",
            "android.permission.CAMREA",
            "permissions[0].name: 'android.permission.CAMREA' is not an Android platform permission; "
            "did you mean 'android.permission.CAMERA'?",
        ),
    ],
)
def test_unknown_ids_are_reported_with_the_nearest_match(
    tmp_path: Path, path: str, value: object, message: str
) -> None:
    with pytest.raises(DeclarationsError) as caught:
        load_declarations(write(tmp_path, broken(path, value)))
    assert message in caught.value.problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    document = broken("sdks.0.purpose", DELETE)
    document["permissions"][0].pop("name")
    with pytest.raises(DeclarationsError) as caught:
        load_declarations(write(tmp_path, document))
    assert {"sdks[0].purpose: required", "permissions[0].name: required"} <= set(caught.value.problems)


def test_yaml_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = tmp_path / "privacy.yaml"
    bomb.write_text("\n".join(lines))
    with pytest.raises(DeclarationsError, match="problem") as caught:
        load_declarations(bomb)
    assert "aliases" in caught.value.problems[0]


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "privacy.yaml"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(DeclarationsError) as caught:
        load_declarations(huge)
    assert "more than the limit" in caught.value.problems[0]


@pytest.mark.parametrize("content", ["schema: [unclosed", "{not json", "- just\n- a list\n", ""])
def test_not_declarations_at_all(tmp_path: Path, content: str) -> None:
    path = tmp_path / "privacy.yaml"
    path.write_text(content)
    with pytest.raises(DeclarationsError):
        load_declarations(path)


def test_bad_declarations_write_nothing(tmp_path: Path, database: str) -> None:
    from registry.database import upgrade

    upgrade(database)
    bad = write(tmp_path, broken("sdks.0.purpose", DELETE))
    result = run_consentry("publish", bad, database=database)
    assert result.returncode == 2
    assert result.stderr.strip() == f"consentry: {bad}: sdks[0].purpose: required"
    assert "Traceback" not in result.stderr
    from sqlmodel import select

    from registry.database import session
    from registry.models import App, AuditEntry, PolicyVersion

    with session(database) as db:
        assert db.exec(select(App)).all() == []
        assert db.exec(select(PolicyVersion)).all() == []
        assert db.exec(select(AuditEntry)).all() == []


def test_publish_of_a_missing_file(tmp_path: Path, database: str) -> None:
    result = run_consentry("publish", tmp_path / "nope.yaml", database=database)
    assert result.returncode == 2
    assert "no such file" in result.stderr


@pytest.mark.parametrize(("path", "value", "message"), SCHEMA_BREAKS, ids=[b[0] for b in SCHEMA_BREAKS])
def test_the_fast_check_agrees_with_the_json_schema(path: str, value: object, message: str) -> None:
    """A valid document is accepted without jsonschema; so every document the schema rejects must be
    rejected by the typed fast check too."""
    from manifests.declarations import _accepted, _validator

    document = json.loads(json.dumps(broken(path, value)))
    assert list(_validator().iter_errors(document))
    assert _accepted(document) is None
    assert _accepted(json.loads(json.dumps(VALID))) is not None
    assert not list(_validator().iter_errors(json.loads(json.dumps(VALID))))


def test_json_and_yaml_round_trip_through_to_json(tmp_path: Path) -> None:
    declarations = load_declarations(write(tmp_path, VALID))
    from manifests.declarations import Declarations

    assert Declarations.from_json(declarations.to_json()) == declarations

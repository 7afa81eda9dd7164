"""`consentry check`, the pre-release gate, as a build step runs it: exit codes and every report format."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from conftest import FSVIEW_APK, ROOT, run_consentry, validator

DECLARATIONS = ROOT / "examples" / "fsview" / "privacy.yaml"
UNDECLARED_APK = ROOT / "examples" / "fsview" / "undeclared" / "app-release.apk"
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
POLICY = ROOT.parent / "shared" / "policies" / "fsview-privacy-policy.en.txt"


def check(*args: str | Path, apk: Path = FSVIEW_APK, **options):  # type: ignore[no-untyped-def]
    return run_consentry("check", apk, "--declarations", DECLARATIONS, *args, **options)


def test_the_example_passes() -> None:
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS: 0 errors" in result.stdout


def test_the_example_passes_against_the_published_policy_text() -> None:
    if not POLICY.is_file():
        pytest.skip("../shared/policies is absent")
    result = check("--policy-text", POLICY)
    assert result.returncode == 0, result.stdout


def test_the_undeclared_variant_fails_with_three_errors() -> None:
    result = check(apk=UNDECLARED_APK)
    assert result.returncode == 1
    assert "FAIL: 3 errors" in result.stdout
    for subject in (
        "sdk.undeclared getui",
        "sdk.undeclared umeng-common",
        "permission.undeclared android.permission.READ_CONTACTS",
    ):
        assert f"ERROR {subject}" in result.stdout


def test_fail_on_warning_fails_the_example() -> None:
    assert check("--fail-on", "warning").returncode == 1


def test_json_report_validates_against_the_findings_schema(tmp_path: Path) -> None:
    output = tmp_path / "findings.json"
    result = check("--format", "json", "--output", output, apk=UNDECLARED_APK)
    assert result.returncode == 1 and result.stdout == ""
    document = json.loads(output.read_text(encoding="utf-8"))
    validator("findings.schema.json").validate(document)
    summary = document["summary"]
    assert (summary["errors"], summary["waived"], summary["failed"]) == (3, 1, True)


def test_sarif_report_validates_against_the_official_schema() -> None:
    result = check("--format", "sarif", apk=UNDECLARED_APK)
    sarif = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "PIPL art. 23" in rules["sdk.undeclared"]["properties"]["legal-basis"]
    assert rules["sdk.undeclared"]["help"]["text"]
    getui = next(r for r in run["results"] if r["properties"]["subject"] == "getui")
    assert getui["level"] == "error"
    declarations, artifact = (loc["physicalLocation"] for loc in getui["locations"])
    assert declarations["artifactLocation"]["uri"] == str(DECLARATIONS)
    assert declarations["region"]["startLine"] >= 1
    assert artifact["artifactLocation"]["uri"] == str(UNDECLARED_APK)
    waived = [r for r in run["results"] if "suppressions" in r]
    assert {r["properties"]["subject"] for r in waived} == {"zxing"}


def test_junit_report_has_one_testcase_per_rule_and_subject() -> None:
    result = check("--format", "junit", apk=UNDECLARED_APK)
    suites = ElementTree.fromstring(result.stdout)
    assert suites.tag == "testsuites" and suites.get("failures") == "3"
    failing = {
        (case.get("classname"), case.get("name"))
        for case in suites.iter("testcase")
        if case.find("failure") is not None
    }
    assert failing == {
        ("sdk.undeclared", "getui"),
        ("sdk.undeclared", "umeng-common"),
        ("permission.undeclared", "android.permission.READ_CONTACTS"),
    }
    assert {suite.get("name") for suite in suites.iter("testsuite")} >= {"sdk.undeclared", "waiver.expired"}


def test_markdown_report_is_a_pull_request_summary() -> None:
    result = check("--format", "markdown", apk=UNDECLARED_APK)
    assert result.stdout.startswith("### ❌ consentry")
    assert "| 🔴 error | `sdk.undeclared` | `getui` |" in result.stdout
    passing = check("--format", "markdown")
    assert passing.stdout.startswith("### ✅ consentry")


def test_bad_input_exits_2(tmp_path: Path) -> None:
    missing = run_consentry("check", tmp_path / "nope.apk", "--declarations", DECLARATIONS)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    broken = tmp_path / "privacy.yaml"
    broken.write_text("schema: consentry/declarations/1\n")
    result = run_consentry("check", FSVIEW_APK, "--declarations", broken)
    assert result.returncode == 2 and "app: required" in result.stderr and "Traceback" not in result.stderr
    neither = run_consentry("check", FSVIEW_APK)
    assert neither.returncode == 2


def test_registry_mode_checks_against_the_policy_in_force_and_stores_the_findings(database: str) -> None:
    assert run_consentry("publish", DECLARATIONS, database=database).returncode == 0
    result = run_consentry(
        "check", UNDECLARED_APK, "--registry", "--app", "fsview", "--format", "json", database=database
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["errors"] == 3
    from sqlmodel import select

    from registry.database import session
    from registry.models import Finding, Release

    with session(database) as db:
        assert len(db.exec(select(Release)).all()) == 1
        rules = sorted((f.rule, f.subject) for f in db.exec(select(Finding)) if f.severity == "error" and not f.waived)
    assert rules == [
        ("permission.undeclared", "android.permission.READ_CONTACTS"),
        ("sdk.undeclared", "getui"),
        ("sdk.undeclared", "umeng-common"),
    ]


def test_registry_mode_without_a_published_policy(database: str) -> None:
    result = run_consentry("check", FSVIEW_APK, "--registry", "--app", "fsview", database=database)
    assert result.returncode == 2 and "no app 'fsview'" in result.stderr

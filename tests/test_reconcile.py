"""Golden tests of the reconciler: for every rule, an input that fires it and one that does not; waivers
active and expired. The base case is the FS+VIEW example: its build against its own declarations."""

from __future__ import annotations

import datetime

import msgspec
import pytest
from conftest import FSVIEW_APK, ROOT

from manifests.declarations import DeclaredPermission, DeclaredSdk, Waiver, load_declarations
from manifests.policy_text import read_policy_text
from registry.reconcile import reconcile
from scanners import scan

DECLARATIONS = load_declarations(ROOT / "examples" / "fsview" / "privacy.yaml")
POLICY = ROOT.parent / "shared" / "policies" / "fsview-privacy-policy.en.txt"
TODAY = datetime.date(2026, 11, 22)
replace = msgspec.structs.replace


@pytest.fixture(scope="module")
def inventory():
    return scan(FSVIEW_APK)


def counted(findings, rule: str | None = None) -> list:
    return [f for f in findings if f.waiver is None and (rule is None or f.rule == rule)]


def check(inventory, declarations=DECLARATIONS, **options):
    return reconcile(inventory, declarations, today=TODAY, **options)


def test_the_example_passes_clean_against_its_declarations(inventory) -> None:
    findings = check(inventory)
    assert [f.rule for f in counted(findings) if f.severity == "error"] == []
    assert {f.subject for f in findings if f.waiver} == {"zxing"}


def test_the_example_passes_clean_against_the_published_policy_text(inventory) -> None:
    if not POLICY.is_file():
        pytest.skip("../shared/policies is absent")
    findings = check(inventory, policy_text=read_policy_text(POLICY))
    assert counted(findings, "policy.text-missing") == []
    assert [f for f in counted(findings) if f.severity == "error"] == []


@pytest.mark.parametrize("index", range(12))
def test_removing_any_declared_sdk_gives_exactly_one_undeclared_finding(inventory, index: int) -> None:
    removed = DECLARATIONS.sdks[index]
    declarations = replace(DECLARATIONS, sdks=DECLARATIONS.sdks[:index] + DECLARATIONS.sdks[index + 1 :])
    undeclared = counted(check(inventory, declarations), "sdk.undeclared")
    assert [f.subject for f in undeclared] == [removed.sdk]
    assert undeclared[0].severity == "error" and undeclared[0].evidence
    assert "认定方法" in undeclared[0].basis


def test_an_sdk_declared_by_its_alias_is_the_same_sdk(inventory) -> None:
    sdks = tuple(replace(s, sdk=None, name="穿山甲") if s.sdk == "pangle" else s for s in DECLARATIONS.sdks)
    assert counted(check(inventory, replace(DECLARATIONS, sdks=sdks)), "sdk.undeclared") == []


def test_declared_sdk_not_in_the_build(inventory) -> None:
    jpush = DeclaredSdk(
        sdk="jpush",
        purpose="推送",
        legal_basis="consent",
        vendor="x",
        privacy_url="https://x.cn",
        data_description="设备标识",
    )
    findings = check(inventory, replace(DECLARATIONS, sdks=(*DECLARATIONS.sdks, jpush)))
    assert [(f.subject, f.severity) for f in counted(findings, "sdk.not-in-build")] == [("jpush", "warning")]
    assert counted(check(inventory), "sdk.not-in-build") == []


def test_incomplete_sdk(inventory) -> None:
    homegrown = DeclaredSdk(name="某自研SDK", purpose="统计", legal_basis="consent")
    findings = counted(check(inventory, replace(DECLARATIONS, sdks=(*DECLARATIONS.sdks, homegrown))), "sdk.incomplete")
    assert [f.subject for f in findings] == ["某自研SDK"]
    assert "vendor, data collected, privacy policy URL" in findings[0].message
    assert counted(check(inventory), "sdk.incomplete") == []  # zxing is waived


def test_data_underdeclared(inventory) -> None:
    findings = counted(check(inventory), "sdk.data-underdeclared")
    assert "pangle" in {f.subject for f in findings} and all(f.severity == "warning" for f in findings)
    from manifests.sdk_catalog import load_sdk_catalog

    everything = {e.id: tuple(i.item for i in e.data_collected) for e in load_sdk_catalog()}
    sdks = tuple(
        replace(s, data_items=tuple(dict.fromkeys((*s.data_items, *everything[s.sdk])))) for s in DECLARATIONS.sdks
    )
    assert counted(check(inventory, replace(DECLARATIONS, sdks=sdks)), "sdk.data-underdeclared") == []


def _without_permission(name: str):
    return replace(DECLARATIONS, permissions=tuple(p for p in DECLARATIONS.permissions if p.name != name))


def test_undeclared_permission_is_an_error_when_it_reaches_personal_information(inventory) -> None:
    findings = counted(
        check(inventory, _without_permission("android.permission.RECORD_AUDIO")), "permission.undeclared"
    )
    assert [(f.subject, f.severity) for f in findings if f.subject.endswith("RECORD_AUDIO")] == [
        ("android.permission.RECORD_AUDIO", "error")
    ]


def test_undeclared_permission_is_a_warning_when_it_reaches_none(inventory) -> None:
    findings = counted(
        check(inventory, _without_permission("android.permission.CHANGE_CONFIGURATION")), "permission.undeclared"
    )
    assert ("android.permission.CHANGE_CONFIGURATION", "warning") in [(f.subject, f.severity) for f in findings]


def test_permission_listed_by_a_declared_sdk_counts_as_declared(inventory) -> None:
    declarations = _without_permission("android.permission.VIBRATE")
    sdks = tuple(
        replace(s, permissions=(*s.permissions, "android.permission.VIBRATE")) if s.sdk == "tencent-gdt" else s
        for s in declarations.sdks
    )
    findings = counted(check(inventory, replace(declarations, sdks=sdks)), "permission.undeclared")
    assert "android.permission.VIBRATE" not in {f.subject for f in findings}


def test_declared_permission_not_requested(inventory) -> None:
    sms = DeclaredPermission(name="android.permission.READ_SMS", purpose="验证码", legal_basis="separate_consent")
    findings = check(inventory, replace(DECLARATIONS, permissions=(*DECLARATIONS.permissions, sms)))
    assert [f.subject for f in counted(findings, "permission.not-requested")] == ["android.permission.READ_SMS"]
    assert counted(check(inventory), "permission.not-requested") == []


def test_declared_permission_without_purpose(inventory) -> None:
    permissions = tuple(replace(p, purpose=None) if p.name.endswith(".CAMERA") else p for p in DECLARATIONS.permissions)
    findings = counted(check(inventory, replace(DECLARATIONS, permissions=permissions)), "permission.no-purpose")
    assert [(f.subject, f.severity) for f in findings] == [("android.permission.CAMERA", "error")]
    assert counted(check(inventory), "permission.no-purpose") == []


def test_sensitive_permission_without_separate_consent(inventory) -> None:
    permissions = tuple(
        replace(p, legal_basis="consent") if p.name.endswith("ACCESS_FINE_LOCATION") else p
        for p in DECLARATIONS.permissions
    )
    findings = counted(check(inventory, replace(DECLARATIONS, permissions=permissions)), "consent.separate-required")
    assert [f.subject for f in findings] == ["android.permission.ACCESS_FINE_LOCATION"]
    assert "PIPL art. 29" in findings[0].basis
    assert counted(check(inventory), "consent.separate-required") == []


def test_sensitive_data_item_of_an_sdk_without_separate_consent(inventory) -> None:
    sdks = tuple(replace(s, legal_basis="consent") if s.sdk == "pangle" else s for s in DECLARATIONS.sdks)
    findings = counted(check(inventory, replace(DECLARATIONS, sdks=sdks)), "consent.separate-required")
    assert [f.subject for f in findings] == ["pangle"]


def test_policy_text_missing_an_sdk(inventory) -> None:
    if not POLICY.is_file():
        pytest.skip("../shared/policies is absent")
    text = read_policy_text(POLICY).replace("Kuaishou", "K-company").replace("kuaishou", "k-company")
    findings = counted(check(inventory, policy_text=text), "policy.text-missing")
    assert [f.subject for f in findings] == ["kuaishou-ads"]


def test_policy_text_missing_a_permission(inventory) -> None:
    if not POLICY.is_file():
        pytest.skip("../shared/policies is absent")
    text = read_policy_text(POLICY).replace("android.permission.VIBRATE", "").replace("Vibration", "")
    text = text.replace("vibration", "")
    findings = counted(check(inventory, policy_text=text), "policy.text-missing")
    assert [f.subject for f in findings] == ["android.permission.VIBRATE"]


def test_active_waiver_is_reported_not_counted(inventory) -> None:
    findings = check(inventory)
    waived = [f for f in findings if f.waiver]
    assert {(f.rule, f.subject) for f in waived} == {("sdk.incomplete", "zxing")}
    assert waived[0].waiver.approver
    assert "the catalog records that the SDK has no privacy policy" in waived[0].message


def test_expired_waiver_is_an_error_and_silences_nothing(inventory) -> None:
    expired = tuple(
        replace(w, expires=datetime.date(2026, 1, 1)) if w.subject == "zxing" else w for w in DECLARATIONS.waivers
    )
    findings = check(inventory, replace(DECLARATIONS, waivers=expired))
    assert [f.subject for f in counted(findings, "waiver.expired")] == ["sdk.incomplete zxing"]
    assert [f.subject for f in counted(findings, "sdk.incomplete")] == ["zxing"]
    assert counted(check(inventory), "waiver.expired") == []


def test_a_waiver_for_another_subject_does_not_apply(inventory) -> None:
    other = Waiver(rule="sdk.undeclared", subject="getui", reason="r", approver="a", expires=datetime.date(2030, 1, 1))
    findings = check(inventory, replace(DECLARATIONS, waivers=(*DECLARATIONS.waivers, other)))
    assert all(f.waiver is None or f.subject == "zxing" for f in findings)


def test_the_undeclared_variant_fails_with_exactly_three_errors() -> None:
    variant = scan(ROOT / "examples" / "fsview" / "undeclared" / "app-release.apk")
    errors = [(f.rule, f.subject) for f in counted(check(variant)) if f.severity == "error"]
    assert sorted(errors) == [
        ("permission.undeclared", "android.permission.READ_CONTACTS"),
        ("sdk.undeclared", "getui"),
        ("sdk.undeclared", "umeng-common"),
    ]


def test_findings_point_at_the_declarations_line(inventory) -> None:
    from manifests.safe_yaml import node_lines

    path = ROOT / "examples" / "fsview" / "privacy.yaml"
    lines = node_lines(path.read_text(encoding="utf-8"))
    findings = check(inventory, _without_permission("android.permission.RECORD_AUDIO"), source=str(path), lines=lines)
    camera = next(f for f in findings if f.subject == "android.permission.RECORD_AUDIO")
    assert camera.location.file == str(path)
    assert path.read_text(encoding="utf-8").splitlines()[camera.location.line - 1].startswith("permissions:")

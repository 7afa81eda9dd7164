"""Findings: what the reconciler flags (schema `consentry/findings/1`), and the rules it flags them by."""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path
from typing import Literal

import msgspec

SCHEMA = "consentry/findings/1"
RULES_FILE = Path(__file__).parent / "rules.yaml"

Severity = Literal["error", "warning"]
SEVERITY_RANK = {"warning": 1, "error": 2}


class Struct(msgspec.Struct, frozen=True, kw_only=True):
    pass


class Rule(Struct):
    id: str
    severity: Severity
    title: str
    basis: str
    help: str


class Evidence(Struct):
    kind: str
    value: str
    count: int = 1


class Location(Struct):
    """Where the fix belongs: a line of the declarations file."""

    file: str
    line: int


class AppliedWaiver(Struct):
    reason: str
    approver: str
    expires: datetime.date


class Finding(Struct):
    rule: str
    severity: Severity
    subject: str
    message: str
    basis: str
    evidence: tuple[Evidence, ...] = ()
    location: Location | None = None
    waiver: AppliedWaiver | None = None
    """Set when a waiver applies: the finding is reported but not counted."""


class ArtifactRef(Struct):
    path: str
    sha256: str
    package: str | None
    version_name: str | None
    version_code: int | None


class DeclarationsRef(Struct):
    source: str
    app: str
    policy_version: str


class Summary(Struct):
    errors: int
    warnings: int
    waived: int
    fail_on: Severity
    failed: bool


class Findings(Struct):
    schema: str
    artifact: ArtifactRef
    declarations: DeclarationsRef
    summary: Summary
    findings: tuple[Finding, ...]

    def to_json(self) -> bytes:
        return msgspec.json.encode(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> Findings:
        return msgspec.json.decode(data, type=cls)


@cache
def load_rules(path: Path = RULES_FILE) -> dict[str, Rule]:
    from manifests.safe_yaml import load_yaml

    raw = load_yaml(path.read_text(encoding="utf-8"))
    return {rule_id: msgspec.convert({"id": rule_id, **fields}, Rule) for rule_id, fields in raw.items()}


def summarize(findings: tuple[Finding, ...], fail_on: Severity) -> Summary:
    counted = [finding for finding in findings if finding.waiver is None]
    failed = any(SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[fail_on] for finding in counted)
    return Summary(
        errors=sum(finding.severity == "error" for finding in counted),
        warnings=sum(finding.severity == "warning" for finding in counted),
        waived=len(findings) - len(counted),
        fail_on=fail_on,
        failed=failed,
    )

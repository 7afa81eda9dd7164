"""SARIF 2.1.0, as GitHub code scanning accepts it: every rule with its help text and legal basis, each
result located at the declarations line where the fix belongs and at the artifact."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version

from registry.reconcile import Finding, Findings, load_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/consentry/consentry"


def render(findings: Findings) -> str:
    rules = load_rules()
    rule_ids = list(rules)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "consentry",
                        "version": version("consentry"),
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in rules.values()],
                    }
                },
                "artifacts": [
                    {
                        "location": {"uri": findings.artifact.path},
                        "roles": ["analysisTarget"],
                        "hashes": {"sha-256": findings.artifact.sha256},
                    },
                    {"location": {"uri": findings.declarations.source}, "roles": ["policy"]},
                ],
                "results": [_result(finding, rule_ids.index(finding.rule), findings) for finding in findings.findings],
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _rule(rule) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": rule.id,
        "name": "".join(part.title() for part in rule.id.replace("-", ".").split(".")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.help},
        "help": {
            "text": f"{rule.help}\n\nLegal basis: {rule.basis}",
            "markdown": f"{rule.help}\n\n**Legal basis:** {rule.basis}",
        },
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"legal-basis": rule.basis, "tags": ["privacy", "compliance"]},
    }


def _result(finding: Finding, rule_index: int, findings: Findings) -> dict:
    locations = []
    if finding.location:
        locations.append(
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.location.file},
                    "region": {"startLine": finding.location.line},
                }
            }
        )
    locations.append({"physicalLocation": {"artifactLocation": {"uri": findings.artifact.path}}})
    result = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": f"{finding.message}. Legal basis: {finding.basis}."},
        "locations": locations,
        "partialFingerprints": {
            "consentry/v1": hashlib.sha256(f"{finding.rule}\0{finding.subject}".encode()).hexdigest()
        },
        "properties": {
            "subject": finding.subject,
            "evidence": [{"kind": e.kind, "value": e.value, "count": e.count} for e in finding.evidence],
        },
    }
    if finding.waiver:
        result["suppressions"] = [
            {
                "kind": "external",
                "justification": f"{finding.waiver.reason} (approved by {finding.waiver.approver}, "
                f"until {finding.waiver.expires})",
            }
        ]
    return result

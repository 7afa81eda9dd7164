"""JUnit XML for GitLab and Jenkins: one test suite per rule, one test case per rule and subject."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from registry.reconcile import Finding, Findings, load_rules


def render(findings: Findings) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings.findings:
        by_rule[finding.rule].append(finding)
    suites = ElementTree.Element("testsuites", name="consentry", tests=str(len(findings.findings)))
    counted_failures = 0
    for rule_id, rule in load_rules().items():
        cases = by_rule.get(rule_id, [])
        failing = [f for f in cases if _fails(f, findings.summary.fail_on)]
        counted_failures += len(failing)
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=rule_id,
            tests=str(max(len(cases), 1)),
            failures=str(len(failing)),
            skipped=str(sum(f.waiver is not None for f in cases)),
        )
        if not cases:  # a rule with nothing to report passes as one case
            ElementTree.SubElement(suite, "testcase", classname=rule_id, name=rule.title)
        for finding in cases:
            case = ElementTree.SubElement(suite, "testcase", classname=rule_id, name=finding.subject)
            if finding.waiver:
                ElementTree.SubElement(
                    case, "skipped", message=f"waived until {finding.waiver.expires}: {finding.waiver.reason}"
                )
            elif _fails(finding, findings.summary.fail_on):
                failure = ElementTree.SubElement(case, "failure", message=finding.message, type=finding.severity)
                failure.text = f"{finding.message}\nbasis: {finding.basis}\n{rule.help}"
            else:
                ElementTree.SubElement(case, "system-out").text = f"{finding.severity}: {finding.message}"
    suites.set("failures", str(counted_failures))
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


def _fails(finding: Finding, fail_on: str) -> bool:
    return finding.waiver is None and (finding.severity == "error" or fail_on == "warning")

"""A readable report for a terminal."""

from __future__ import annotations

from registry.reconcile import Findings


def render(findings: Findings) -> str:
    artifact, summary = findings.artifact, findings.summary
    version = f" {artifact.version_name} ({artifact.version_code})" if artifact.version_name else ""
    lines = [
        f"{artifact.path}: {artifact.package or '?'}{version}",
        f"  against {findings.declarations.source} ({findings.declarations.app}, policy "
        f"{findings.declarations.policy_version})",
        "",
    ]
    for finding in findings.findings:
        mark = "waived " if finding.waiver else ""
        where = f"  [{finding.location.file}:{finding.location.line}]" if finding.location else ""
        lines.append(f"{mark}{finding.severity.upper()} {finding.rule} {finding.subject}{where}")
        lines.append(f"    {finding.message}")
        if finding.evidence:
            shown = ", ".join(
                f"{e.kind} {e.value}" + (f" ({e.count})" if e.count > 1 else "") for e in finding.evidence[:4]
            )
            more = f" and {len(finding.evidence) - 4} more" if len(finding.evidence) > 4 else ""
            lines.append(f"    evidence: {shown}{more}")
        if finding.waiver:
            lines.append(
                f"    waived until {finding.waiver.expires} by {finding.waiver.approver}: {finding.waiver.reason}"
            )
        lines.append(f"    basis: {finding.basis}")
    verdict = "FAIL" if summary.failed else "PASS"
    lines += [
        "" if findings.findings else "no findings",
        f"{verdict}: {summary.errors} errors, {summary.warnings} warnings, {summary.waived} waived "
        f"(failing on {summary.fail_on})",
    ]
    return "\n".join(lines) + "\n"

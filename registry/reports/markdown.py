"""A summary for a pull-request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from registry.reconcile import Findings


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(findings: Findings) -> str:
    summary, artifact = findings.summary, findings.artifact
    icon = "❌" if summary.failed else "✅"
    lines = [
        f"### {icon} consentry: `{artifact.package or artifact.path}` "
        f"{'fails' if summary.failed else 'passes'} its privacy policy check",
        "",
        f"**{summary.errors}** errors, **{summary.warnings}** warnings, **{summary.waived}** waived "
        f"(failing on {summary.fail_on}) — against `{findings.declarations.source}` "
        f"(policy {findings.declarations.policy_version}), artifact sha256 `{artifact.sha256[:12]}…`",
        "",
    ]
    if findings.findings:
        lines += ["| | rule | subject | finding | basis |", "|---|---|---|---|---|"]
        for finding in findings.findings:
            mark = "⚪ waived" if finding.waiver else ("🔴 error" if finding.severity == "error" else "🟡 warning")
            lines.append(
                f"| {mark} | `{finding.rule}` | `{_cell(finding.subject)}` | {_cell(finding.message)} | "
                f"{_cell(finding.basis)} |"
            )
    else:
        lines.append("No findings: everything in the build is declared.")
    return "\n".join(lines) + "\n"

"""The reconciler: what a build contains against what its policy declares, as findings."""

from __future__ import annotations

from manifests.declarations import Declarations
from scanners import Inventory

from .engine import reconcile
from .findings import SCHEMA, ArtifactRef, DeclarationsRef, Finding, Findings, Rule, load_rules, summarize


def findings_for(
    inventory: Inventory,
    declarations: Declarations,
    *,
    source: str,
    lines: dict[str, int] | None = None,
    policy_text: str | None = None,
    fail_on: str = "error",
) -> Findings:
    """The findings document (schema `consentry/findings/1`) of one check."""
    found = reconcile(inventory, declarations, source=source, lines=lines, policy_text=policy_text)
    return Findings(
        schema=SCHEMA,
        artifact=ArtifactRef(
            path=inventory.artifact.path,
            sha256=inventory.artifact.sha256,
            package=inventory.app.package,
            version_name=inventory.app.version_name,
            version_code=inventory.app.version_code,
        ),
        declarations=DeclarationsRef(
            source=source, app=declarations.app.id, policy_version=declarations.policy.version
        ),
        summary=summarize(found, fail_on),  # type: ignore[arg-type]
        findings=found,
    )


__all__ = ["SCHEMA", "Finding", "Findings", "Rule", "findings_for", "load_rules", "reconcile", "summarize"]

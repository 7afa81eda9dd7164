"""The pre-release gate: scan, reconcile, summarize; against a declarations file or the registry."""

from __future__ import annotations

from pathlib import Path

from manifests.declarations import DeclarationsError, load_declarations
from manifests.safe_yaml import node_lines
from scanners import Inventory, ScanError, scan

from .reconcile import Findings, findings_for


class CheckError(Exception):
    """Bad input to the gate: each problem is reported against `source`."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: {'; '.join(problems)}")
        self.source = source
        self.problems = problems


def run_check(
    artifact: Path, declarations_file: Path | None, policy_file: Path | None, fail_on: str, registry_app: str | None
) -> Findings:
    inventory = _scan(artifact)
    policy_text = _policy_text(policy_file) if policy_file else None
    if registry_app:
        return _check_in_registry(inventory, registry_app, policy_text, fail_on)
    assert declarations_file is not None
    try:
        declarations = load_declarations(declarations_file)
    except DeclarationsError as error:
        raise CheckError(error.source, error.problems) from None
    lines = node_lines(declarations_file.read_text(encoding="utf-8", errors="replace"))
    return findings_for(
        inventory, declarations, source=str(declarations_file), lines=lines, policy_text=policy_text, fail_on=fail_on
    )


def _scan(artifact: Path) -> Inventory:
    try:
        return scan(artifact)
    except ScanError as error:
        raise CheckError(str(artifact), [str(error)]) from None


def _policy_text(path: Path) -> str:
    from manifests.policy_text import PolicyTextError, read_policy_text

    try:
        return read_policy_text(path)
    except PolicyTextError as error:
        raise CheckError(str(path), [str(error)]) from None


def _check_in_registry(inventory: Inventory, app_id: str, policy_text: str | None, fail_on: str) -> Findings:
    from .database import session, upgrade
    from .store import RegistryError, record

    upgrade()
    with session() as db:
        try:
            recorded = record(db, app_id, inventory, actor="consentry check", policy_text=policy_text, fail_on=fail_on)
        except RegistryError as error:
            raise CheckError(app_id, [str(error)]) from None
    if recorded.findings is None:
        raise CheckError(app_id, ["no policy version in force to check against; publish one first"])
    return recorded.findings

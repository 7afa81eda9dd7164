"""Waivers added to, or revoked from, a published policy version after its publication. The policy's
declarations stay as published; the reconciler applies the waivers that are not revoked."""

from __future__ import annotations

import datetime

import msgspec
from sqlmodel import Session

from manifests.declarations import Waiver as DeclaredWaiver

from .models import PolicyVersion, Waiver
from .reconcile import load_rules
from .store import audit


class WaiverError(Exception):
    """A waiver that cannot be added or revoked as asked; `path` names the field at fault, if one is."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


def add_waiver(session: Session, version: PolicyVersion, waiver: DeclaredWaiver, actor: str) -> Waiver:
    if waiver.rule not in load_rules():
        raise WaiverError(f"unknown rule {waiver.rule!r}; one of {', '.join(sorted(load_rules()))}", "rule")
    row = Waiver(policy_version_id=version.id, source="api", created_by=actor, **msgspec.structs.asdict(waiver))
    session.add(row)
    session.flush()
    detail = {"policy_version": version.number, "rule": waiver.rule, "subject": waiver.subject}
    audit(session, actor, "waiver.add", version.app_id, f"waiver:{row.id}", {**detail, "expires": waiver.expires})
    session.commit()
    session.refresh(row)
    return row


def revoke_waiver(session: Session, row: Waiver, app_id: str, actor: str) -> Waiver:
    if row.revoked_at is not None:
        raise WaiverError(f"waiver {row.id} was already revoked by {row.revoked_by}")
    row.revoked_at = datetime.datetime.now(datetime.UTC)
    row.revoked_by = actor
    session.add(row)
    audit(session, actor, "waiver.revoke", app_id, f"waiver:{row.id}", {"rule": row.rule, "subject": row.subject})
    session.commit()
    session.refresh(row)
    return row

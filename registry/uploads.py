"""An uploaded artifact stored as a release: scanned with the command line's limits, reconciled against
the policy in force, keyed by sha256 (the same bytes again are the same release, and are not rescanned)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec
from sqlmodel import Session, select

from scanners import Limits, ScanError, scan

from .models import Release
from .store import record

RELEASE_KINDS = ("apk", "split-apks", "aab")
"""What a release is: a build that installs (libraries, manifests and dependency lists are not)."""


class UploadRejected(Exception):
    """An upload that is not a readable Android build."""


@dataclass(frozen=True)
class StoredUpload:
    release: Release
    created: bool


def store_upload(
    session: Session, app_id: str, path: Path, filename: str, sha256: str, actor: str, limits: Limits
) -> StoredUpload:
    existing = session.exec(select(Release).where(Release.app_id == app_id, Release.sha256 == sha256)).first()
    if existing is not None:
        return StoredUpload(existing, created=False)
    try:
        inventory = scan(path, limits)
    except ScanError as error:
        raise UploadRejected(f"{filename}: {error}") from None
    if inventory.artifact.kind not in RELEASE_KINDS:
        raise UploadRejected(
            f"{filename}: a {inventory.artifact.kind} file is not a release; upload an APK, a split APK set or an AAB"
        )
    named = msgspec.structs.replace(inventory, artifact=msgspec.structs.replace(inventory.artifact, path=filename))
    recorded = record(session, app_id, named, actor)
    return StoredUpload(recorded.release, recorded.created)

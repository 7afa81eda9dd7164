"""Read an artifact of any supported kind into its raw contents, told apart by content, not by name."""

from __future__ import annotations

import hashlib
import re
import stat
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from . import dex, gradle
from .container import Container, ReadBudget
from .errors import ScanError
from .inventory import ArtifactKind, MavenLibrary
from .limits import Limits
from .manifest import ManifestFacts, is_binary_xml, looks_like_text_xml, read_manifest, read_protobuf_manifest

MANIFEST = "AndroidManifest.xml"
BUNDLE_MANIFEST = "base/manifest/AndroidManifest.xml"
BUNDLE_MODULE_MANIFEST = re.compile(r"([^/]+)/manifest/AndroidManifest\.xml")
# Where a bundle module's folders go in the APK that bundletool builds from it (the others, assets/
# and res/, hold nothing the scanner reads).
BUNDLE_FOLDERS_IN_APK = (("dex/", ""), ("root/", ""), ("lib/", "lib/"))
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ROOT_DEX = re.compile(r"classes\d*\.dex")
NATIVE_LIB = re.compile(r"(?:lib|jni)/([^/]+)/([^/]+\.so)")
MAVEN_VERSION_FILE = re.compile(r"META-INF/([^/_]+)_([^/]+)\.version")
MAX_VERSION_FILE = 256
HASH_CHUNK = 1024 * 1024


@dataclass
class Contents:
    """Everything read from one artifact, before the catalog explains any of it."""

    kind: ArtifactKind
    sha256: str
    size: int
    manifests: list[ManifestFacts] = field(default_factory=list)
    packages: Counter[str] = field(default_factory=Counter)
    """Java package -> number of classes defined in it (dex or .class files)."""
    dex_files: int = 0
    classes: int = 0
    native_libs: dict[str, set[str]] = field(default_factory=dict)
    """Library file name -> ABIs that ship it."""
    maven: dict[tuple[str, str], str | None] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)

    def add_classes(self, names: list[str]) -> None:
        self.classes += len(names)
        self.packages.update(name.rpartition(".")[0] for name in names)

    def maven_libraries(self) -> tuple[MavenLibrary, ...]:
        return tuple(
            MavenLibrary(group=group, artifact=artifact, version=version)
            for (group, artifact), version in sorted(self.maven.items())
        )


def read_artifact(path: Path, limits: Limits) -> Contents:
    size = _checked_size(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
            sha256 = _sha256(handle)
            if head.startswith(ZIP_MAGICS):
                handle.seek(0)
                return _read_zip(Container(handle, ReadBudget(limits)), sha256, size)
    except OSError as error:
        raise ScanError(f"cannot read: {error.strerror or error}") from None
    return _read_single_file(path, head, sha256, size, limits)


def _checked_size(path: Path) -> int:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScanError("no such file") from None
    except OSError as error:
        raise ScanError(f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScanError("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ScanError("not a regular file")
    if info.st_size == 0:
        raise ScanError("empty file")
    return info.st_size


def _sha256(handle: BinaryIO) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _read_single_file(path: Path, head: bytes, sha256: str, size: int, limits: Limits) -> Contents:
    if dex.is_dex(head):
        kind: ArtifactKind = "dex"
        max_size = limits.max_entry_size
    elif is_binary_xml(head):
        kind, max_size = "manifest-binary", limits.max_manifest_size
    elif looks_like_text_xml(head):
        kind, max_size = "manifest-text", limits.max_manifest_size
    elif gradle_kind := gradle.detect(_peek(path, gradle.DETECT_WINDOW)):
        return _read_gradle_list(path, gradle_kind, sha256, size)
    else:
        raise ScanError(
            "not an Android artifact (no APK, split set, AAR, JAR, dex, AndroidManifest.xml or Gradle dependency list)"
        )
    if size > max_size:
        raise ScanError(f"{size} bytes, more than the limit of {max_size} for a {kind} file")
    data = path.read_bytes()
    contents = Contents(kind=kind, sha256=sha256, size=size)
    if kind == "dex":
        contents.dex_files = 1
        contents.add_classes(dex.class_names(data))
    else:
        contents.manifests.append(read_manifest(data, limits))
    return contents


def _peek(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as error:
        raise ScanError(f"cannot read: {error.strerror or error}") from None


def _read_gradle_list(path: Path, kind: gradle.GradleKind, sha256: str, size: int) -> Contents:
    """`gradle dependencies` output, a gradle.lockfile or a libs.versions.toml: Maven coordinates only."""
    if size > gradle.MAX_SIZE:
        raise ScanError(f"{size} bytes, more than the limit of {gradle.MAX_SIZE} for a {kind} file")
    contents = Contents(kind=kind, sha256=sha256, size=size)
    for group, artifact, version in gradle.parse(kind, gradle.decode(path.read_bytes())):
        contents.maven[(group, artifact)] = version
    return contents


def _read_zip(container: Container, sha256: str, size: int) -> Contents:
    manifest = _manifest_bytes(container) if MANIFEST in container else None
    kind = _zip_kind(container, manifest)
    contents = Contents(kind=kind, sha256=sha256, size=size)
    if kind == "split-apks":
        _read_split_set(container, contents)
    elif kind == "jar":
        _read_jar(container, contents)
    elif kind == "aab":
        _read_bundle(container, contents)
    else:
        _add_manifest(manifest, container, contents)  # type: ignore[arg-type]  # apk and aar have one
        _read_code_and_libraries(container, contents)
        if kind == "aar":
            _read_aar_jars(container, contents)
    return contents


def _zip_kind(container: Container, manifest: bytes | None) -> ArtifactKind:
    names = container.names()
    if manifest is not None:
        # An AAR's manifest is plain text and its code sits in classes.jar; an APK's manifest is binary.
        return "aar" if "classes.jar" in container or not is_binary_xml(manifest) else "apk"
    if BUNDLE_MANIFEST in container:
        return "aab"
    if any(name.lower().endswith(".apk") for name in names):
        return "split-apks"
    if any(name.endswith(".class") or ROOT_DEX.fullmatch(name) for name in names):
        return "jar"
    raise ScanError("zip archive without AndroidManifest.xml, APKs, dex or class files: not an Android artifact")


def _read_apk(container: Container, contents: Contents) -> None:
    if MANIFEST not in container:
        raise ScanError("APK without AndroidManifest.xml")
    _add_manifest(_manifest_bytes(container), container, contents)
    _read_code_and_libraries(container, contents)


def _manifest_bytes(container: Container) -> bytes:
    with _within(MANIFEST):
        return container.read(MANIFEST, container.limits.max_manifest_size)


def _add_manifest(data: bytes, container: Container, contents: Contents) -> None:
    with _within(MANIFEST):
        contents.manifests.append(read_manifest(data, container.limits))


def _read_code_and_libraries(container: Container, contents: Contents) -> None:
    for name in container.names():
        _read_member(container, name, name, contents)


def _read_member(container: Container, name: str, apk_path: str, contents: Contents) -> None:
    """Read entry `name` if it is code, a native library or a version file where an APK holds it
    (`apk_path`: the entry's name in an APK, its path in the APK that a bundle module becomes)."""
    if ROOT_DEX.fullmatch(apk_path):
        _read_dex(container, name, contents)
    elif match := NATIVE_LIB.fullmatch(apk_path):
        abi, library = match.groups()
        contents.native_libs.setdefault(library, set()).add(abi)
    elif match := MAVEN_VERSION_FILE.fullmatch(apk_path):
        version = container.read(name, MAX_VERSION_FILE).decode("utf-8", "replace").strip()
        contents.maven[match.groups()] = version or None


def _read_dex(container: Container, name: str, contents: Contents) -> None:
    contents.dex_files += 1
    if contents.dex_files > container.limits.max_dex_files:
        raise ScanError(f"more than {container.limits.max_dex_files} dex files")
    with _within(name):
        contents.add_classes(dex.class_names(container.read(name)))


def _read_jar(container: Container, contents: Contents) -> None:
    class_files = [
        name[: -len(".class")].replace("/", ".")
        for name in container.names()
        if name.endswith(".class") and not name.startswith("META-INF/") and not name.endswith("module-info.class")
    ]
    contents.add_classes(class_files)
    _read_code_and_libraries(container, contents)


def _read_aar_jars(container: Container, contents: Contents) -> None:
    for name in container.names():
        if name == "classes.jar" or (name.startswith("libs/") and name.endswith(".jar")):
            contents.parts.append(name)
            with _within(name):
                _read_jar(container.nested(name), contents)


def _read_split_set(container: Container, contents: Contents) -> None:
    for name in container.names():
        if not name.lower().endswith(".apk"):
            continue
        contents.parts.append(name)
        with _within(name):
            _read_apk(container.nested(name), contents)
    # The base APK's manifest names the app; config and feature splits carry a split="" attribute.
    contents.manifests.sort(key=lambda facts: facts.app.split is not None)


def _read_bundle(container: Container, contents: Contents) -> None:
    """An App Bundle: every module's protobuf manifest (base first, as for a split set) and files."""
    modules = _bundle_modules(container)
    for module in modules:
        manifest = f"{module}/manifest/AndroidManifest.xml"
        contents.parts.append(module)
        with _within(manifest):
            data = container.read(manifest, container.limits.max_manifest_size)
            contents.manifests.append(read_protobuf_manifest(data, container.limits))
    for name in container.names():
        module, _, path = name.partition("/")
        if module in modules and (apk_path := _apk_path(path)):
            _read_member(container, name, apk_path, contents)


def _bundle_modules(container: Container) -> list[str]:
    """Top-level folders with a manifest (bundletool refuses a module without one), base first."""
    names = (match.group(1) for name in container.names() if (match := BUNDLE_MODULE_MANIFEST.fullmatch(name)))
    return sorted(names, key=lambda module: (module != "base", module))


def _apk_path(module_path: str) -> str | None:
    for folder, in_apk in BUNDLE_FOLDERS_IN_APK:
        if module_path.startswith(folder):
            return in_apk + module_path[len(folder) :]
    return None


@contextmanager
def _within(name: str) -> Iterator[None]:
    """Prefix errors raised while reading a member with the member's name."""
    try:
        yield
    except ScanError as error:
        raise ScanError(f"{name}: {error}") from None

"""AndroidManifest.xml, binary (AXML), plain text or protobuf (App Bundle), to the facts the inventory reports.

Binary XML is decoded by pyaxmlparser's AXML printer; plain text by lxml with entity expansion,
DTD loading and network access off; an App Bundle's protobuf XML by `protobuf_xml`.
"""

from __future__ import annotations

import logging
import struct

from lxml import etree

from .axml_printer import load_axml_printer
from .errors import ScanError
from .inventory import App, Component, DeclaredPermission, Queries, QueryIntent, Struct
from .limits import Limits
from .protobuf_xml import xml_node_to_element

ANDROID_NS = "http://schemas.android.com/apk/res/android"
AXML_FILE_TYPE = 0x0003
AXML_STRING_POOL_TYPE = 0x0001
COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")
# Android made android:exported explicit for components with intent filters from API 31; before
# that, and for providers before API 17, the platform applied these defaults.
PROVIDER_EXPORTED_UNTIL_SDK = 16

# android:protectionLevel as aapt compiles it: a base level in the low nibble, flags above it
# (frameworks/base core/java/android/content/pm/PermissionInfo.java).
PROTECTION_BASES = ("normal", "dangerous", "signature", "signatureOrSystem", "internal")
PROTECTION_FLAGS = (
    (0x10, "privileged"),
    (0x20, "development"),
    (0x40, "appop"),
    (0x80, "pre23"),
    (0x100, "installer"),
    (0x200, "verifier"),
    (0x400, "preinstalled"),
    (0x800, "setup"),
    (0x1000, "instant"),
    (0x2000, "runtime"),
    (0x4000, "oem"),
    (0x8000, "vendorPrivileged"),
    (0x10000, "textClassifier"),
    (0x40000, "incidentReportApprover"),
    (0x80000, "appPredictor"),
    (0x200000, "companion"),
    (0x400000, "retailDemo"),
    (0x800000, "recents"),
    (0x1000000, "role"),
    (0x2000000, "knownSigner"),
    (0x4000000, "module"),
)

logging.getLogger("pyaxmlparser").setLevel(logging.CRITICAL + 1)

_TEXT_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


class RequestedPermission(Struct):
    name: str
    max_sdk_version: int | None = None
    sdk23: bool = False


class ManifestFacts(Struct):
    app: App
    requested_permissions: tuple[RequestedPermission, ...] = ()
    declared_permissions: tuple[DeclaredPermission, ...] = ()
    components: tuple[Component, ...] = ()
    meta_data: tuple[str, ...] = ()
    queries: Queries = Queries()


def is_binary_xml(data: bytes) -> bool:
    """An AXML file chunk, or (as packers write it and Android accepts) any 8-byte header followed
    by a string pool."""
    if len(data) < 12:
        return False
    chunk_type, header_size = struct.unpack_from("<HH", data)
    string_pool_follows = struct.unpack_from("<H", data, 8)[0] == AXML_STRING_POOL_TYPE
    return chunk_type == AXML_FILE_TYPE or (header_size == 8 and string_pool_follows)


def looks_like_text_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<manifest", b"<!--"))


def read_manifest(data: bytes, limits: Limits) -> ManifestFacts:
    """Parse either form of AndroidManifest.xml."""
    _check_size(data, limits)
    return _manifest_facts(_binary_root(data, limits) if is_binary_xml(data) else _text_root(data))


def read_protobuf_manifest(data: bytes, limits: Limits) -> ManifestFacts:
    """Parse an App Bundle module's manifest, an `aapt.pb.XmlNode` (nothing in it tells it apart from
    other bytes, so the caller knows it by its place in the bundle)."""
    _check_size(data, limits)
    return _manifest_facts(xml_node_to_element(data))


def _check_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_manifest_size:
        raise ScanError(f"manifest of {len(data)} bytes, more than the limit of {limits.max_manifest_size}")


def _manifest_facts(root: etree._Element) -> ManifestFacts:
    if _local(root.tag) != "manifest":
        raise ScanError(f"root element is <{_local(root.tag)}>, not <manifest>")
    return _facts(root)


def _binary_root(data: bytes, limits: Limits) -> etree._Element:
    _check_string_pool(data, limits)
    try:
        printer = load_axml_printer()(data)
        root = printer.get_xml_obj()
    except (ScanError, MemoryError):
        raise
    except Exception as error:  # pyaxmlparser raises anything from struct.error to IndexError
        raise ScanError(f"malformed binary XML: {error or type(error).__name__}") from None
    if root is None:
        raise ScanError("malformed binary XML: no element could be read")
    return root


def _check_string_pool(data: bytes, limits: Limits) -> None:
    """Refuse string pools that claim more strings than the limit or than their chunk can hold."""
    if len(data) < 28:
        raise ScanError("binary XML shorter than its header")
    chunk_type, header_size, chunk_size, string_count = struct.unpack_from("<HHII", data, 8)
    if chunk_type != AXML_STRING_POOL_TYPE:
        return  # pyaxmlparser searches for the pool itself and reports what it cannot find
    if string_count > limits.max_string_pool:
        raise ScanError(f"binary XML string pool of {string_count} strings, more than {limits.max_string_pool}")
    if string_count * 4 > chunk_size or header_size > chunk_size:
        raise ScanError("binary XML string pool larger than its chunk")


def _text_root(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, parser=_TEXT_PARSER)
    except etree.XMLSyntaxError as error:
        raise ScanError(f"malformed XML: {error}") from None


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _attr(element: etree._Element, name: str) -> str | None:
    """android:NAME, or NAME in whatever namespace a malformed manifest put it."""
    value = element.get(f"{{{ANDROID_NS}}}{name}")
    if value is not None:
        return value
    for key, candidate in element.attrib.items():
        if key == name or key.endswith(f"}}{name}"):
            return candidate
    return None


def _int_attr(element: etree._Element, name: str) -> int | None:
    value = _attr(element, name)
    if value is None:
        return None
    try:
        return int(value, 0)
    except ValueError:
        return None


def _children(element: etree._Element, tag: str) -> list[etree._Element]:
    return [child for child in element if _local(child.tag) == tag]


def _facts(root: etree._Element) -> ManifestFacts:
    package = root.get("package")
    uses_sdk = next(iter(_children(root, "uses-sdk")), None)
    min_sdk = _int_attr(uses_sdk, "minSdkVersion") if uses_sdk is not None else None
    target_sdk = _int_attr(uses_sdk, "targetSdkVersion") if uses_sdk is not None else None
    app = App(
        package=package,
        version_name=_attr(root, "versionName"),
        version_code=_int_attr(root, "versionCode"),
        min_sdk=min_sdk,
        # Android treats a missing targetSdkVersion as equal to minSdkVersion.
        target_sdk=target_sdk if target_sdk is not None else min_sdk,
        split=root.get("split"),
    )
    application = next(iter(_children(root, "application")), None)
    return ManifestFacts(
        app=app,
        requested_permissions=_requested_permissions(root),
        declared_permissions=tuple(
            DeclaredPermission(name=name, protection_level=_protection_level(_attr(element, "protectionLevel")))
            for element in _children(root, "permission")
            if (name := _attr(element, "name"))
        ),
        components=_components(application, package, app.target_sdk) if application is not None else (),
        meta_data=_meta_data_names(root),
        queries=_queries(root),
    )


def _protection_level(value: str | None) -> str | None:
    """`signature|privileged` whether the manifest wrote it as text or aapt compiled it to a number."""
    if value is None:
        return None
    try:
        number = int(value, 0)
    except ValueError:
        return value
    base = number & 0xF
    names = [PROTECTION_BASES[base] if base < len(PROTECTION_BASES) else hex(base)]
    names += [name for flag, name in PROTECTION_FLAGS if number & flag]
    return "|".join(names)


def _requested_permissions(root: etree._Element) -> tuple[RequestedPermission, ...]:
    requested: dict[str, RequestedPermission] = {}
    for tag, sdk23 in (("uses-permission", False), ("uses-permission-sdk-23", True)):
        for element in _children(root, tag):
            name = _attr(element, "name")
            if name and name not in requested:
                requested[name] = RequestedPermission(
                    name=name, max_sdk_version=_int_attr(element, "maxSdkVersion"), sdk23=sdk23
                )
    return tuple(requested.values())


def _full_class_name(name: str, package: str | None) -> str:
    if package and (name.startswith(".") or "." not in name):
        return f"{package}.{name.lstrip('.')}"
    return name


def _components(application: etree._Element, package: str | None, target_sdk: int | None) -> tuple[Component, ...]:
    components = []
    for element in application:
        kind = _local(element.tag)
        name = _attr(element, "name")
        if kind not in COMPONENT_TAGS or not name:
            continue
        target = _attr(element, "targetActivity")
        components.append(
            Component(
                kind=kind,  # type: ignore[arg-type]  # checked against COMPONENT_TAGS above
                name=_full_class_name(name, package),
                exported=_exported(element, kind, target_sdk),
                target=_full_class_name(target, package) if target else None,
            )
        )
    return tuple(components)


def _exported(element: etree._Element, kind: str, target_sdk: int | None) -> bool:
    explicit = _attr(element, "exported")
    if explicit is not None:
        return explicit.lower() == "true"
    if kind == "provider":
        return target_sdk is not None and target_sdk <= PROVIDER_EXPORTED_UNTIL_SDK
    return bool(_children(element, "intent-filter"))


def _meta_data_names(root: etree._Element) -> tuple[str, ...]:
    names = dict.fromkeys(
        name for element in root.iter() if _local(element.tag) == "meta-data" and (name := _attr(element, "name"))
    )
    return tuple(names)


def _queries(root: etree._Element) -> Queries:
    packages: list[str] = []
    intents: list[QueryIntent] = []
    providers: list[str] = []
    for queries in _children(root, "queries"):
        for element in queries:
            tag = _local(element.tag)
            if tag == "package" and (name := _attr(element, "name")):
                packages.append(name)
            elif tag == "provider" and (authorities := _attr(element, "authorities")):
                providers.extend(authority for authority in authorities.split(";") if authority)
            elif tag == "intent":
                intents.append(_query_intent(element))
    return Queries(packages=tuple(dict.fromkeys(packages)), intents=tuple(intents), providers=tuple(providers))


def _query_intent(intent: etree._Element) -> QueryIntent:
    def values(tag: str, attribute: str) -> tuple[str, ...]:
        return tuple(value for child in _children(intent, tag) if (value := _attr(child, attribute)))

    return QueryIntent(
        actions=values("action", "name"),
        categories=values("category", "name"),
        schemes=values("data", "scheme"),
        mime_types=values("data", "mimeType"),
    )

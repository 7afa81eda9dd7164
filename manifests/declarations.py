"""Declarations: what an app's privacy policy declares (schema `consentry/declarations/1`).

Loaded from `privacy.yaml` (YAML or JSON), validated against `schema/declarations.schema.json`, then
checked against the catalogs. Every problem is reported with its path (`sdks[3].purpose: required`).
"""

from __future__ import annotations

import datetime
import difflib
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from .data_item_catalog import load_data_items
from .permission_catalog import load_permission_catalog
from .sdk_catalog import load_sdk_catalog

if TYPE_CHECKING:
    import jsonschema

SCHEMA = "consentry/declarations/1"
SCHEMA_FILE = Path(__file__).parent / "schema" / "declarations.schema.json"
MAX_SIZE = 5 * 1024 * 1024
"""A real policy's declarations are tens of kilobytes; anything this large is a mistake or an attack."""
PLATFORM_NAMESPACE = "android."

# The types below carry the JSON Schema's constraints too, so that a valid document is accepted by
# msgspec alone; jsonschema (slow to import) runs only to explain a document that fails
# (`tests/test_declarations.py` holds the two to the same verdicts).
LegalBasis = Literal[
    "consent", "separate_consent", "contract", "legal_obligation", "vital_interests", "public_interest",
    "legitimate_interests",
]  # fmt: skip
Platform = Literal["android", "ios", "harmonyos", "web", "mini-program"]
Id = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, msgspec.Meta(min_length=1)]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://")]
Package = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")]
PermissionName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_${}]+)+$")]
Rule = Literal[
    "sdk.undeclared", "sdk.not-in-build", "sdk.incomplete", "sdk.data-underdeclared", "permission.undeclared",
    "permission.not-requested", "permission.no-purpose", "consent.separate-required", "policy.text-missing",
    "waiver.expired",
]  # fmt: skip


class Struct(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


class AppInfo(Struct):
    id: Id
    name: Text
    package: Package
    platforms: tuple[Platform, ...] = ()


class PolicyInfo(Struct):
    version: Text
    effective_date: datetime.date
    url: Url | None = None
    languages: tuple[Literal["zh", "en"], ...] = ()


class DeclaredSdk(Struct, kw_only=True):
    sdk: Id | None = None
    name: Text | None = None
    vendor: Text | None = None
    purpose: Text
    scenario: Text | None = None
    data_items: tuple[Id, ...] = ()
    data_description: Text | None = None
    permissions: tuple[str, ...] = ()
    legal_basis: LegalBasis
    required: bool | None = None
    processing: Literal["sdk-collects", "app-transmits", "both"] | None = None
    privacy_url: Url | None = None
    platforms: tuple[Platform, ...] = ()

    @property
    def label(self) -> str:
        return self.sdk or self.name or "?"


class DeclaredPermission(Struct):
    name: PermissionName
    function: Text | None = None
    purpose: Text | None = None
    scenario: Text | None = None
    required: bool | None = None
    requested_by: tuple[Text, ...] = ()
    legal_basis: LegalBasis | None = None


class DeclaredDataItem(Struct, kw_only=True):
    item: Id
    description: Text | None = None
    purpose: Text
    scenario: Text | None = None
    legal_basis: LegalBasis | None = None


class Waiver(Struct):
    rule: Rule
    subject: Text
    reason: Text
    approver: Text
    expires: datetime.date


class Declarations(Struct):
    schema: Literal["consentry/declarations/1"]
    app: AppInfo
    policy: PolicyInfo
    sdks: tuple[DeclaredSdk, ...]
    permissions: tuple[DeclaredPermission, ...]
    data_items: tuple[DeclaredDataItem, ...] = ()
    waivers: tuple[Waiver, ...] = ()

    def to_json(self) -> bytes:
        return msgspec.json.encode(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> Declarations:
        return parse_declarations(data if isinstance(data, bytes) else data.encode(), "declarations")


class DeclarationsError(Exception):
    """Declarations that cannot be used; `problems` lists each one with its path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: {len(problems)} problem(s)")
        self.source = source
        self.problems = problems


def load_declarations(path: Path) -> Declarations:
    try:
        size = path.stat().st_size
        if size > MAX_SIZE:
            raise DeclarationsError(str(path), [f"(file): {size} bytes, more than the limit of {MAX_SIZE}"])
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeclarationsError(str(path), ["(file): no such file"]) from None
    except IsADirectoryError:
        raise DeclarationsError(str(path), ["(file): is a directory"]) from None
    except OSError as error:
        raise DeclarationsError(str(path), [f"(file): cannot read: {error.strerror}"]) from None
    return parse_declarations(data, str(path))


def parse_declarations(data: bytes, source: str) -> Declarations:
    if len(data) > MAX_SIZE:
        raise DeclarationsError(source, [f"(file): {len(data)} bytes, more than the limit of {MAX_SIZE}"])
    document = _parse_document(data, source)
    declarations = _accepted(document)
    if declarations is None:
        problems = [_describe(error) for error in _validator().iter_errors(document)]
        raise DeclarationsError(source, sorted(set(problems)) or ["(top): not valid declarations"])
    problems = _catalog_problems(declarations)
    if problems:
        raise DeclarationsError(source, problems)
    return declarations


def _parse_document(data: bytes, source: str) -> object:
    text = data.decode("utf-8", "replace")
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise DeclarationsError(source, [f"(file): not valid JSON: {error}"]) from None
    from .safe_yaml import YamlError, load_yaml

    try:
        return load_yaml(text)
    except YamlError as error:
        raise DeclarationsError(source, [f"(file): {error}"]) from None


def _accepted(document: object) -> Declarations | None:
    """The declarations, when the document meets every rule of the schema; None when it does not."""
    try:
        declarations = msgspec.convert(document, Declarations)
    except msgspec.ValidationError:
        return None
    lists = [
        declarations.app.platforms,
        declarations.policy.languages,
        *(list_ for sdk in declarations.sdks for list_ in (sdk.data_items, sdk.permissions, sdk.platforms)),
        *(permission.requested_by for permission in declarations.permissions),
    ]
    if any(len(set(values)) != len(values) for values in lists):
        return None  # the schema's uniqueItems
    if any(sdk.sdk is None and sdk.name is None for sdk in declarations.sdks):
        return None  # the schema's anyOf: a catalog id or a name
    return declarations


@cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _path(parts: object) -> str:
    text = ""
    for part in parts:  # type: ignore[attr-defined]
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "(top)"


def _describe(error: jsonschema.ValidationError) -> str:
    where = _path(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"{_path([*error.absolute_path, missing])}: required"
    if error.validator == "additionalProperties":
        return f"{where}: unknown field ({error.message.split('(')[-1].rstrip(')')})"
    if error.validator == "anyOf" and where.startswith("sdks["):
        return f"{where}: needs `sdk` (a catalog id) or `name` (the SDK's name as the policy writes it)"
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "const":
        return f"{where}: must be {error.validator_value!r}"
    return f"{where}: {error.message}"


def _nearest(name: str, choices: list[str]) -> str:
    nearest = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean {nearest[0]!r}?" if nearest else ""


def _catalog_problems(declarations: Declarations) -> list[str]:
    sdk_ids = [entry.id for entry in load_sdk_catalog()]
    known_sdks = set(sdk_ids)
    data_items = list(load_data_items())
    platform = load_permission_catalog()
    problems = []

    def check_permission(where: str, name: str) -> None:
        if name.startswith(PLATFORM_NAMESPACE) and name not in platform:
            problems.append(f"{where}: {name!r} is not an Android platform permission{_nearest(name, list(platform))}")

    def check_item(where: str, item: str) -> None:
        if item not in data_items:
            problems.append(f"{where}: unknown data item {item!r}{_nearest(item, data_items)}")

    for index, sdk in enumerate(declarations.sdks):
        where = f"sdks[{index}]"
        if sdk.sdk and sdk.sdk not in known_sdks:
            problems.append(f"{where}.sdk: unknown catalog id {sdk.sdk!r}{_nearest(sdk.sdk, sdk_ids)}")
        for position, item in enumerate(sdk.data_items):
            check_item(f"{where}.data_items[{position}]", item)
        for position, name in enumerate(sdk.permissions):
            check_permission(f"{where}.permissions[{position}]", name)
    for index, permission in enumerate(declarations.permissions):
        check_permission(f"permissions[{index}].name", permission.name)
    for index, item in enumerate(declarations.data_items):
        check_item(f"data_items[{index}].item", item.item)
    return problems

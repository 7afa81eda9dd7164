"""Disclosure tables from declarations: what a privacy policy publishes, in Chinese or English.

Four tables: `sdks` (the third-party SDK list, 第三方SDK共享清单), `permissions` (权限申请与使用情况说明),
`collected` (已收集个人信息清单) and `shared` (与第三方共享个人信息清单). Catalog defaults fill what the
declarations leave out; each such cell is marked as coming from the catalog, and nothing is invented:
a fact neither gives stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .catalog_queries import known_none
from .data_item_catalog import load_data_items
from .declarations import Declarations, DeclaredSdk
from .permission_catalog import load_permission_catalog
from .sdk_catalog import SdkEntry, load_sdk_catalog

TABLES = ("sdks", "permissions", "collected", "shared")
Source = Literal["declared", "catalog", "none"]
SENSITIVE_MARK = "*"

WORDS = {
    "en": {
        "sdks": "Third-party SDKs",
        "permissions": "Permissions the app requests",
        "collected": "Personal information collected",
        "shared": "Personal information shared with third parties",
        "sdk": "SDK",
        "vendor": "Third party",
        "purpose": "Purpose",
        "scenario": "Scenario",
        "data": "Personal information collected",
        "sdk_permissions": "Permissions",
        "processing": "Processing",
        "privacy_url": "Privacy policy",
        "permission": "Permission",
        "identifier": "Identifier",
        "function": "Function",
        "when": "When requested",
        "required": "Required",
        "requested_by": "Requested by",
        "item": "Personal information",
        "description": "Details",
        "legal_basis": "Legal basis",
        "shared_items": "Information shared",
        "yes": "Yes",
        "no": "No (optional)",
        "app": "The app",
        "sensitive_note": "* sensitive personal information",
        "no_privacy_policy": "None (the SDK talks to no server of its provider)",
        "sdk-collects": "Collected by the SDK on the device",
        "app-transmits": "Sent by the app to the third party",
        "both": "Collected by the SDK and sent by the app",
        "consent": "Consent",
        "separate_consent": "Separate consent",
        "contract": "Necessary for a contract",
        "legal_obligation": "Legal obligation",
        "vital_interests": "Vital interests",
        "public_interest": "Public interest",
        "legitimate_interests": "Legitimate interests",
    },
    "zh": {
        "sdks": "第三方SDK共享清单",
        "permissions": "权限申请与使用情况说明",
        "collected": "已收集个人信息清单",
        "shared": "与第三方共享个人信息清单",
        "sdk": "SDK名称",
        "vendor": "第三方名称",
        "purpose": "使用目的",
        "scenario": "使用场景",
        "data": "收集个人信息类型",
        "sdk_permissions": "申请权限",
        "processing": "处理方式",
        "privacy_url": "隐私政策链接",
        "permission": "权限名称",
        "identifier": "权限标识",
        "function": "权限功能",
        "when": "申请时机",
        "required": "是否必需",
        "requested_by": "申请方",
        "item": "个人信息类型",
        "description": "个人信息字段",
        "legal_basis": "处理依据",
        "shared_items": "共享的个人信息",
        "yes": "是",
        "no": "否（可选）",
        "app": "本应用",
        "sensitive_note": "* 为敏感个人信息",
        "no_privacy_policy": "无（该SDK不连接其提供方的服务器）",
        "sdk-collects": "SDK在设备端自行收集",
        "app-transmits": "本应用传输给第三方",
        "both": "SDK自行收集并由本应用传输",
        "consent": "同意",
        "separate_consent": "单独同意",
        "contract": "订立、履行合同所必需",
        "legal_obligation": "履行法定义务所必需",
        "vital_interests": "保护生命健康和财产安全所必需",
        "public_interest": "为公共利益实施新闻报道、舆论监督等",
        "legitimate_interests": "正当利益",
    },
}


@dataclass(frozen=True)
class Cell:
    text: str
    source: Source = "declared"
    """Where the text came from: the declarations, a catalog default, or nowhere (empty)."""
    link: str | None = None


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def disclosure_tables(declarations: Declarations, lang: str = "zh", tables: tuple[str, ...] = TABLES) -> list[Table]:
    words = WORDS[lang]
    builder = _Builder(declarations, lang, words)
    build = {
        "sdks": builder.sdks,
        "permissions": builder.permissions,
        "collected": builder.collected,
        "shared": builder.shared,
    }
    return [build[table]() for table in tables]


def _cell(declared: str | None, default: str | None = None, link: bool = False) -> Cell:
    if declared:
        return Cell(declared, "declared", declared if link else None)
    if default:
        return Cell(default, "catalog", default if link else None)
    return Cell("", "none")


class _Builder:
    def __init__(self, declarations: Declarations, lang: str, words: dict[str, str]) -> None:
        self.declarations = declarations
        self.lang = lang
        self.words = words
        self.catalog = {entry.id: entry for entry in load_sdk_catalog()}
        self.items = load_data_items()
        self.platform = load_permission_catalog()

    def _localized(self, localized) -> str | None:  # type: ignore[no-untyped-def]
        other = "en" if self.lang == "zh" else "zh"
        return getattr(localized, self.lang) or getattr(localized, other)

    def _entry(self, sdk: DeclaredSdk) -> SdkEntry | None:
        return self.catalog.get(sdk.sdk) if sdk.sdk else None

    def _privacy_url(self, sdk: DeclaredSdk) -> Cell:
        entry = self._entry(sdk)
        has_none = entry is not None and not entry.privacy_policy_url and known_none(entry, "privacy_policy_url")
        if has_none and not sdk.privacy_url:
            return Cell(self.words["no_privacy_policy"], "catalog")
        return _cell(sdk.privacy_url, entry.privacy_policy_url if entry else None, link=True)

    def _sdk_name(self, sdk: DeclaredSdk) -> Cell:
        entry = self._entry(sdk)
        return _cell(sdk.name, self._localized(entry.name) if entry else None)

    def _item_names(self, item_ids: tuple[str, ...]) -> str:
        names = []
        for item_id in item_ids:
            item = self.items.get(item_id)
            name = getattr(item.name, self.lang) if item else item_id
            names.append(f"{name}{SENSITIVE_MARK}" if item and item.sensitive else name)
        return "、".join(names) if self.lang == "zh" else ", ".join(names)

    def _sdk_data(self, sdk: DeclaredSdk) -> Cell:
        if sdk.data_description:
            return Cell(sdk.data_description)
        if sdk.data_items:
            return Cell(self._item_names(sdk.data_items))
        entry = self._entry(sdk)
        default = self._item_names(tuple(i.item for i in entry.data_collected)) if entry else ""
        return _cell(None, default)

    def _permission_label(self, name: str) -> str | None:
        known = self.platform.get(name)
        return getattr(known, f"label_{self.lang}") if known else None

    def _sdk_permissions(self, sdk: DeclaredSdk) -> Cell:
        entry = self._entry(sdk)
        declared = sdk.permissions
        default = (*entry.permissions.required, *entry.permissions.optional) if entry else ()
        names = declared or default
        separator = "、" if self.lang == "zh" else ", "
        text = separator.join(self._permission_label(name) or name for name in names)
        return Cell(text, "declared" if declared else ("catalog" if names else "none"))

    def sdks(self) -> Table:
        w = self.words
        rows = []
        for sdk in self.declarations.sdks:
            entry = self._entry(sdk)
            rows.append(
                (
                    self._sdk_name(sdk),
                    _cell(sdk.vendor, self._localized(entry.vendor) if entry else None),
                    _cell(sdk.purpose, self._localized(entry.purpose) if entry else None),
                    _cell(sdk.scenario),
                    self._sdk_data(sdk),
                    self._sdk_permissions(sdk),
                    _cell(w[sdk.processing] if sdk.processing else None),
                    self._privacy_url(sdk),
                )
            )
        columns = ("sdk", "vendor", "purpose", "scenario", "data", "sdk_permissions", "processing", "privacy_url")
        return Table("sdks", w["sdks"], tuple(w[c] for c in columns), tuple(rows), (w["sensitive_note"],))

    def permissions(self) -> Table:
        w = self.words
        rows = []
        for permission in self.declarations.permissions:
            by = [w["app"] if who == "app" else self._requester(who) for who in permission.requested_by]
            required = None if permission.required is None else w["yes" if permission.required else "no"]
            rows.append(
                (
                    _cell(self._permission_label(permission.name) or permission.function),
                    Cell(permission.name),
                    _cell(permission.function),
                    _cell(permission.purpose),
                    _cell(permission.scenario),
                    _cell(required),
                    _cell(("、" if self.lang == "zh" else ", ").join(by)),
                )
            )
        columns = ("permission", "identifier", "function", "purpose", "when", "required", "requested_by")
        return Table("permissions", w["permissions"], tuple(w[c] for c in columns), tuple(rows))

    def _requester(self, who: str) -> str:
        entry = self.catalog.get(who)
        return (self._localized(entry.name) or who) if entry else who

    def collected(self) -> Table:
        w = self.words
        rows = tuple(
            (
                Cell(self._item_names((item.item,))),
                _cell(item.description),
                _cell(item.purpose),
                _cell(item.scenario),
                _cell(w[item.legal_basis] if item.legal_basis else None),
            )
            for item in self.declarations.data_items
        )
        columns = ("item", "description", "purpose", "scenario", "legal_basis")
        return Table("collected", w["collected"], tuple(w[c] for c in columns), rows, (w["sensitive_note"],))

    def shared(self) -> Table:
        w = self.words
        rows = []
        for sdk in self.declarations.sdks:
            entry = self._entry(sdk)
            rows.append(
                (
                    _cell(sdk.vendor, self._localized(entry.vendor) if entry else None),
                    self._sdk_name(sdk),
                    self._sdk_data(sdk),
                    _cell(sdk.purpose, self._localized(entry.purpose) if entry else None),
                    _cell(w[sdk.processing] if sdk.processing else None),
                    _cell(w[sdk.legal_basis]),
                    self._privacy_url(sdk),
                )
            )
        columns = ("vendor", "sdk", "shared_items", "purpose", "processing", "legal_basis", "privacy_url")
        return Table("shared", w["shared"], tuple(w[c] for c in columns), tuple(rows), (w["sensitive_note"],))

"""Draft declarations from a published privacy policy: its third-party SDK list and its permission table.

Policies publish these lists in many layouts: Markdown tables (`consentry disclose --format markdown`
among them, in English or Chinese), HTML tables (read as Markdown tables by `read_policy_text(path,
tables=True)`), `|`-ended cells one per line (numbered blocks, or a header over a `---|---|` line), and
field lists (`SDK名称：… 使用目的：… 隐私政策链接：…`). Every row becomes a record of named fields, and
every record a declared SDK, permission or data item, with the policy's words kept as written. A cell
that says exactly what the catalog says anyway (an SDK's vendor, privacy URL, permissions or data; a
permission's label) is left out, so that import → disclose → import gives the same declarations.
Whatever cannot be placed is reported with its line, never dropped.

Pure: text in, `ImportResult` out; `draft_from_import` writes the commented YAML draft.
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache

from .catalog_queries import resolve_name
from .data_item_catalog import load_data_items
from .declarations import PLATFORM_NAMESPACE, SCHEMA
from .disclosure import SENSITIVE_MARK, WORDS
from .draft import TODO, line, scalar
from .names import folded
from .permission_catalog import load_permission_catalog
from .sdk_catalog import SdkEntry, load_sdk_catalog

LEGAL_BASES = (
    "consent", "separate_consent", "contract", "legal_obligation", "vital_interests", "public_interest",
    "legitimate_interests",
)  # fmt: skip
PROCESSING = ("sdk-collects", "app-transmits", "both")

# The column or field each of disclose's own words names.
WORD_FIELDS = {
    "sdk": "name", "vendor": "vendor", "purpose": "purpose", "scenario": "scenario", "data": "data",
    "sdk_permissions": "permissions", "processing": "processing", "privacy_url": "privacy_url",
    "permission": "label", "identifier": "identifier", "function": "function", "when": "scenario",
    "required": "required", "requested_by": "requested_by", "item": "item", "description": "description",
    "legal_basis": "legal_basis", "shared_items": "shared_data",
}  # fmt: skip

# More ways real policies head a column or label a field, by the field they name.
EXTRA_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("SDK名称", "SDK名字", "第三方SDK名称", "第三方SDK", "SDK", "插件名称", "组件名称", "名称", "SDK name",
             "Name of SDK", "Name of the SDK", "Third-party SDK", "Third party SDK", "Name"),
    "vendor": ("第三方名称", "第三方公司名称", "第三方主体", "第三方主体名称", "公司名称", "提供方", "SDK提供方",
               "SDK提供方名称", "提供方名称", "所属公司", "开发者", "开发者名称", "合作方", "合作方名称", "运营方",
               "共享对象", "接收方", "Third-party name", "Third party name", "Vendor", "Provider", "Company",
               "Company name", "Developer"),
    "purpose": ("使用目的", "使用用途", "用途", "目的", "SDK用途", "共享目的", "处理目的", "Purpose of use",
                "Purposes", "Purpose of processing"),
    "feature": ("功能", "功能说明", "功能描述", "Feature", "Features", "Description"),
    "scenario": ("使用场景", "场景", "调用场景", "应用场景", "使用时机", "调用时机", "Usage scenario", "Use scenario",
                 "Scenes to be used", "When used"),
    "data": ("收集个人信息类型", "收集个人信息的类型", "收集的个人信息", "收集个人信息", "收集信息类型", "收集的信息",
             "收集信息", "收集个人信息字段", "涉及个人信息", "涉及的个人信息", "处理的个人信息", "收集数据类型",
             "收集的数据", "个人信息范围", "Personal information collected", "Information collected",
             "Data collected", "Collected information", "Personal data collected",
             "Involving the scope of personal information"),
    "shared_data": ("共享的个人信息", "共享个人信息类型", "共享个人信息", "共享信息", "共享的信息",
                    "Information shared", "Personal information shared", "Shared information"),
    "permissions": ("申请权限", "所需权限", "涉及权限", "使用权限", "调用权限", "申请的权限", "SDK权限", "Permissions",
                    "Permissions requested", "Required permissions", "Get permission"),
    "processing": ("处理方式", "共享方式", "Processing", "Sharing method"),
    "privacy_url": ("隐私政策链接", "隐私政策地址", "隐私政策", "隐私权政策链接", "隐私权政策", "隐私协议", "隐私链接",
                    "第三方隐私政策", "第三方隐私政策链接", "SDK隐私政策链接", "SDK隐私政策", "第三方个人信息处理规则",
                    "Privacy policy", "Privacy policy link", "Privacy policy URL", "Privacy address",
                    "Privacy agreement", "Privacy link"),
    "legal_basis": ("处理依据", "法律依据", "合法性基础", "Legal basis"),
    "required": ("是否必需", "是否必要", "是否必须", "是否必选", "Required", "Mandatory"),
    "label": ("权限名称", "权限", "系统权限", "Permission name", "Authority name", "Android permission"),
    "identifier": ("权限标识", "权限标识符", "权限代码", "Permission identifier"),
    "function": ("权限功能", "权限描述", "权限说明", "Function"),
    "requested_by": ("申请方", "调用方", "Requested by"),
    "item": ("个人信息类型", "个人信息", "信息类型", "Personal information", "Type of personal information"),
    "description": ("个人信息字段", "Details"),
    "number": ("序号", "编号", "No.", "No", "#"),
}  # fmt: skip
# Too common in running text to mark a field in a field list (they still head table columns).
NOT_LIST_LABELS = frozenset(
    folded(word)
    for word in ("Name", "Company", "Developer", "Description", "Function", "Details", "Required", "Mandatory",
                 "Feature", "Features", "Personal information", "Purposes", "序号", "编号", "No.", "No", "#")
)  # fmt: skip
# Labels that some policies run into a cell's text without a colon.
INLINE_LABELS = {
    "purpose": ("Purpose of use",),
    "scenario": ("scenes to be used",),
    "data": ("Involving the scope of personal information",),
    "permissions": ("Get permission",),
    "privacy_url": ("Privacy address", "Privacy agreement"),
}
SDK_FIELDS = ("name", "vendor", "purpose", "scenario", "data", "permissions", "processing", "privacy_url",
              "legal_basis", "required")  # fmt: skip

# `android.permission.X`, `android.permission.health.X`, `Manifest.permission.X`, and other namespaces'
# (`org.simalliance.openmobileapi.SMARTCARD`).
PERMISSION_NAME = re.compile(
    r"\b(?:[A-Za-z][\w]*\.)+permission\.(?:[a-z][a-z0-9_]*\.)*[A-Za-z0-9_]+"
    r"|\b[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)+\.[A-Z][A-Z0-9_]+\b"
)
BARE_PERMISSION = re.compile(r"(?<![\w.])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?![\w.])")
INSTALLED_APPS_CALL = re.compile(r"\b(?:PackageManager\s*\.\s*)?(?:getInstalledPackages|getInstalledApplications)\b")
URL = re.compile(r"https?://[^\s<>\"'，。；、）)】\]]+")
# Policies write "无", "None", "N/A" or a dash where an SDK (an on-device library) has no privacy policy.
NO_URL_CELL = re.compile(r"(?i)^\s*(?:无|暂无|不适用|none\b|n/a\b|not applicable\b|[-/\u2014\u2013]+\s*$)")
NUMBER_CELL = re.compile(r"^\s*[(（]?\d{1,3}[)）.、]?\s*$")
SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
NUMBERING = re.compile(
    r"^\s*(?:\d{1,3}(?:\.\d{1,3})+[.、)）]?|\d{1,3}[.、)）]|[(（][\d一二三四五六七八九十]{1,3}[)）]|[①-⑳]|[-*•·])\s*"
)
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
# A heading over a whole list, not one SDK's name.
SECTION_HEADING = re.compile(r"(?i)第三方|third[- ]party|清单|目录|列表|附录|\blist\b|\bsdks\b|说明|instructions")
PLATFORMS = r"(?:android|ios|安卓|苹果|harmonyos|鸿蒙)"
PLATFORM_LINE = re.compile(rf"(?i)^\s*{PLATFORMS}(?:\s*[、,，/&和及]\s*{PLATFORMS})*\s*[:：]?\s*$")
PLATFORM_MARK = re.compile(r"[\[【]([^\]】]{1,40})[\]】]")
SDK_SECTION = re.compile(r"(?i)sdk|third[- ]party|第三方")
PERMISSION_SECTION = re.compile(r"(?i)permission|authorit|权限")
SEPARATORS = re.compile(r"[,，、;；/\uff0f]")
PERMISSION_NOISE = re.compile(
    r"(?i)\b(?:required|optional|necessary)\s+permissions?\b|必要权限|可选权限|必需权限|非必要权限|必选权限|\betc\.?|等"
)
TRAILING = "；;，,、 \t"
LIST_PUNCTUATION = ",，、;；/:：()（）[]【】|"
# Data item names that, in running text, are more often part of another phrase ("SSID name", "through
# GPS, Bluetooth or Wi-Fi signals") than the item itself.
COMMON_WORDS = frozenset(
    ("name", "address", "audio", "voice", "video", "images", "pictures", "bluetooth", "documents", "diagnostics")
)

DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
EFFECTIVE_LABEL = re.compile(
    r"(?i)effective\s+date|date\s+of\s+effect|effective\s+(?:on|from|as\s+of)|生效日期|生效时间|施行日期"
)
EFFECTIVE_AFTER = re.compile(DATE + r"\s*起?\s*(?:正式)?\s*(?:生效|施行)")
UPDATED_LABEL = re.compile(
    r"(?i)update\s+date|updated\s+on|last\s+updated|\bupdated(?=\s*[:：])|更新日期|更新时间|最近更新|最后更新"
)
VERSION_LABEL = re.compile(r"(?im)^\W*(?:policy\s+version|version|政策版本|版本号|版本)\s*[:：]\s*([Vv]?\d[\w.\-]*)")


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class ImportedSdk:
    line: int
    written: str
    """The SDK's name as the policy writes it."""
    sdk: str | None = None
    name: str | None = None
    """Kept when it is not the catalog's own name (always, for an SDK the catalog does not know)."""
    vendor: str | None = None
    purpose: str | None = None
    scenario: str | None = None
    data_items: tuple[str, ...] = ()
    data_description: str | None = None
    permissions: tuple[str, ...] = ()
    invalid_permissions: tuple[str, ...] = ()
    """`android.*` names that Android does not define: kept in the draft, commented out."""
    permission_text: str | None = None
    unrecognised_permissions: tuple[str, ...] = ()
    legal_basis: str | None = None
    """As the policy states it; None when it does not."""
    required: bool | None = None
    processing: str | None = None
    privacy_url: str | None = None


@dataclass(frozen=True)
class ImportedPermission:
    line: int
    name: str
    function: str | None = None
    purpose: str | None = None
    scenario: str | None = None
    required: bool | None = None
    requested_by: tuple[str, ...] = ()
    legal_basis: str | None = None
    platform: bool = True
    """False for an `android.*` name that Android does not define (kept in the draft, commented out)."""


@dataclass(frozen=True)
class ImportedDataItem:
    line: int
    item: str
    description: str | None = None
    purpose: str | None = None
    scenario: str | None = None
    legal_basis: str | None = None
    written: str | None = None
    """What the policy wrote in place of a data item name (an API call in a permission table)."""


@dataclass(frozen=True)
class Unplaced:
    line: int
    what: str
    text: str
    reason: str
    other_platform: bool = False
    """A row for iOS only: not an error, but not part of the Android declarations either."""


@dataclass(frozen=True)
class PolicyFacts:
    version: str | None = None
    effective_date: datetime.date | None = None
    updated: datetime.date | None = None


@dataclass(frozen=True)
class ImportResult:
    lang: str
    policy: PolicyFacts
    sdks: tuple[ImportedSdk, ...]
    permissions: tuple[ImportedPermission, ...]
    data_items: tuple[ImportedDataItem, ...]
    unplaced: tuple[Unplaced, ...]
    problems: tuple[Problem, ...]


@dataclass
class _Record:
    kind: str
    """sdk, shared (an SDK list with legal basis: disclose's shared table), permission or collected."""
    fields: dict[str, str]
    line: int
    raw: str
    platform: str | None = None
    columns: frozenset[str] = frozenset()
    """The fields the record's table has columns for (empty for field lists)."""


@dataclass
class _Reading:
    records: list[_Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


# --- entry point --------------------------------------------------------------------------------------


def import_policy(text: str, lang: str | None = None) -> ImportResult:
    """Read the SDK list, the permission table and the data items they name from a policy's text."""
    reading = _Reader(text.splitlines()).read()
    placer = _Placer(reading)
    placer.place()
    return ImportResult(
        lang=lang or detect_lang(text),
        policy=policy_facts(text),
        sdks=tuple(placer.sdks),
        permissions=tuple(placer.permissions),
        data_items=tuple(placer.data_items),
        unplaced=tuple(reading.unplaced),
        problems=tuple(sorted(reading.problems, key=lambda problem: problem.line)),
    )


def detect_lang(text: str) -> str:
    cjk = sum(1 for char in text if "\u4e00" <= char <= "\u9fff")
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return "zh" if cjk * 3 > latin else "en"


# --- vocabulary lookups -------------------------------------------------------------------------------


def _key(text: str) -> str:
    return folded(text).strip(":：*").removesuffix("(s)")


@cache
def _field_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for lang in WORDS:
        for word_key, name in WORD_FIELDS.items():
            words.setdefault(_key(WORDS[lang][word_key]), name)
    for name, extras in EXTRA_WORDS.items():
        for word in extras:
            words.setdefault(_key(word), name)
    for name, inline in INLINE_LABELS.items():
        for word in inline:
            words.setdefault(_key(word), name)
    return words


def _header_field(text: str) -> str | None:
    return _field_words().get(_key(_clean_cell(text)))


def _loose(word: str) -> str:
    return r"\s*".join(re.escape(part) for part in word.split())


@cache
def _label_pattern(inline: bool) -> re.Pattern[str]:
    listed = sorted((w for w in _field_words() if w not in NOT_LIST_LABELS), key=len, reverse=True)
    originals = {_key(w): w for words in EXTRA_WORDS.values() for w in words}
    for lang in WORDS:
        originals.update({_key(WORDS[lang][k]): WORDS[lang][k] for k in WORD_FIELDS})
    alternation = "|".join(_loose(originals.get(w, w)) for w in listed)
    pattern = rf"(?<![^\s；;，,。.、:：|)）\]】*])(?P<label>{alternation})\s*\**\s*[:：]"
    if inline:
        words = sorted((w for ws in INLINE_LABELS.values() for w in ws), key=len, reverse=True)
        pattern = rf"{pattern}|(?<!\w)(?P<inline>{'|'.join(_loose(w) for w in words)})(?!\w)\s*[:：]?"
    return re.compile(pattern, re.IGNORECASE)


def _split_labels(text: str, inline: bool = False) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first field label, and each (field, value) after it."""
    matches = list(_label_pattern(inline).finditer(text))
    if not matches:
        return text.strip(), []
    pairs = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        label = match.group("label") or match.group("inline") or ""
        pairs.append((_field_words()[_key(label)], _tidy(text[match.end() : end])))
    return text[: matches[0].start()].strip(), pairs


def _tidy(value: str) -> str:
    return " ".join(value.split()).strip(TRAILING)


def _clean_cell(text: str) -> str:
    text = text.strip().replace("**", "").replace("__", "")
    link = re.fullmatch(r"<(https?://[^>\s]+)>", text)
    return link.group(1) if link else text


# --- reading the text into records --------------------------------------------------------------------


def _split_pipes(text: str) -> list[str]:
    """`|`-separated parts, `\\|` being a pipe inside a part (as disclose writes it)."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _row_cells(text: str) -> list[str]:
    """A Markdown table row's cells."""
    parts = _split_pipes(text.strip())
    if text.strip().startswith("|"):
        parts = parts[1:]
    if text.strip().endswith("|") and parts:
        parts = parts[:-1]
    return [part.strip() for part in parts]


def _stream_cells(text: str) -> list[str]:
    """The cells of a line in a `|`-ended layout: every `|` ends one (`||` is two empty cells)."""
    return [part.strip() for part in _split_pipes(text.rstrip())[:-1]]


def _is_markdown_table(lines: list[str], index: int) -> bool:
    if index + 1 >= len(lines) or "|" not in lines[index] or not SEPARATOR.match(lines[index + 1]):
        return False
    if "|" not in lines[index + 1]:
        return False
    width = len(_row_cells(lines[index]))
    return width == len(_row_cells(lines[index + 1])) and (width > 1 or lines[index].lstrip().startswith("|"))


def _platform_of(text: str) -> str | None:
    words = text.casefold()
    android = "android" in words or "安卓" in words
    other = any(word in words for word in ("ios", "苹果", "harmonyos", "鸿蒙"))
    if android:
        return "android"
    return "other" if other else None


class _Reader:
    """Walks the lines once: tables and `|` layouts become records; the rest feeds the field-list reader."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.reading = _Reading()
        self.context: str | None = None
        self.platform: str | None = None
        self.fields = _FieldListReader(self.reading, self)

    def read(self) -> _Reading:
        index = 0
        while index < len(self.lines):
            if _is_markdown_table(self.lines, index):
                index = self._markdown_table(index)
            elif self.lines[index].rstrip().endswith("|"):
                index = self._pipe_run(index)
            else:
                self._text_line(index)
                index += 1
        self.fields.close()
        return self.reading

    def _text_line(self, index: int) -> None:
        text = self.lines[index].strip()
        if PLATFORM_LINE.match(text):
            self.platform = _platform_of(text)
        elif (
            text
            and (len(text) <= 80 or MARKDOWN_HEADING.match(text))
            and not text.endswith(("。", "；", ";"))
            and not _split_labels(text)[1]
        ):
            self._heading(text)
        self.fields.feed(index)

    def _heading(self, text: str) -> None:
        sdk, permission = bool(SDK_SECTION.search(text)), bool(PERMISSION_SECTION.search(text))
        if sdk != permission:
            self.context = "sdk" if sdk else "permission"
            self.platform = None
        elif MARKDOWN_HEADING.match(text):
            self.context, self.platform = None, None

    def _markdown_table(self, index: int) -> int:
        self.fields.close()
        header = _row_cells(self.lines[index])
        rows, end = [], index + 2
        while end < len(self.lines) and "|" in self.lines[end] and self.lines[end].strip():
            if not SEPARATOR.match(self.lines[end]):
                rows.append((end + 1, _row_cells(self.lines[end])))
            end += 1
        self._table(header, rows, index + 1)
        return end

    def _pipe_run(self, index: int) -> int:
        self.fields.close()
        end = index
        cells: list[tuple[int, str]] = []
        separators: list[tuple[int, int]] = []  # (position in cells, width)
        lines_cells = []
        while end < len(self.lines) and self.lines[end].rstrip().endswith("|"):
            text = self.lines[end]
            if SEPARATOR.match(text):
                separators.append((len(cells), len(_row_cells(text))))
            else:
                parts = _stream_cells(text)
                lines_cells.append((end + 1, parts))
                cells += [(end + 1, part) for part in parts]
            end += 1
        if separators:
            self._headed_stream(cells, separators)
        elif len(lines_cells) > 1 and len({len(parts) for _, parts in lines_cells}) == 1 and len(lines_cells[0][1]) > 1:
            header = lines_cells[0][1]
            if sum(_header_field(cell) is not None for cell in header) >= 2:
                self._table(header, lines_cells[1:], lines_cells[0][0])
            else:
                self._numbered(cells)
        else:
            self._numbered(cells)
        return end

    def _headed_stream(self, cells: list[tuple[int, str]], separators: list[tuple[int, int]]) -> None:
        bounds = [*separators, (len(cells), 0)]
        consumed = 0
        for (position, width), (next_position, next_width) in itertools.pairwise(bounds):
            start = position - width
            self._leftover(cells[consumed : max(start, consumed)])
            header = [text for _, text in cells[max(start, 0) : position]]
            stop = next_position - next_width if next_width else next_position
            body = cells[position:stop]
            rows = [body[i : i + width] for i in range(0, len(body), width)]
            if rows and len(rows[-1]) < width:
                self._leftover(rows.pop())
            at = cells[position - 1][0] if position else (rows[0][0][0] if rows else 0)
            self._table(header, [(row[0][0], [text for _, text in row]) for row in rows], at)
            consumed = stop

    def _numbered(self, cells: list[tuple[int, str]]) -> None:
        rows: list[list[tuple[int, str]]] = []
        for number, text in cells:
            if NUMBER_CELL.match(text) or not rows:
                rows.append([])
            rows[-1].append((number, text))
        for row in rows:
            if not NUMBER_CELL.match(row[0][1]):
                self._leftover(row)
            else:
                self._numbered_row(row)

    def _numbered_row(self, row: list[tuple[int, str]]) -> None:
        texts = [text for _, text in row[1:]]
        kind = self.context or _guess_kind(texts)
        number = row[0][0]
        raw = " | ".join(text for _, text in row)
        if kind == "permission":
            values = {"label": texts[0] if texts else ""}
            if len(texts) == 2:
                values["purpose"] = texts[1]
            elif len(texts) > 2:
                values.update(function=texts[1], purpose=" ".join(texts[2:]))
            self._record(_Record("permission", values, number, raw, self.platform))
        elif kind == "sdk" and texts:
            values = {"name": texts[0]}
            lead, pairs = _split_labels(" ".join(texts[1:]), inline=True)
            values.update(dict(pairs))
            if lead and "purpose" not in values:
                values["purpose"] = lead
            elif lead:
                self.reading.problems.append(
                    Problem(number, f"text before the row's first field not read: {_quote(lead)}")
                )
            self._record(_Record("sdk", values, number, raw, self.platform))
        else:
            self._leftover(row, "a numbered row outside any SDK list or permission table")

    def _leftover(self, cells: list[tuple[int, str]], reason: str = "cells outside any table row") -> None:
        if any(text for _, text in cells):
            text = " | ".join(text for _, text in cells)
            self.reading.unplaced.append(Unplaced(cells[0][0], "row", text, reason))
            self.reading.problems.append(Problem(cells[0][0], f"not read, {reason}: {_quote(text)}"))

    def _table(self, header: list[str], rows: list[tuple[int, list[str]]], line_number: int) -> None:
        fields = [_header_field(text) for text in header]
        kind = _table_kind(fields, [cells for _, cells in rows], self.context)
        if kind is None:
            self._unknown_table(header, rows)
            return
        if kind in ("sdk", "shared", "permission"):
            self.context = "sdk" if kind == "shared" else kind
        fields = _first_of_each([_kind_field(kind, name) for name in fields])
        unread = [text for text, name in zip(header, fields, strict=False) if name is None and text.strip()]
        if unread:
            names = ", ".join(_quote(text) for text in unread)
            self.reading.problems.append(Problem(line_number, f"column(s) not read: {names}"))
        columns = frozenset(name for name in fields if name)
        for number, cells in rows:
            values: dict[str, str] = {}
            for name, cell in zip(fields, cells, strict=False):
                text = _clean_cell(cell)
                if name and text and name not in values:
                    values[name] = text
            if any(cell.strip() for cell in cells):
                raw = " | ".join(cells).rstrip(" |")
                self._record(_Record(kind, values, number, raw, self.platform, columns))

    def _unknown_table(self, header: list[str], rows: list[tuple[int, list[str]]]) -> None:
        """A table that is no SDK list or permission table: ignored, except rows that name a catalog SDK or
        a permission (its columns were not recognised), which are reported."""
        for number, cells in rows:
            texts = [_clean_cell(cell) for cell in cells]
            if any(PERMISSION_NAME.search(text) or _folded_name(text) in _sdk_name_index() for text in texts):
                reason = f"a table whose columns are not recognised: {' | '.join(header)}"
                self.reading.unplaced.append(Unplaced(number, "row", " | ".join(texts), reason))
                self.reading.problems.append(Problem(number, f"not read, {reason}: {_quote(' | '.join(texts))}"))

    def _record(self, record: _Record) -> None:
        if record.platform == "other":
            what = "permission" if record.kind == "permission" else "SDK"
            reason = f"an iOS-only {what} row; the declarations describe the Android app"
            self.reading.unplaced.append(Unplaced(record.line, record.kind, record.raw, reason, other_platform=True))
            self.reading.problems.append(Problem(record.line, f"not imported: {reason}: {_quote(record.raw)}"))
            return
        self.reading.records.append(record)


def _first_of_each(fields: list[str | None]) -> list[str | None]:
    """The columns' fields, None for a column whose field an earlier column already gives."""
    seen: set[str] = set()
    out: list[str | None] = []
    for name in fields:
        out.append(None if name in seen or name is None else name)
        if name and name != "number":
            seen.add(name)
    return out


def _guess_kind(texts: list[str]) -> str | None:
    joined = " ".join(texts)
    if PERMISSION_NAME.search(joined):
        return "permission"
    return "sdk" if texts and _resolve(texts[0])[0] else None


def _table_kind(fields: list[str | None], rows: list[list[str]], context: str | None) -> str | None:
    names = set(fields) - {None}
    if _identifier_column(fields, rows):
        return "permission"
    if "name" in names:
        return "shared" if names & {"shared_data", "legal_basis"} else "sdk"
    if names & {"identifier", "label"}:
        return "permission"
    if "item" in names and names & {"description", "purpose", "legal_basis"}:
        return "sdk" if context == "sdk" and names & {"vendor", "privacy_url"} else "collected"
    if "vendor" in names and names & {"data", "shared_data", "privacy_url", "permissions"}:
        return "sdk"
    return None


def _identifier_column(fields: list[str | None], rows: list[list[str]]) -> bool:
    """Whether a column other than an SDK's permission list holds mostly permission identifiers."""
    for column, name in enumerate(fields):
        if name in ("permissions", "requested_by"):
            continue
        values = [row[column] for row in rows if column < len(row) and row[column].strip()]
        hits = sum(bool(PERMISSION_NAME.search(v) or INSTALLED_APPS_CALL.search(v)) for v in values)
        if values and hits * 2 >= len(values):
            return True
    return False


def _kind_field(kind: str, name: str | None) -> str | None:
    if name is None:
        return None
    remap = {
        "sdk": {"item": "data", "shared_data": "data", "label": "permissions", "identifier": "permissions",
                "feature": "purpose", "description": "data"},
        "shared": {"item": "data", "shared_data": "data", "label": "permissions", "identifier": "permissions",
                   "feature": "purpose", "description": "data"},
        "permission": {"name": "label", "feature": "function", "description": "function", "permissions": "label"},
        "collected": {"data": "item", "function": "description", "feature": "description"},
    }  # fmt: skip
    return remap[kind].get(name, name)


class _FieldListReader:
    """Records written as labelled fields (`SDK名称：… 使用目的：…`), one or more to a line, each record
    under its own heading or starting again with a field the current record already has."""

    def __init__(self, reading: _Reading, reader: _Reader) -> None:
        self.reading = reading
        self.reader = reader
        self.current: _Record | None = None
        self.heading: tuple[int, str] | None = None
        self.last: str | None = None

    def feed(self, index: int) -> None:
        text = self.reader.lines[index].replace("**", "").strip()
        if not text:
            self.close()
            return
        lead, pairs = _split_labels(text)
        if pairs:
            self._labelled(index, lead, pairs, text)
        elif self.current is not None and self.last and self._continues(index, text):
            value = self.current.fields.get(self.last, "")
            self.current.fields[self.last] = _join(value, _tidy(text))
            self.current.raw = f"{self.current.raw} {text}".strip()
        else:
            self.close()
            name = _heading_name(text)
            heads = len(text) <= 60 and not SECTION_HEADING.search(name) and self._next_is_labelled(index)
            self.heading = (index + 1, name) if heads else None

    def _continues(self, index: int, text: str) -> bool:
        """Whether a line without labels goes on with the last field's value (rather than heading the next
        record, or being the running text after the list)."""
        assert self.current is not None and self.last
        value = self.current.fields.get(self.last, "")
        if not value:
            return True
        if NUMBERING.match(text) or value.endswith(("。", ".", "；", ";")) or len(text) > 300:
            return False
        return not self._next_starts_record(index)

    def _labelled(self, index: int, lead: str, pairs: list[tuple[str, str]], text: str) -> None:
        name = _heading_name(lead)
        if name and len(name) <= 60:
            self.close()
            self.heading = (index + 1, name)
        elif lead and NUMBERING.match(lead):  # "（3）SDK名称：…": a numbered item starts a record
            self.close()
        for name, value in pairs:
            if self.current is None or name in self.current.fields:
                self._start(index)
            assert self.current is not None
            self.current.fields[name] = value
            self.last = name
        assert self.current is not None
        self.current.raw = f"{self.current.raw} {text}".strip()

    def _start(self, index: int) -> None:
        self.close()
        self.current = _Record("", {}, index + 1, "", self.reader.platform)
        if self.heading:
            if self.heading[1]:
                self.current.fields["heading"] = self.heading[1]
                self.current.raw = self.heading[1]
            self.current.line = self.heading[0]
            self.heading = None

    def _next_is_labelled(self, index: int) -> bool:
        for following in self.reader.lines[index + 1 : index + 3]:
            if following.strip():
                return bool(_split_labels(following.replace("**", "").strip())[1])
        return False

    def _next_starts_record(self, index: int) -> bool:
        """The line after this one repeats a field the current record has: this line heads the next."""
        assert self.current is not None
        for following in self.reader.lines[index + 1 : index + 3]:
            if following.strip():
                pairs = _split_labels(following.replace("**", "").strip())[1]
                return bool(pairs) and pairs[0][0] in self.current.fields
        return False

    def close(self) -> None:
        record, self.current, self.last = self.current, None, None
        if record is None:
            return
        kind = _list_kind(record, self.reader.context)
        if kind is None:
            if len(set(record.fields) & {"data", "shared_data", "privacy_url", "permissions", "identifier"}) >= 2:
                reason = "fields of an SDK or permission without its name"
                self.reading.unplaced.append(Unplaced(record.line, "fields", record.raw, reason))
                self.reading.problems.append(Problem(record.line, f"not placed: {reason}: {_quote(record.raw)}"))
            return
        record.kind = kind
        heading = record.fields.pop("heading", None)
        if heading:
            target = "label" if kind == "permission" else "name"
            record.fields.setdefault(target, heading)
        record.fields = {_kind_field(kind, name) or name: value for name, value in record.fields.items()}
        self.reader._record(record)


def _list_kind(record: _Record, context: str | None) -> str | None:
    names = set(record.fields) - {"heading"}
    heading = record.fields.get("heading", "")
    if names == {"name"} and _resolve(record.fields["name"])[0]:
        return "sdk"
    if len(names) < 2 and not (heading and names):
        return None
    if "identifier" in names or PERMISSION_NAME.search(heading + record.fields.get("label", "")):
        return "permission"
    if "name" in names or (names & {"vendor"} and names & {"data", "shared_data", "privacy_url", "permissions"}):
        return "sdk"
    if "label" in names:
        return "permission"
    about_sdk = bool(heading) and (_resolve(heading)[0] or "sdk" in heading.casefold() or context == "sdk")
    return "sdk" if about_sdk and names & {"purpose", "data", "privacy_url", "permissions", "vendor"} else None


def _heading_name(text: str) -> str:
    return NUMBERING.sub("", text, count=1).strip().rstrip(":：").strip()


def _join(first: str, second: str) -> str:
    if not first:
        return second
    cjk = first[-1:] >= "\u2e80" or second[:1] >= "\u2e80"
    return f"{first}{'' if cjk else ' '}{second}"


def _quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return f'"{text[: limit - 1]}…"' if len(text) > limit else f'"{text}"'


# --- recognising names --------------------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _name_pattern(name: str) -> re.Pattern[str]:
    body = r"\s*".join(re.escape(part) for part in _normal(name).split())
    start = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", _normal(name)) else ""
    end = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", _normal(name)) else ""
    return re.compile(start + body + end)


def _find_names(normal: str, names: Iterable[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """(start, end, id) of each name found in `normal` (a `_normal` text), longest names first, none
    overlapping another."""
    taken = [False] * len(normal)
    found: list[tuple[int, int, str]] = []
    for name, ident in sorted(names, key=lambda pair: len(pair[0]), reverse=True):
        if _normal(name).split()[0] not in normal:
            continue
        for match in _name_pattern(name).finditer(normal):
            if match.end() > match.start() and not any(taken[match.start() : match.end()]):
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                found.append((match.start(), match.end(), ident))
    return sorted(found)


@cache
def _item_names(running_text: bool = False) -> tuple[tuple[str, str], ...]:
    """(name or alias, id) of every data item; in running text, without the names that are common words."""
    pairs = []
    for item in load_data_items().values():
        for name in (item.name.en, item.name.zh, *item.aliases):
            if name and not (running_text and folded(name) in COMMON_WORDS):
                pairs.append((name, item.id))
    return tuple(pairs)


def data_items_in(text: str) -> tuple[str, ...]:
    """The data items `text` names (through their names and aliases), in the order it names them."""
    found = _find_names(_normal(_without_other_platforms(text)), _item_names(running_text=True))
    return tuple(dict.fromkeys(ident for _, _, ident in found))


def _without_other_platforms(text: str) -> str:
    """`text` without the parts marked as for iOS only (`[iOS] …` up to the next `[…]` mark)."""
    parts, last, keep = [], 0, True
    for match in PLATFORM_MARK.finditer(text):
        if keep:
            parts.append(text[last : match.start()])
        keep = _platform_of(match.group(1)) != "other"
        last = match.end()
    if keep:
        parts.append(text[last:])
    return " ".join(parts)


@cache
def _permission_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for permission in load_permission_catalog().values():
        for label in (permission.label_en, permission.label_zh):
            if label:
                labels.setdefault(folded(label), permission.name)
    return labels


def _identifier_spans(text: str) -> list[tuple[int, int, str]]:
    """Permission names written out in `text`: `android.permission.X`, `Manifest.permission.X`, and bare
    `X` where `android.permission.X` is an Android permission."""
    platform = load_permission_catalog()
    spans = []
    for match in PERMISSION_NAME.finditer(text):
        name = match.group(0)
        if name.startswith("Manifest.permission."):
            name = f"{PLATFORM_NAMESPACE}permission.{name.rsplit('.', 1)[1]}"
        spans.append((match.start(), match.end(), name))
    masked = _masked(text, spans)
    for match in BARE_PERMISSION.finditer(masked):
        name = f"{PLATFORM_NAMESPACE}permission.{match.group(0)}"
        if name in platform and ("_" in match.group(0) or _listed_alone(masked, match.start(), match.end())):
            spans.append((match.start(), match.end(), name))
    return sorted(spans)


def _listed_alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands alone in a list (`CAMERA、INTERNET`), not inside words (`Use NFC`)."""
    before, after = text[:start].rstrip(), text[end:].lstrip()
    return (not before or before[-1] in LIST_PUNCTUATION) and (not after or after[0] in LIST_PUNCTUATION)


def _identifiers(text: str) -> list[str]:
    return list(dict.fromkeys(name for _, _, name in _identifier_spans(text)))


def _masked(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    for start, end, _ in sorted(spans, reverse=True):
        text = f"{text[:start]}{',' * (end - start)}{text[end:]}"
    return text


def permissions_in(text: str) -> tuple[list[str], list[str]]:
    """The permissions a cell names (identifiers and `en`/`zh` labels), and the words it could not place."""
    text = _without_other_platforms(text)
    spans = _identifier_spans(text)
    normal = _normal(_masked(text, spans))
    labels = _find_names(normal, _label_items())
    names = [name for _, _, name in sorted([*spans, *labels])]
    rest = PERMISSION_NOISE.sub(",", _masked(normal, labels))
    leftover = [word.strip(" ()（）[]【】.。:：") for word in SEPARATORS.split(rest)]
    noise = {"", "权限", "permission", "permissions", "android", "等"}
    return list(dict.fromkeys(names)), [word for word in leftover if word not in noise]


@cache
def _label_items() -> tuple[tuple[str, str], ...]:
    pairs = []
    for permission in load_permission_catalog().values():
        for label in (permission.label_en, permission.label_zh):
            if label:
                pairs.append((label, permission.name))
    return tuple(pairs)


def _permission_by_label(text: str) -> list[str]:
    exact = _permission_labels().get(folded(text))
    if exact:
        return [exact]
    trimmed = re.sub(r"(?i)\s*(权限|permissions?)$", "", text.strip())
    exact = _permission_labels().get(folded(trimmed))
    return [exact] if exact else []


def _sdk_candidates(written: str) -> list[str]:
    text = _heading_name(written.replace("**", ""))
    text = re.sub(r"(?i)^purpose\s+of\s+us(?:e|ing)\s+(?:the\s+)?", "", text)
    text = re.sub(r"(?i)\s+purpose$", "", text).strip().rstrip(":：").strip()
    candidates = [text, re.sub(r"^\d{1,3}\s+", "", text)]  # "1 微信SDK", but also "360加固保"
    match = re.match(r"(?i)^(?:the\s+)?sdk\s+of\s+(.+)$", text)
    if match:
        candidates.append(match.group(1))
    match = re.match(r"^(.*?)\s*[（(]([^）)]*)[）)]\s*(.*)$", text)
    if match:
        candidates += [f"{match.group(1)} {match.group(3)}".strip(), match.group(2).strip()]
    return [candidate for candidate in dict.fromkeys(candidates) if candidate]


def _folded_name(text: str) -> str:
    name = folded(text)
    return name.removesuffix("sdk") or name


@cache
def _sdk_name_index() -> frozenset[str]:
    """Every catalog name and alias, folded as `resolve_name` compares them."""
    return frozenset(
        _folded_name(name)
        for entry in load_sdk_catalog()
        for name in (entry.id, entry.name.en, entry.name.zh, *entry.aliases)
        if name
    )


@cache
def _sdk_names() -> tuple[tuple[str, str], ...]:
    pairs = []
    for entry in load_sdk_catalog():
        for name in (entry.name.en, entry.name.zh, *entry.aliases):
            if name and len(folded(name)) >= 3:
                pairs.append((name, entry.id))
    return tuple(pairs)


def _resolve(written: str) -> tuple[SdkEntry | None, str]:
    """The catalog entry a written SDK name means, and the name as kept (numbering and labels removed)."""
    candidates = _sdk_candidates(written)
    kept = candidates[0] if candidates else written.strip()
    catalog = load_sdk_catalog()
    for candidate in candidates:
        entry = resolve_name(catalog, candidate)
        if entry:
            return entry, kept
    found = _find_names(_normal(kept), _sdk_names())
    ids = {ident for _, _, ident in found}
    if len(ids) == 1:
        return next(entry for entry in catalog if entry.id in ids), kept
    return None, kept


# --- placing records ----------------------------------------------------------------------------------


@cache
def _legal_words() -> dict[str, str]:
    words = {f"{lang}:{key}": WORDS[lang][key] for lang in WORDS for key in LEGAL_BASES}
    table = {folded(text): key.split(":", 1)[1] for key, text in words.items()}
    table.update({folded(key.replace("_", " ")): key for key in LEGAL_BASES})
    table.update({folded(key): key for key in LEGAL_BASES})
    table.update({folded(text): key for text, key in (("个人同意", "consent"), ("用户同意", "consent"))})
    return table


@cache
def _processing_words() -> dict[str, str]:
    table = {folded(WORDS[lang][key]): key for lang in WORDS for key in PROCESSING}
    table.update({key: key for key in PROCESSING})
    return table


@cache
def _yes_no() -> dict[str, bool]:
    table = {folded(WORDS[lang]["yes"]): True for lang in WORDS}
    table.update({folded(WORDS[lang]["no"]): False for lang in WORDS})
    table.update({word: True for word in ("是", "yes", "必需", "必要", "必须", "必选", "required", "mandatory")})
    table.update({word: False for word in ("否", "no", "可选", "非必需", "非必要", "optional")})
    return table


@cache
def _app_words() -> frozenset[str]:
    return frozenset({folded(WORDS[lang]["app"]) for lang in WORDS} | {"app", "本app", "应用本身", "本产品", "我们"})


class _Placer:
    def __init__(self, reading: _Reading) -> None:
        self.reading = reading
        self.catalog = {entry.id: entry for entry in load_sdk_catalog()}
        self.platform = load_permission_catalog()
        self.sdks: list[ImportedSdk] = []
        self.permissions: list[ImportedPermission] = []
        self.data_items: list[ImportedDataItem] = []

    def problem(self, line_number: int, message: str) -> None:
        self.reading.problems.append(Problem(line_number, message))

    def unplaced(self, record: _Record, what: str, reason: str) -> None:
        self.reading.unplaced.append(Unplaced(record.line, what, record.raw, reason))
        self.problem(record.line, f"not placed: {reason}: {_quote(record.raw)}")

    def place(self) -> None:
        shared = []
        for record in self.reading.records:
            if record.kind == "sdk":
                self._sdk(record)
            elif record.kind == "shared":
                shared.append(record)
            elif record.kind == "permission":
                self._permission(record)
            elif record.kind == "collected":
                self._collected(record)
        for record in shared:
            self._shared(record)

    # SDKs

    def _sdk(self, record: _Record) -> ImportedSdk | None:
        values = record.fields
        written = values.get("name") or values.get("vendor") or ""
        if not written:
            self.unplaced(record, "SDK row", "no SDK name")
            return None
        entry, kept = _resolve(written)
        if entry is None and set(values) <= {"name", "number"}:
            self.unplaced(record, "SDK row", "a name alone, perhaps a heading between groups of rows")
            return None
        if entry is None:
            self.problem(record.line, f"SDK {_quote(kept)} is not in the catalog: kept by its name")
        names = {folded(n) for n in (entry.name.en, entry.name.zh) if n} if entry else set()
        vendor = values.get("vendor")
        sdk = ImportedSdk(
            line=record.line,
            written=kept,
            sdk=entry.id if entry else None,
            name=None if folded(kept) in names else kept,
            vendor=None if vendor and entry and folded(vendor) in _localized(entry.vendor) else vendor,
            purpose=values.get("purpose"),
            scenario=values.get("scenario"),
            required=self._required(record),
            processing=self._word(record, "processing", _processing_words()),
            legal_basis=self._word(record, "legal_basis", _legal_words()),
            privacy_url=self._privacy_url(record, entry),
        )
        sdk = self._sdk_data(sdk, values.get("data"), entry)
        sdk = self._sdk_permissions(sdk, values.get("permissions"), entry, record.line)
        self.sdks.append(sdk)
        return sdk

    def _privacy_url(self, record: _Record, entry: SdkEntry | None) -> str | None:
        text = record.fields.get("privacy_url")
        if not text:
            return None
        match = URL.search(text)
        if not match and NO_URL_CELL.match(text):
            return None
        if not match:
            self.problem(record.line, f"no URL in the privacy-policy cell {_quote(text)}")
            return None
        url = match.group(0).rstrip(".,;:!?")
        return None if entry and url == entry.privacy_policy_url else url

    def _sdk_data(self, sdk: ImportedSdk, text: str | None, entry: SdkEntry | None) -> ImportedSdk:
        if not text or (entry and folded(text) in _catalog_data_texts(entry.id)):
            return sdk
        return replace(sdk, data_description=text, data_items=data_items_in(text))

    def _sdk_permissions(
        self, sdk: ImportedSdk, text: str | None, entry: SdkEntry | None, line_number: int
    ) -> ImportedSdk:
        if not text:
            return sdk
        names, leftover = permissions_in(text)
        invalid = tuple(n for n in names if n.startswith(PLATFORM_NAMESPACE) and n not in self.platform)
        valid = tuple(n for n in names if n not in invalid)
        for name in invalid:
            self.problem(line_number, f"{sdk.written}: {name} is not an Android platform permission (commented out)")
        if leftover:
            words = ", ".join(_quote(word, 60) for word in leftover)
            self.problem(line_number, f"{sdk.written}: permission words not recognised: {words}")
        default = set(entry.permissions.required) | set(entry.permissions.optional) if entry else set()
        if valid and set(valid) == default:
            valid = ()
        return replace(
            sdk,
            permissions=valid,
            invalid_permissions=invalid,
            permission_text=text if leftover else None,
            unrecognised_permissions=tuple(leftover),
        )

    def _shared(self, record: _Record) -> None:
        written = record.fields.get("name") or record.fields.get("vendor") or ""
        key = folded(_resolve(written)[1]) if written else ""
        for index, sdk in enumerate(self.sdks):
            if key and folded(sdk.written) == key:
                self.sdks[index] = self._merged(sdk, record)
                return
        self._sdk(record)

    def _merged(self, sdk: ImportedSdk, record: _Record) -> ImportedSdk:
        """An SDK row completed by its row in a shared-information table (legal basis, processing)."""
        entry = self.catalog.get(sdk.sdk or "")
        updates: dict[str, object] = {}
        if sdk.legal_basis is None:
            updates["legal_basis"] = self._word(record, "legal_basis", _legal_words())
        if sdk.processing is None:
            updates["processing"] = self._word(record, "processing", _processing_words())
        if sdk.purpose is None and record.fields.get("purpose"):
            updates["purpose"] = record.fields["purpose"]
        merged = replace(sdk, **updates)  # type: ignore[arg-type]
        if not sdk.data_description and not sdk.data_items:
            merged = self._sdk_data(merged, record.fields.get("data"), entry)
        return merged

    def _word(self, record: _Record, name: str, table: dict[str, str]) -> str | None:
        text = record.fields.get(name)
        if not text:
            return None
        value = table.get(folded(text))
        if value is None:
            self.problem(record.line, f"{name.replace('_', ' ')} {_quote(text)} not recognised")
        return value

    def _required(self, record: _Record) -> bool | None:
        text = record.fields.get("required")
        if not text:
            return None
        value = _yes_no().get(folded(text))
        if value is None:
            self.problem(record.line, f"required {_quote(text)} not recognised as yes or no")
        return value

    # permissions

    def _permission(self, record: _Record) -> None:
        values = record.fields
        cells = [values.get("identifier", ""), values.get("label", "")]
        names = [name for cell in cells for name in _identifiers(cell)]
        names = list(dict.fromkeys(names))
        if not names and any(INSTALLED_APPS_CALL.search(cell) for cell in cells):
            self._installed_apps(record)
            return
        if not names:
            names = _permission_by_label(values.get("label", "")) or _permission_by_label(values.get("identifier", ""))
        if not names:
            self.unplaced(record, "permission row", "no Android permission identifier or known permission label")
            return
        function = values.get("function")
        label = values.get("label")
        if function is None and label and not _identifiers(label) and "function" not in record.columns:
            function = label  # the policy's own name for the permission: what it gives access to
        for name in names:
            self._add_permission(record, name, function)

    def _add_permission(self, record: _Record, name: str, function: str | None) -> None:
        known = self.platform.get(name)
        labels = {folded(label) for label in (known.label_en, known.label_zh) if label} if known else set()
        platform = not (name.startswith(PLATFORM_NAMESPACE) and known is None)
        if not platform:
            self.problem(record.line, f"{name} is not an Android platform permission (commented out)")
        self.permissions.append(
            ImportedPermission(
                line=record.line,
                name=name,
                function=None if function and folded(function) in labels else function,
                purpose=record.fields.get("purpose"),
                scenario=record.fields.get("scenario"),
                required=self._required(record),
                requested_by=self._requested_by(record.fields.get("requested_by")),
                legal_basis=self._word(record, "legal_basis", _legal_words()),
                platform=platform,
            )
        )

    def _requested_by(self, text: str | None) -> tuple[str, ...]:
        if not text:
            return ()
        who = []
        for part in re.split(r"[、,，;；]", text):
            part = part.strip()
            if not part:
                continue
            if folded(part) in _app_words():
                who.append("app")
            else:
                entry = _resolve(part)[0]
                who.append(entry.id if entry else part)
        return tuple(dict.fromkeys(who))

    def _installed_apps(self, record: _Record) -> None:
        values = record.fields
        written = values.get("identifier") or values.get("label") or ""
        self.data_items.append(
            ImportedDataItem(
                line=record.line,
                item="installed-apps",
                description=values.get("function"),
                purpose=values.get("purpose"),
                scenario=values.get("scenario"),
                legal_basis=self._word(record, "legal_basis", _legal_words()),
                written=written,
            )
        )

    # data items

    def _collected(self, record: _Record) -> None:
        written = (record.fields.get("item") or "").rstrip(SENSITIVE_MARK).strip()
        item = _data_item(written)
        if item is None:
            self.unplaced(record, "personal-information row", f"{_quote(written)} is no known data item")
            return
        self.data_items.append(
            ImportedDataItem(
                line=record.line,
                item=item,
                description=record.fields.get("description"),
                purpose=record.fields.get("purpose"),
                scenario=record.fields.get("scenario"),
                legal_basis=self._word(record, "legal_basis", _legal_words()),
            )
        )


def _data_item(written: str) -> str | None:
    if not written:
        return None
    wanted = folded(written)
    for name, ident in _item_names():
        if folded(name) == wanted:
            return ident
    found = {ident for _, _, ident in _find_names(_normal(written), _item_names())}
    return found.pop() if len(found) == 1 else None


def _localized(localized) -> set[str]:  # type: ignore[no-untyped-def]
    return {folded(text) for text in (localized.en, localized.zh) if text}


@cache
def _catalog_data_texts(sdk_id: str) -> frozenset[str]:
    """How disclose writes an SDK's catalog data items, in each language (so an import can tell them)."""
    entry = next(entry for entry in load_sdk_catalog() if entry.id == sdk_id)
    items = load_data_items()
    texts = set()
    for lang, separator in (("en", ", "), ("zh", "、")):
        names = []
        for collected in entry.data_collected:
            item = items.get(collected.item)
            name = (getattr(item.name, lang) or collected.item) if item else collected.item
            names.append(f"{name}{SENSITIVE_MARK}" if item and item.sensitive else name)
        if names:
            texts.add(folded(separator.join(names)))
    return frozenset(texts)


# --- the policy's own facts ---------------------------------------------------------------------------


def policy_facts(text: str) -> PolicyFacts:
    version = VERSION_LABEL.search(text)
    return PolicyFacts(
        version=version.group(1) if version else None,
        effective_date=_date_after(EFFECTIVE_LABEL, text) or _date_before_effect(text),
        updated=_date_after(UPDATED_LABEL, text),
    )


def _date_after(label: re.Pattern[str], text: str) -> datetime.date | None:
    for match in label.finditer(text):
        found = _parse_date(text[match.end() : match.end() + 40])
        if found:
            return found
    return None


def _date_before_effect(text: str) -> datetime.date | None:
    match = EFFECTIVE_AFTER.search(text)
    return _valid_date(*match.groups()) if match else None


def _parse_date(text: str) -> datetime.date | None:
    text = text.lstrip(" \t:：")
    match = re.match(DATE, text)
    if match:
        return _valid_date(*match.groups())
    months = "|".join(MONTHS)
    match = re.match(rf"(?i)({months})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", text)
    if match:
        return _valid_date(match.group(3), str(MONTHS.index(match.group(1).lower()) + 1), match.group(2))
    match = re.match(rf"(?i)(\d{{1,2}})(?:st|nd|rd|th)?\s+({months}),?\s+(\d{{4}})", text)
    if match:
        return _valid_date(match.group(3), str(MONTHS.index(match.group(2).lower()) + 1), match.group(1))
    return None


def _valid_date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


# --- the draft ----------------------------------------------------------------------------------------


def draft_from_import(result: ImportResult, source: str, today: datetime.date | None = None) -> str:
    """The import as commented YAML declarations, with `TODO:` where a person must decide."""
    today = today or datetime.date.today()
    lines = [
        f"# Draft declarations made by `consentry import-policy` from {source} on {today}.",
        "# Values are the policy's own words. A cell that says what the consentry catalog says anyway (an SDK's",
        "# vendor, privacy URL, permissions or data; a permission's label) is left out: the catalog supplies it.",
        f"# Every `{TODO}` needs a person's decision before `consentry publish` accepts the file.",
    ]
    if result.problems:
        lines.append(f"# The import reported {len(result.problems)} problem(s); each is noted where it belongs below.")
    lines += _head_lines(result)
    lines += _sdks_lines(result)
    lines += _permissions_lines(result)
    lines += _data_items_lines(result)
    lines += _unplaced_lines(result)
    return "\n".join(lines) + "\n"


def _comment(indent: int, text: str) -> str:
    return f"{' ' * indent}# {' '.join(text.split())}"


def _head_lines(result: ImportResult) -> list[str]:
    facts = result.policy
    if facts.version:
        version = line(2, "version", facts.version, "as the policy states it")
    elif facts.updated:
        version = line(2, "version", facts.updated.isoformat(), f"the policy's update date; {TODO} confirm the label")
    else:
        version = line(2, "version", f"{TODO} the policy's version label")
    effective = (
        line(2, "effective_date", facts.effective_date.isoformat(), "as the policy states it")
        if facts.effective_date
        else line(2, "effective_date", f"{TODO} the date the policy takes effect (YYYY-MM-DD)")
    )
    return [
        line(0, "schema", SCHEMA),
        "app:",
        line(2, "id", f"{TODO} the app's registry id"),
        line(2, "name", f"{TODO} the app's name"),
        line(2, "package", f"{TODO} the app's package name"),
        line(2, "platforms", ["android"]),
        "policy:",
        version,
        effective,
        line(2, "languages", [result.lang]),
    ]


def _sdks_lines(result: ImportResult) -> list[str]:
    lines = ["", "# The policy's third-party SDK list.", "sdks:" if result.sdks else "sdks: []"]
    for sdk in result.sdks:
        lines += _sdk_lines(sdk)
    return lines


def _sdk_lines(sdk: ImportedSdk) -> list[str]:
    catalog = {entry.id: entry for entry in load_sdk_catalog()}
    entry = catalog.get(sdk.sdk or "")
    where = f"line {sdk.line}: {_quote(sdk.written)}"
    lines = [
        _comment(2, f"{where} = catalog {entry.id}" if entry else f"{where}: not in the catalog, declared by name")
    ]
    lines.append(line(2, "- sdk", sdk.sdk) if sdk.sdk else line(2, "- name", sdk.name))
    if sdk.sdk and sdk.name:
        lines.append(line(4, "name", sdk.name))
    if sdk.vendor:
        lines.append(line(4, "vendor", sdk.vendor))
    lines.append(_sdk_purpose(sdk, entry))
    for key in ("scenario",):
        if getattr(sdk, key):
            lines.append(line(4, key, getattr(sdk, key)))
    if sdk.data_items:
        lines.append(line(4, "data_items", list(sdk.data_items)))
    if sdk.data_description:
        lines.append(line(4, "data_description", sdk.data_description))
    lines += _sdk_permission_lines(sdk)
    lines.append(_legal_basis_line(4, sdk.legal_basis, _sensitive(sdk, entry)))
    if sdk.required is not None:
        lines.append(line(4, "required", sdk.required))
    if sdk.processing:
        lines.append(line(4, "processing", sdk.processing))
    if sdk.privacy_url:
        lines.append(line(4, "privacy_url", sdk.privacy_url))
    return lines


def _sdk_purpose(sdk: ImportedSdk, entry: SdkEntry | None) -> str:
    if sdk.purpose:
        same = entry is not None and folded(sdk.purpose) in _localized(entry.purpose)
        return line(4, "purpose", sdk.purpose, "the catalog's purpose, word for word" if same else "")
    default = (entry.purpose.en or entry.purpose.zh) if entry else None
    if default:
        return line(4, "purpose", default, f"catalog: purpose; {TODO} the policy states none")
    return line(4, "purpose", f"{TODO} what the app uses {sdk.written} for")


def _sdk_permission_lines(sdk: ImportedSdk) -> list[str]:
    lines = []
    if sdk.permissions or sdk.invalid_permissions:
        lines.append("    permissions:")
        lines += [f"      - {scalar(name)}" for name in sdk.permissions]
        lines += [
            f"      # - {scalar(name)}  # the policy lists it, but Android defines no such permission"
            for name in sdk.invalid_permissions
        ]
    if sdk.unrecognised_permissions:
        words = ", ".join(_quote(word, 60) for word in sdk.unrecognised_permissions)
        lines.append(_comment(4, f"permissions as written: {_quote(sdk.permission_text or '', 400)}"))
        lines.append(_comment(4, f"{TODO} not recognised as Android permissions: {words}"))
    return lines


def _sensitive(sdk: ImportedSdk, entry: SdkEntry | None) -> bool:
    items = load_data_items()
    platform = load_permission_catalog()
    item_ids = sdk.data_items or tuple(item.item for item in entry.data_collected) if entry else sdk.data_items
    if any(item in items and items[item].sensitive for item in item_ids):
        return True
    return any(name in platform and platform[name].sensitive for name in sdk.permissions)


def _legal_basis_line(indent: int, stated: str | None, sensitive: bool) -> str:
    if stated:
        return line(indent, "legal_basis", stated)
    basis = "separate_consent" if sensitive else "consent"
    note = "sensitive personal information, PIPL art. 29" if sensitive else "PIPL art. 13"
    return line(indent, "legal_basis", basis, f"{TODO} confirm: the policy states no legal basis ({note})")


def _permissions_lines(result: ImportResult) -> list[str]:
    lines = ["", "# The policy's permission table.", "permissions:" if result.permissions else "permissions: []"]
    for permission in result.permissions:
        body = _permission_body(permission)
        if permission.platform:
            lines += body
        else:
            lines.append(_comment(2, f"line {permission.line}: the policy lists {permission.name}, but Android"))
            lines.append(_comment(2, "defines no such permission, and the declarations loader rejects it:"))
            lines += [
                f"  # {text.lstrip()}" if text.lstrip().startswith("- ") else f"  #   {text.strip()}" for text in body
            ]
    return lines


def _permission_body(permission: ImportedPermission) -> list[str]:
    lines = [line(2, "- name", permission.name)]
    for key in ("function", "purpose", "scenario"):
        if getattr(permission, key):
            lines.append(line(4, key, getattr(permission, key)))
    if not permission.purpose:
        lines.append(_comment(4, "purpose: the policy's cell is empty (a cell merged with the row above?)"))
    if permission.required is not None:
        lines.append(line(4, "required", permission.required))
    if permission.requested_by:
        lines.append(line(4, "requested_by", list(permission.requested_by)))
    if permission.legal_basis:
        lines.append(line(4, "legal_basis", permission.legal_basis))
    return lines


def _data_items_lines(result: ImportResult) -> list[str]:
    if not result.data_items:
        return []
    lines = ["", "# Personal information the app collects, as the policy's tables name it.", "data_items:"]
    items = load_data_items()
    for data_item in result.data_items:
        if data_item.written:
            lines.append(
                _comment(2, f"line {data_item.line}: {_quote(data_item.written)} in the permission table is an API")
            )
            lines.append(_comment(2, f"call, not a permission: read as the data item {data_item.item}."))
        lines.append(line(2, "- item", data_item.item))
        for key in ("description", "purpose", "scenario"):
            value = getattr(data_item, key)
            if value:
                lines.append(line(4, key, value))
            elif key == "purpose":
                lines.append(line(4, "purpose", f"{TODO} why the app collects it"))
        sensitive = data_item.item in items and items[data_item.item].sensitive
        lines.append(_legal_basis_line(4, data_item.legal_basis, sensitive))
    return lines


def _unplaced_lines(result: ImportResult) -> list[str]:
    lines = []
    placed = [row for row in result.unplaced if not row.other_platform]
    other = [row for row in result.unplaced if row.other_platform]
    if placed:
        lines += ["", f"# {TODO} rows the import could not place: declare them above or delete these lines."]
        lines += [_comment(0, f"line {row.line}: {row.reason}: {_quote(row.text, 300)}") for row in placed]
    if other:
        lines += ["", "# Not imported: rows for iOS only (these declarations describe the Android app)."]
        lines += [_comment(0, f"line {row.line}: {_quote(row.text, 300)}") for row in other]
    return lines

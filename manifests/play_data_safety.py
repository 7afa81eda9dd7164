"""Declarations as the Google Play Data safety CSV (Play Console > App content > Data safety > Import from CSV).

The questions, response ids and labels are data (`catalog/play_data_safety.yaml`, with their sources). Google's
definitions (https://support.google.com/googleplay/android-developer/answer/10787469; summarised, not re-read when
this was written) that the answers follow:

- Collection is transmitting data off the user's device, by the app or by an SDK in it. Every declared data
  item is collected: the app-level items by the app, the SDK items by the SDK that declares them.
- Sharing is transferring collected data to a third party, that is anyone other than the developer, and that
  includes data an SDK in the app sends to its vendor. A declared SDK item is shared when the app transmits it
  to the SDK (`processing: app-transmits` or `both`), or when the SDK has a vendor that receives what it
  collects: one that publishes a privacy policy for it (declared `privacy_url` or the catalog's). A library
  with no privacy policy anywhere (ZXing: the catalog's vendor is its author) sends nothing to anyone.
  Google exempts transfers to a service provider acting on the developer's instructions; the declarations do
  not record such a contract, so the exemption is not applied and such an SDK's items show as shared.
- Purposes: an SDK's come from its catalog category (`category_purposes`) and from words in its declared
  purpose; an app-level item's from words in its declared purpose, else App functionality
  (`purpose_keywords`). Collection purposes are every source's; sharing purposes are the sharing SDKs'.
- Required or optional: required when a declared SDK with the item says `required: true`, optional when every
  source says `required: false`; app-level items carry no such fact, so a type they declare is left
  unanswered unless an SDK makes it required.

A question the declarations hold no fact for (encryption in transit, deletion requests, account creation,
ephemeral processing, and the ones above) gets no row: the CSV has no comments, a blank value is the
Console's own "not answered", and a file without those rows is accepted (a public Play CLI project reports the
Developer API taking a header plus one row; not tried here). The Console's export writes every row, the unanswered
ones with empty values, as `template=True` does. The Console asks for the missing answers before the form is saved.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import msgspec

from .data_item_catalog import load_data_items
from .declarations import Declarations, DeclaredSdk
from .sdk_catalog import SdkEntry, load_sdk_catalog

PLAY_FILE = Path(__file__).parent / "catalog" / "play_data_safety.yaml"
TRUE, FALSE = "true", "false"
DEFAULT_PURPOSE = "app-functionality"


class Struct(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class GeneralQuestion(Struct):
    question: str
    requirement: str
    label: str
    response: str = ""
    key: str | None = None


class Choice(Struct):
    id: str
    label: str
    definition: str | None = None


class Category(Struct):
    question: str
    label: str
    types: dict[str, Choice]


class UsageQuestion(Struct):
    key: str
    id: str
    requirement: str
    label: str
    responses: dict[str, Choice] = {}


class Usage(Struct):
    prefix: str
    questions: tuple[UsageQuestion, ...]


class PlayForm(Struct):
    header: tuple[str, ...]
    general: tuple[GeneralQuestion, ...]
    categories: tuple[Category, ...]
    purposes: dict[str, Choice]
    usage: Usage
    category_purposes: dict[str, tuple[str, ...]]
    purpose_keywords: dict[str, tuple[str, ...]]

    def usage_question(self, type_id: str, key: str) -> str:
        question = next(question for question in self.usage.questions if question.key == key)
        return f"{self.usage.prefix}:{type_id}:{question.id}"


class Row(msgspec.Struct, frozen=True):
    question: str
    response: str
    requirement: str
    label: str


@cache
def load_play_form(path: Path = PLAY_FILE) -> PlayForm:
    import yaml  # our own data file, which uses anchors: the C loader, aliases allowed

    return msgspec.convert(
        yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), PlayForm
    )


def template_rows(form: PlayForm) -> list[Row]:
    """Every row of the form, in the order the Console's export writes them."""
    rows = [Row(q.question, q.response, q.requirement, q.label) for q in form.general]
    for category in form.categories:
        rows += [
            Row(category.question, kind.id, "MULTIPLE_CHOICE", f"{category.label}/{kind.label}")
            for kind in category.types.values()
        ]
    for category in form.categories:
        for kind in category.types.values():
            rows += _usage_rows(form, kind)
    return rows


def _usage_rows(form: PlayForm, kind: Choice) -> list[Row]:
    rows = []
    for question in form.usage.questions:
        question_id = f"{form.usage.prefix}:{kind.id}:{question.id}"
        label = f"Data usage and handling ({kind.label})/{question.label}"
        if not question.responses:
            rows.append(Row(question_id, "", question.requirement, label))
        for response in question.responses.values():
            rows.append(Row(question_id, response.id, question.requirement, f"{label}/{response.label}"))
    return rows


@dataclass
class Disclosure:
    """What the declarations say about one Play data type, gathered over the items that map to it."""

    collected_for: set[str] = field(default_factory=set)
    shared_for: set[str] = field(default_factory=set)
    shared: bool = False
    required: list[bool | None] = field(default_factory=list)

    def add(self, purposes: set[str], shared: bool, required: bool | None) -> None:
        self.collected_for |= purposes
        if shared:
            self.shared = True
            self.shared_for |= purposes
        self.required.append(required)

    @property
    def user_control(self) -> str | None:
        """`required`, `optional`, or None when the declarations do not say."""
        if any(self.required):
            return "required"
        if all(required is False for required in self.required):
            return "optional"
        return None


def _keyword_pattern(keyword: str) -> str:
    if not keyword.isascii():
        return re.escape(keyword)
    if keyword.endswith("*"):
        return rf"\b{re.escape(keyword[:-1])}"
    return rf"\b{re.escape(keyword)}\b"


def keyword_purposes(form: PlayForm, text: str) -> set[str]:
    """The purposes whose keywords a declared purpose names."""
    return {
        purpose
        for purpose, keywords in form.purpose_keywords.items()
        if any(re.search(_keyword_pattern(keyword), text, re.IGNORECASE) for keyword in keywords)
    }


def sdk_purposes(form: PlayForm, sdk: DeclaredSdk, entry: SdkEntry | None) -> set[str]:
    implied = form.category_purposes.get(entry.category, ()) if entry else ()
    purposes = set(implied) | keyword_purposes(form, sdk.purpose)
    return purposes or {DEFAULT_PURPOSE}


def sdk_shares(sdk: DeclaredSdk, entry: SdkEntry | None) -> bool:
    """Whether what the SDK handles reaches a third party (see the module docstring)."""
    if sdk.processing in ("app-transmits", "both"):
        return True
    return bool(sdk.privacy_url or (entry and entry.privacy_policy_url))


def disclosures(declarations: Declarations, form: PlayForm) -> dict[str, Disclosure]:
    """Play data type key (`play_data_types` in data_items.yaml) -> what is declared about it."""
    items = load_data_items()
    catalog = {entry.id: entry for entry in load_sdk_catalog()}
    found: dict[str, Disclosure] = {}
    for declared in declarations.data_items:
        purposes = keyword_purposes(form, declared.purpose) or {DEFAULT_PURPOSE}
        found.setdefault(items[declared.item].play_data_type, Disclosure()).add(purposes, False, None)
    for sdk in declarations.sdks:
        entry = catalog.get(sdk.sdk) if sdk.sdk else None
        purposes, shared = sdk_purposes(form, sdk, entry), sdk_shares(sdk, entry)
        for item in sdk.data_items:
            found.setdefault(items[item].play_data_type, Disclosure()).add(purposes, shared, sdk.required)
    return found


def _collects_data(declarations: Declarations, found: dict[str, Disclosure]) -> str | None:
    if found:
        return TRUE
    if not declarations.sdks and not declarations.data_items:
        return FALSE
    return None  # SDKs declared without data items: the declarations do not say what they collect


def answers(declarations: Declarations, form: PlayForm) -> dict[tuple[str, str], str]:
    """(question id, response id) -> response value, for the questions the declarations answer."""
    found = disclosures(declarations, form)
    types = {key: (category, kind) for category in form.categories for key, kind in category.types.items()}
    unknown = sorted(set(found) - set(types))
    if unknown:
        raise ValueError(f"{PLAY_FILE.name} has no Play data type {', '.join(unknown)}")
    result: dict[tuple[str, str], str] = {}
    collects = next(q for q in form.general if q.key == "collects-data")
    if (value := _collects_data(declarations, found)) is not None:
        result[collects.question, collects.response] = value
    for key, disclosure in found.items():
        category, kind = types[key]
        result[category.question, kind.id] = TRUE
        result.update(_usage_answers(form, kind, disclosure))
    return result


def _usage_answers(form: PlayForm, kind: Choice, disclosure: Disclosure) -> dict[tuple[str, str], str]:
    responses = {question.key: question.responses for question in form.usage.questions}
    chosen = [("collection-and-sharing", "collected")]
    chosen += [("collection-and-sharing", "shared")] if disclosure.shared else []
    chosen += [("user-control", disclosure.user_control)] if disclosure.user_control else []
    chosen += [("collection-purpose", purpose) for purpose in disclosure.collected_for]
    chosen += [("sharing-purpose", purpose) for purpose in disclosure.shared_for]
    return {
        (form.usage_question(kind.id, question), responses[question][response].id): TRUE
        for question, response in chosen
    }


def write_csv(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")  # the Console's export ends lines with LF
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def play_csv(declarations: Declarations, *, template: bool = False) -> str:
    """The Data safety CSV: the rows the declarations answer, or with `template` every row of the form."""
    form = load_play_form()
    values = answers(declarations, form)
    rows = [
        (row.question, row.response, values.get((row.question, row.response), ""), row.requirement, row.label)
        for row in template_rows(form)
        if template or (row.question, row.response) in values
    ]
    return write_csv(form.header, rows)

"""`play_csv`: the FS+VIEW declarations as the Google Play Data safety CSV that Play Console imports."""

from __future__ import annotations

import csv
import io

import msgspec
import pytest
from conftest import ROOT

from manifests.data_item_catalog import load_data_item_catalog
from manifests.declarations import Declarations, DeclaredDataItem, DeclaredSdk, load_declarations
from manifests.play_data_safety import keyword_purposes, load_play_form, play_csv, template_rows
from manifests.sdk_catalog import load_sdk_catalog

# The header of Play Console's Data safety export, which its import requires as is.
PLAY_HEADER = [
    "Question ID (machine readable)",
    "Response ID (machine readable)",
    "Response value",
    "Answer requirement",
    "Human-friendly question label",
]
USAGE = "PSL_DATA_USAGE_RESPONSES"


@pytest.fixture(scope="module")
def fsview() -> Declarations:
    return load_declarations(ROOT / "examples" / "fsview" / "privacy.yaml")


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def answered(declarations: Declarations) -> dict[tuple[str, str], str]:
    """(question id, response id) -> value of every row after the header."""
    return {(row[0], row[1]): row[2] for row in parse(play_csv(declarations))[1:]}


def usage(data_type: str, question: str, response: str) -> tuple[str, str]:
    return f"{USAGE}:{data_type}:{question}", response


def collected(data_type: str) -> tuple[str, str]:
    return usage(data_type, "PSL_DATA_USAGE_COLLECTION_AND_SHARING", "PSL_DATA_USAGE_ONLY_COLLECTED")


def shared(data_type: str) -> tuple[str, str]:
    return usage(data_type, "PSL_DATA_USAGE_COLLECTION_AND_SHARING", "PSL_DATA_USAGE_ONLY_SHARED")


def collected_for(data_type: str, purpose: str) -> tuple[str, str]:
    return usage(data_type, "DATA_USAGE_COLLECTION_PURPOSE", purpose)


def shared_for(data_type: str, purpose: str) -> tuple[str, str]:
    return usage(data_type, "DATA_USAGE_SHARING_PURPOSE", purpose)


def only(fsview: Declarations, *sdks: DeclaredSdk, items: tuple[DeclaredDataItem, ...] = ()) -> Declarations:
    return msgspec.structs.replace(fsview, sdks=sdks, data_items=items)


def sdk(fsview: Declarations, sdk_id: str, **changes: object) -> DeclaredSdk:
    declared = next(declared for declared in fsview.sdks if declared.sdk == sdk_id)
    return msgspec.structs.replace(declared, **changes)


def test_header_is_plays(fsview: Declarations) -> None:
    assert parse(play_csv(fsview))[0] == PLAY_HEADER
    assert play_csv(fsview).startswith(",".join(PLAY_HEADER) + "\n")


def test_every_row_is_a_row_of_the_form(fsview: Declarations) -> None:
    form = {(row.question, row.response): row for row in template_rows(load_play_form())}
    rows = parse(play_csv(fsview))[1:]
    assert rows
    for question, response, value, requirement, label in rows:
        assert (question, response) in form
        assert (requirement, label) == (form[question, response].requirement, form[question, response].label)
        assert value in ("true", "false")


def test_csv_parses_back_to_the_same_text(fsview: Declarations) -> None:
    text = play_csv(fsview)
    rows = parse(text)
    assert all(len(row) == 5 for row in rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    assert out.getvalue() == text
    assert any("," in row[4] for row in rows)  # labels with commas survive quoting


def test_fsview_collects_data(fsview: Declarations) -> None:
    assert answered(fsview)["PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", ""] == "true"


def test_precise_location_collected_and_shared_for_advertising(fsview: Declarations) -> None:
    # Pangle and Baidu Mobads (category ads, each with a privacy policy) collect precise location;
    # the app collects it for network configuration.
    answers = answered(fsview)
    assert answers["PSL_DATA_TYPES_LOCATION", "PSL_PRECISE_LOCATION"] == "true"
    assert answers[collected("PSL_PRECISE_LOCATION")] == "true"
    assert answers[shared("PSL_PRECISE_LOCATION")] == "true"
    assert answers[shared_for("PSL_PRECISE_LOCATION", "PSL_ADVERTISING")] == "true"
    assert answers[collected_for("PSL_PRECISE_LOCATION", "PSL_APP_FUNCTIONALITY")] == "true"
    # the app's own collection is not sharing: App functionality is not a sharing purpose here
    assert shared_for("PSL_PRECISE_LOCATION", "PSL_APP_FUNCTIONALITY") not in answers


def test_device_ids_and_crash_logs_collected(fsview: Declarations) -> None:
    answers = answered(fsview)
    assert answers["PSL_DATA_TYPES_IDENTIFIERS", "PSL_DEVICE_ID"] == "true"
    assert answers[collected("PSL_DEVICE_ID")] == "true"
    assert answers["PSL_DATA_TYPES_APP_PERFORMANCE", "PSL_CRASH_LOGS"] == "true"
    assert answers[collected("PSL_CRASH_LOGS")] == "true"
    assert answers[collected_for("PSL_CRASH_LOGS", "PSL_ANALYTICS")] == "true"


def test_crash_reporting_is_analytics(fsview: Declarations) -> None:
    answers = answered(only(fsview, sdk(fsview, "tencent-bugly", data_items=("crash-logs",))))
    assert answers[shared_for("PSL_CRASH_LOGS", "PSL_ANALYTICS")] == "true"
    assert [key for key in answers if key[0].endswith("PURPOSE")] == [
        collected_for("PSL_CRASH_LOGS", "PSL_ANALYTICS"),
        shared_for("PSL_CRASH_LOGS", "PSL_ANALYTICS"),
    ]


def test_types_nobody_declared_are_left_out(fsview: Declarations) -> None:
    answers = answered(fsview)
    assert ("PSL_DATA_TYPES_CONTACTS", "PSL_CONTACTS") not in answers
    assert not any(":PSL_CONTACTS:" in question for question, _ in answers)


def test_facts_the_declarations_lack_are_left_out(fsview: Declarations) -> None:
    # encryption in transit, deletion, account creation and ephemeral processing are not declared;
    # no FS+VIEW SDK says whether it is required, and app-level items cannot.
    questions = {question for question, _ in answered(fsview)}
    for absent in (
        "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT",
        "PSL_SUPPORT_DATA_DELETION_BY_USER",
        "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS",
    ):
        assert absent not in questions
    assert not any(
        question.endswith((":PSL_DATA_USAGE_EPHEMERAL", ":DATA_USAGE_USER_CONTROL")) for question in questions
    )


def test_required_and_optional_from_the_sdk_declaration(fsview: Declarations) -> None:
    required = only(fsview, sdk(fsview, "pangle", required=True))
    assert answered(required)[
        usage("PSL_PRECISE_LOCATION", "DATA_USAGE_USER_CONTROL", "PSL_DATA_USAGE_USER_CONTROL_REQUIRED")
    ]
    optional = only(fsview, sdk(fsview, "pangle", required=False))
    answers = answered(optional)
    assert answers[usage("PSL_PRECISE_LOCATION", "DATA_USAGE_USER_CONTROL", "PSL_DATA_USAGE_USER_CONTROL_OPTIONAL")]
    assert (
        usage("PSL_PRECISE_LOCATION", "DATA_USAGE_USER_CONTROL", "PSL_DATA_USAGE_USER_CONTROL_REQUIRED") not in answers
    )
    # an app-level item with the same type does not say whether it is optional
    app_item = DeclaredDataItem(item="precise-location", purpose="Wi-Fi configuration of the device.")
    mixed = answered(only(fsview, sdk(fsview, "pangle", required=False), items=(app_item,)))
    assert not any(question.endswith("PSL_PRECISE_LOCATION:DATA_USAGE_USER_CONTROL") for question, _ in mixed)


def test_library_without_a_recipient_shares_nothing(fsview: Declarations) -> None:
    # ZXing: no privacy policy, declared or in the catalog, and processing sdk-collects
    answers = answered(only(fsview, sdk(fsview, "zxing")))
    assert answers[collected("PSL_PHOTOS")] == "true"
    assert shared("PSL_PHOTOS") not in answers


def test_app_transmitting_to_an_sdk_is_sharing(fsview: Declarations) -> None:
    answers = answered(only(fsview, sdk(fsview, "zxing", processing="app-transmits")))
    assert answers[shared("PSL_PHOTOS")] == "true"
    assert answers[shared_for("PSL_PHOTOS", "PSL_APP_FUNCTIONALITY")] == "true"


def test_app_level_items_are_collected_not_shared(fsview: Declarations) -> None:
    item = DeclaredDataItem(item="email-address", purpose="To register your account.")
    answers = answered(only(fsview, items=(item,)))
    assert answers[collected("PSL_EMAIL")] == "true"
    assert answers[collected_for("PSL_EMAIL", "PSL_ACCOUNT_MANAGEMENT")] == "true"
    assert shared("PSL_EMAIL") not in answers
    plain = DeclaredDataItem(item="email-address", purpose="So that we can reach you.")
    assert answered(only(fsview, items=(plain,)))[collected_for("PSL_EMAIL", "PSL_APP_FUNCTIONALITY")] == "true"


def test_nothing_declared_collects_nothing(fsview: Declarations) -> None:
    assert parse(play_csv(only(fsview))) == [
        PLAY_HEADER,
        ["PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", "", "false", "REQUIRED", load_play_form().general[0].label],
    ]


def test_sdk_without_data_items_leaves_collection_unanswered(fsview: Declarations) -> None:
    assert parse(play_csv(only(fsview, sdk(fsview, "pangle", data_items=())))) == [PLAY_HEADER]


def test_template_writes_every_row_of_the_form(fsview: Declarations) -> None:
    rows = parse(play_csv(fsview, template=True))
    form = template_rows(load_play_form())
    assert [(row[0], row[1]) for row in rows[1:]] == [(row.question, row.response) for row in form]
    answers = answered(fsview)
    assert {(row[0], row[1]): row[2] for row in rows[1:] if row[2]} == answers


def test_keywords_match_words_not_fragments() -> None:
    form = load_play_form()
    assert "advertising" in keyword_purposes(form, "Advertising cooperation")
    assert "advertising" not in keyword_purposes(form, "Visits, clicks, downloads and the address")
    assert "fraud-prevention-security" in keyword_purposes(form, "advertising attribution, anti-cheating")
    assert "analytics" in keyword_purposes(form, "崩溃统计")


def test_every_play_data_type_of_the_item_catalog_is_in_the_form() -> None:
    form = load_play_form()
    types = {key: (category.label, kind.label) for category in form.categories for key, kind in category.types.items()}
    for key, play_type in load_data_item_catalog().play_data_types.items():
        assert types.get(key) == (play_type.category, play_type.label), key


def test_category_purposes_name_catalog_categories_and_purposes() -> None:
    form = load_play_form()
    categories = {entry.category for entry in load_sdk_catalog()}
    assert set(form.category_purposes) <= categories
    mapped = {purpose for purposes in form.category_purposes.values() for purpose in purposes}
    assert mapped | set(form.purpose_keywords) <= set(form.purposes)
    assert form.category_purposes["crash-reporting"] == ("analytics",)
    assert form.category_purposes["ads"] == ("advertising",)


def test_form_ids_are_unique() -> None:
    rows = template_rows(load_play_form())
    assert len({(row.question, row.response) for row in rows}) == len(rows)

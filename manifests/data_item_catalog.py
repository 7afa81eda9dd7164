"""The personal-information items that policies and SDK documentation name (`catalog/data_items.yaml`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import msgspec

from .sdk_catalog import Localized

DATA_ITEMS_FILE = Path(__file__).parent / "catalog" / "data_items.yaml"


class DataItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    name: Localized
    aliases: tuple[str, ...] = ()
    sensitive: bool
    play_data_type: str


class PlayDataType(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    category: str
    label: str


class DataItemCatalog(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    play_data_types: dict[str, PlayDataType]
    items: tuple[DataItem, ...]


@cache
def load_data_item_catalog(path: Path = DATA_ITEMS_FILE) -> DataItemCatalog:
    from .safe_yaml import load_yaml  # libyaml: the file is read by every check

    return msgspec.convert(load_yaml(path.read_text(encoding="utf-8")), DataItemCatalog)


def load_data_items(path: Path = DATA_ITEMS_FILE) -> dict[str, DataItem]:
    """Data items by id."""
    return {item.id: item for item in load_data_item_catalog(path).items}

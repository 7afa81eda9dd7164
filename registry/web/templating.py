"""The Jinja environment of the pages: templates in `templates/`, autoescape on, undefined names an error,
and the few filters the templates share."""

from __future__ import annotations

import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from manifests.data_item_catalog import load_data_items
from manifests.permission_catalog import load_permission_catalog
from manifests.sdk_catalog import Localized

TEMPLATES = Path(__file__).parent / "templates"


def localized(value: Localized | None, lang: str) -> str:
    """The text in `lang`, else in the other language, else empty."""
    if value is None:
        return ""
    other = "en" if lang == "zh" else "zh"
    return getattr(value, lang) or getattr(value, other) or ""


def when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    return aware.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def permission_label(name: str, lang: str) -> str:
    known = load_permission_catalog().get(name)
    return (getattr(known, f"label_{lang}") or known.label_en or "") if known else ""


def data_item_name(item_id: str, lang: str) -> str:
    item = load_data_items().get(item_id)
    return getattr(item.name, lang) or item_id if item else item_id


def http_url(value: str | None) -> str:
    """`value` if it is an http(s) URL (fit for an href), else empty."""
    return value if value and value.lower().startswith(("https://", "http://")) else ""


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        localized=localized,
        when=when,
        number=number,
        permission_label=permission_label,
        data_item=data_item_name,
        http_url=http_url,
    )
    return env


template_config: TemplateConfig[JinjaTemplateEngine] = TemplateConfig(
    instance=JinjaTemplateEngine.from_environment(environment())
)

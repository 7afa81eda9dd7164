"""The pages' languages: every UI string from `strings.yaml`, one table per language, and which one a
request gets (`?lang=`, then the remembered cookie, then the browser's Accept-Language)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from registry.reconcile import load_rules

STRINGS_FILE = Path(__file__).parent / "strings.yaml"
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "consentry_lang"


class Strings(dict[str, str]):
    """One language's table; `t("key", name=value)` fills the `{name}` marks of a string."""

    def __call__(self, key: str, /, **values: object) -> str:
        return self[key].format(**values) if values else self[key]

    def rule_title(self, rule_id: str) -> str:
        rule = load_rules().get(rule_id)
        return self.get(f"rule.{rule_id}") or (rule.title if rule else rule_id)


@cache
def strings(lang: str) -> Strings:
    import yaml

    tables = yaml.safe_load(STRINGS_FILE.read_text(encoding="utf-8"))
    return Strings(tables[lang])


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    preferred = (accept_language or "").split(",")[0].strip().lower()
    return "zh" if preferred.startswith("zh") else DEFAULT_LANGUAGE

"""YAML for untrusted files: safe types only, and no anchors or aliases.

Aliases let a few hundred bytes stand for billions of nodes (the "billion laughs" bomb); declarations
and catalogs never need them, so a document that uses one is refused before anything walks it.
"""

from __future__ import annotations

import yaml


class YamlError(Exception):
    """A document that is not valid YAML, or that uses a construct we refuse."""


class _NoAliasLoader(yaml.SafeLoader):
    # The pure-Python loader: libyaml's composer runs in C and would never call this hook.
    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlError(f"line {event.start_mark.line + 1}: YAML aliases (*{event.anchor}) are not accepted")
        return super().compose_node(parent, index)


def load_yaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise YamlError(f"{where}not valid YAML: {getattr(error, 'problem', None) or error}") from None

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


# Dates stay text, as in JSON: the schemas check their format, and YAML and JSON load alike.
_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_yaml(text: str) -> object:
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise YamlError(f"{where}not valid YAML: {getattr(error, 'problem', None) or error}") from None


def node_lines(text: str) -> dict[str, int]:
    """1-based line of every mapping key and sequence item, by path (`sdks`, `sdks[3]`, `sdks[3].purpose`):
    where a finding about that part of the document points."""
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as error:
        raise YamlError(f"not valid YAML: {error}") from None
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = f"{path}[{index}]"
                lines[child] = item.start_mark.line + 1
                walk(item, child)

    if root is not None:
        walk(root, "")
    return lines

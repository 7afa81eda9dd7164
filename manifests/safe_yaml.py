"""YAML for untrusted files: safe types only, and no anchors or aliases.

Aliases let a few hundred bytes stand for billions of nodes (the "billion laughs" bomb); declarations
and catalogs never need them, so a document that uses one is refused before anything is built from it.
libyaml (C) does the parsing when PyYAML has it: ten times faster than the Python parser.
"""

from __future__ import annotations

import yaml

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(Exception):
    """A document that is not valid YAML, or that uses a construct we refuse."""


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    pass


# Dates stay text, as in JSON: the schemas check their format, and YAML and JSON load alike.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _refuse_aliases(text: str) -> None:
    if "*" not in text:
        return  # an alias is written *name: without a star there is none, and the event pass is skipped
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(f"line {event.start_mark.line + 1}: YAML aliases (*{event.anchor}) are not accepted")


def _error(error: yaml.YAMLError) -> YamlError:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}: " if mark else ""
    return YamlError(f"{where}not valid YAML: {getattr(error, 'problem', None) or error}")


def load_yaml(text: str) -> object:
    try:
        _refuse_aliases(text)
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise _error(error) from None


def node_lines(text: str) -> dict[str, int]:
    """1-based line of every mapping key and sequence item, by path (`sdks`, `sdks[3]`, `sdks[3].purpose`):
    where a finding about that part of the document points."""
    try:
        _refuse_aliases(text)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise _error(error) from None
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

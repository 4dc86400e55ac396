"""YAML for files people edit by hand (the FAQ, the settings): plain data only.

PyYAML's SafeLoader still accepts what no FAQ or settings file needs and what
turns a typo or a hostile file into a traceback or a hang: explicit tags
(`!include`, `!!python/name:x`, `!!int abc`, `!!binary`), aliases (a "billion
laughs" file expands to gigabytes), complex keys (`? [a, b]`), and nesting
thousands of levels deep. `compose` refuses each with a YamlProblem that names
the line, before anything is constructed.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Deeper than any FAQ entry or setting needs; far below Python's recursion limit.
MAX_DEPTH = 32
_STANDARD = "tag:yaml.org,2002:"


class YamlProblem(Exception):
    """`line` is 1-based (0 when unknown); `message` is a sentence for the file's editor."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses tags, aliases, anchors, complex keys and deep nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise YamlProblem(line, f"aliases (*{event.anchor}) are not allowed here; write the value out.")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlProblem(line, f"anchors (&{anchor}) are not allowed here; write the value out.")
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            shown = "!!" + tag[len(_STANDARD) :] if tag.startswith(_STANDARD) else tag
            raise YamlProblem(line, f"tags such as '{shown}' are not allowed here; write plain text, numbers or lists.")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlProblem(line, f"nested more than {MAX_DEPTH} levels deep.")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise YamlProblem(key.start_mark.line + 1, "a key must be plain text, not a list or mapping.")
        return node


def _line_of(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 0


def compose(text: str) -> yaml.Node | None:
    """The document's node tree (None for an empty document); raises YamlProblem."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_node()
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        raise YamlProblem(_line_of(exc), f"YAML syntax: {exc.problem or exc.context}.") from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(0, f"YAML syntax: {exc}.") from exc
    finally:
        loader.dispose()


def construct(node: yaml.Node) -> Any:
    """Plain Python data from a node that `compose` accepted; raises YamlProblem on a bad scalar."""
    try:
        return yaml.SafeLoader("").construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise YamlProblem(node.start_mark.line + 1, f"a value cannot be read ({exc}).") from exc


def load(text: str) -> Any:
    """`compose` then `construct`: plain data or YamlProblem, never another exception."""
    node = compose(text)
    return None if node is None else construct(node)

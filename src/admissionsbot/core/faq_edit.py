"""Careful text edits of FAQ files: add phrasings to an entry, append a new entry. Pure: text in, text out.

The FAQ is edited by people and reviewed as a diff, so learning from a ticket
must change only what it adds: never a re-dump of a file (which would drop
every comment, `# grounded:` justification and folded answer, and reorder
keys). Instead the new lines are written where YAML's own parser says the
entry's `alternates` list ends, indented like its items, each with a comment
saying where it came from; a new entry is appended at the end of a file.

Every edit is checked by parsing the result again: the edited entry must hold
exactly its old phrasings plus the new ones, and every other value in the file
must be unchanged. An edit that cannot be made that way (a list written as
`[...]` over several lines, an entry written as `{...}`) raises EditError
naming the file and line; nothing is guessed.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from . import safe_yaml

ANSWER_WIDTH = 76  # folded answers wrap like the shipped files'


class EditError(Exception):
    """The edit cannot be made safely; `line` is 1-based (0: the file as a whole)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def scalar(text: str) -> str:
    """`text` as a one-line YAML scalar: plain when YAML reads it back unchanged, quoted otherwise."""
    dumped = yaml.safe_dump([text], default_flow_style=False, allow_unicode=True, width=10**6)
    if dumped.startswith("- ") and dumped.count("\n") == 1 and _reads_back(dumped, [text]):
        return dumped[2:-1]
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _reads_back(text: str, expected: Any) -> bool:
    try:
        return bool(safe_yaml.load(text) == expected)
    except safe_yaml.YamlProblem:
        return False


def block(key: str, text: str, indent: int) -> str:
    """`key: value` at `indent` spaces; long or multi-line text as a folded or literal block."""
    pad = " " * indent
    one_line = f"{pad}{key}: {scalar(text)}\n"
    if len(one_line) <= 100 and "\n" not in text:
        return one_line
    inner = pad + "  "
    if "\n" in text:
        lines = [inner + line if line else "" for line in text.split("\n")]
        candidate = f"{pad}{key}: |-\n" + "\n".join(lines) + "\n"
    else:
        wrapped = textwrap.fill(text, ANSWER_WIDTH, break_on_hyphens=False, break_long_words=False)
        candidate = f"{pad}{key}: >-\n" + textwrap.indent(wrapped, inner) + "\n"
    return candidate if _reads_back(textwrap.dedent(candidate), {key: text}) else one_line


def entry_text(fields: Mapping[str, Any], comment: str = "") -> str:
    """A new list item for an FAQ file: keys in the shipped files' order, alternates 4 spaces in."""
    out = [f"# {comment}\n"] if comment else []
    first = True
    for key, value in fields.items():
        lead = "- " if first else "  "
        first = False
        if key == "alternates":
            items = list(value)
            out.append(f"{lead}alternates:" + (" []\n" if not items else "\n"))
            out.extend(f"    - {scalar(a)}\n" for a in items)
        elif key == "answer":
            out.append(lead + block(key, str(value), 2).lstrip())
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(f"{lead}{key}: {value}\n")
        else:
            out.append(f"{lead}{key}: {scalar(str(value))}\n")
    return "".join(out)


def append_entry(text: str, fields: Mapping[str, Any], comment: str = "", header: str = "") -> str:
    """`text` (an FAQ file, "" for a new one) with a new entry at its end; checked by reading it back."""
    body = text if text.strip() else header
    if body and not body.endswith("\n"):
        body += "\n"
    new = body + ("\n" if body.strip() else "") + entry_text(fields, comment)
    before = _data(text) if text.strip() else []
    after = _data(new)
    if not isinstance(before, list) or after != [*before, dict(fields)]:
        raise EditError(0, "the new entry would not read back as written; nothing was changed.")
    return new


def add_alternates(text: str, entry_id: str, phrasings: Sequence[str], comment: str = "") -> str:
    """`text` with `phrasings` added at the end of entry `entry_id`'s alternates, each line commented."""
    root = _compose(text)
    entry = _find_entry(root, entry_id)
    alternates = next((v for k, v in entry.value if k.value == "alternates"), None)
    if not isinstance(alternates, yaml.SequenceNode):
        raise EditError(entry.start_mark.line + 1, f"entry '{entry_id}' has no 'alternates' list to add to.")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    note = f"  # {comment}" if comment else ""
    if alternates.flow_style:
        lines = _flow_to_block(lines, alternates, phrasings, note, entry_id)
    elif not alternates.value:
        raise EditError(alternates.start_mark.line + 1, f"entry '{entry_id}': cannot read its 'alternates' list.")
    else:
        last = alternates.value[-1]
        dash_line = lines[last.start_mark.line][: last.start_mark.column].rstrip()
        if not dash_line.endswith("-"):
            raise EditError(last.start_mark.line + 1, f"entry '{entry_id}': its phrasings are not a '- ' list.")
        dash = len(dash_line) - 1
        end = last.end_mark.line if last.end_mark.column == 0 else last.end_mark.line + 1
        new = [" " * dash + f"- {scalar(p)}{note}\n" for p in phrasings]
        lines[end:end] = new
    edited = "".join(lines)
    _check_only_added(text, edited, entry_id, phrasings)
    return edited


def _flow_to_block(lines: list[str], node: yaml.SequenceNode, phrasings: Sequence[str], note: str,
                   entry_id: str) -> list[str]:
    """`alternates: [a, b]` on one line -> a block list with the new phrasings after the old ones."""
    start, end = node.start_mark, node.end_mark
    if start.line != end.line:
        raise EditError(start.line + 1, f"entry '{entry_id}': its 'alternates' are written as [...] over several "
                                        "lines; write them as a '- ' list to learn into this entry.")
    line = lines[start.line]
    if line[end.column:].strip() and not line[end.column:].strip().startswith("#"):
        raise EditError(start.line + 1, f"entry '{entry_id}': text follows its 'alternates' list on that line.")
    old = [item.value for item in node.value]
    indent = len(line) - len(line.lstrip()) + 2
    rest = line[end.column:].strip()
    head = line[: start.column].rstrip() + (f"  {rest}" if rest else "") + "\n"
    items = [" " * indent + f"- {scalar(a)}\n" for a in old] + [" " * indent + f"- {scalar(p)}{note}\n"
                                                               for p in phrasings]
    return lines[: start.line] + [head] + items + lines[start.line + 1:]


def _compose(text: str) -> yaml.SequenceNode:
    try:
        root = safe_yaml.compose(text)
    except safe_yaml.YamlProblem as exc:
        raise EditError(exc.line, exc.message) from exc
    if not isinstance(root, yaml.SequenceNode):
        raise EditError(0, "the file is not a list of entries.")
    return root


def _find_entry(root: yaml.SequenceNode, entry_id: str) -> yaml.MappingNode:
    for item in root.value:
        if isinstance(item, yaml.MappingNode) and any(k.value == "id" and getattr(v, "value", None) == entry_id
                                                      for k, v in item.value):
            if item.flow_style:
                raise EditError(item.start_mark.line + 1, f"entry '{entry_id}' is written as {{...}}; write it "
                                                          "with one key per line to learn into it.")
            return item
    raise EditError(0, f"no entry '{entry_id}' in this file.")


def _data(text: str) -> Any:
    try:
        return safe_yaml.load(text)
    except safe_yaml.YamlProblem as exc:
        raise EditError(exc.line, f"the edit would break the file: {exc.message}") from exc


def _check_only_added(before_text: str, after_text: str, entry_id: str, phrasings: Sequence[str]) -> None:
    """The edited file must read back as the old one with exactly these phrasings appended."""
    expected = _data(before_text)
    for item in expected:
        if isinstance(item, dict) and item.get("id") == entry_id:
            item["alternates"] = [*item["alternates"], *phrasings]
    if _data(after_text) != expected:
        raise EditError(0, f"adding to entry '{entry_id}' would change more than its phrasings; nothing was changed.")

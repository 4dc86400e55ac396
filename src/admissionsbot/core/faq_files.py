"""The FAQ folder's files as YAML: entry files, `_synonyms.yaml` and `_sources.yaml`.

Parsing goes through core.safe_yaml, so a tag, an alias, a complex key or deep
nesting is a problem with a line number, never a traceback or a hang.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from . import safe_yaml
from .faq_problems import Problem
from .grounding import STAFF_SOURCE
from .models import Entry, EntryKind

SYNONYMS_FILE = "_synonyms.yaml"
SOURCES_FILE = "_sources.yaml"  # source -> the title students see instead of a file name
RESERVED_FILES = (SYNONYMS_FILE, SOURCES_FILE)
MAX_TITLE_CHARS = 100
#: An FAQ file is a few hundred lines; this is far above any real one and bounds what is parsed.
MAX_FILE_BYTES = 5 * 1024 * 1024


def parse(path: Path, problems: list[Problem]) -> yaml.Node | None:
    """The file's node tree, or None after a problem naming the file (and line) was added."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.append(Problem(str(path), 0, None, f"cannot be read: {exc.strerror}."))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(str(path), 0, None, f"is over {MAX_FILE_BYTES // 2**20} MiB; split it by topic."))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), 0, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})."))
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            problems.append(Problem(str(path), number, None, "tab in indentation; YAML needs spaces."))
            return None
    try:
        return safe_yaml.compose(text)
    except safe_yaml.YamlProblem as exc:
        problems.append(Problem(str(path), exc.line, None, exc.message))
    return None


def construct(node: yaml.Node, path: Path, problems: list[Problem], entry_id: str | None = None) -> object | None:
    """Plain data from a node; None after a problem (e.g. a date that does not exist) naming the line."""
    try:
        return safe_yaml.construct(node)
    except safe_yaml.YamlProblem as exc:
        problems.append(Problem(str(path), exc.line, entry_id, exc.message))
        return None


def not_a_file_name(source: str) -> str:
    """Why `source` is not a plain file name ("" when it is): the source is looked up inside the
    material folder, so `../../etc/passwd` or `/etc/passwd` must never be taken as one."""
    if "/" in source or "\\" in source:
        return "is a path (file names have no / or \\)"
    if source in (".", ".."):
        return "is a folder"
    if re.match(r"^[A-Za-z]:", source):
        return "starts with a drive letter"
    if any(ord(c) < 32 for c in source):
        return "contains control characters"
    return ""



def load_synonyms(path: Path, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if not path.exists():
        return {}
    node = parse(path, problems)
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(str(path), 1, None, "expected a mapping of word: [variants]."))
        return {}
    result: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        word = key_node.value
        variants = construct(value_node, path, problems)
        if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
            problems.append(Problem(str(path), line, None, f"synonyms of '{word}' must be a list of words."))
            continue
        for v in [word, *variants]:
            if not re.fullmatch(r"[a-z0-9$]+", v.strip()):
                problems.append(Problem(str(path), line, None, f"'{v}' must be one lowercase word."))
        for v in variants:
            if v in owner and owner[v] != word:
                problems.append(Problem(str(path), line, None,
                                        f"'{v}' is a synonym of both '{owner[v]}' and '{word}'."))
            owner[v] = word
        result[word] = tuple(v.strip() for v in variants)
    return result


def load_sources(path: Path, problems: list[Problem]) -> tuple[dict[str, str], dict[str, int]]:
    """`faq/_sources.yaml`: `source: "Title"` lines, so students see a title, never a file name.

    Returns (titles, line of each source) so later checks can point at the line to fix.
    """
    if not path.exists():
        return {}, {}
    node = parse(path, problems)
    if node is None:
        return {}, {}
    if not isinstance(node, yaml.MappingNode):
        example = 'career-after-graduation.txt: "Life after graduation"'
        where = node.start_mark.line + 1
        problems.append(Problem(str(path), where, None, f"expected one line per source, like {example}"))
        return {}, {}
    titles: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        source = key_node.value.strip() if isinstance(key_node, yaml.ScalarNode) else ""
        why = not_a_file_name(source) if source else "is not a name"
        value = construct(value_node, path, problems)
        title = value.strip() if isinstance(value, str) else ""
        if why:
            message = f"'{source}' {why}; each key is a 'source' as entries write it (a file name or {STAFF_SOURCE})."
        elif source in lines:
            message = f"'{source}' is listed twice (first at line {lines[source]})."
        elif not title:
            message = f"the title of '{source}' must be non-empty text."
        elif len(title) > MAX_TITLE_CHARS:
            message = f"the title of '{source}' is {len(title)} characters; at most {MAX_TITLE_CHARS}."
        else:
            titles[source], lines[source] = title, line
            continue
        lines.setdefault(source, line)
        problems.append(Problem(str(path), line, None, message))
    return titles, lines


def check_titles(entries: list[Entry], titles: Mapping[str, str], lines: Mapping[str, int], path: Path,
                  problems: list[Problem]) -> None:
    """Once `_sources.yaml` exists, every cited document needs a title, and every title a citing entry."""
    cited: dict[str, list[Entry]] = {}
    for e in entries:
        cited.setdefault(e.source, []).append(e)
    for source, users in cited.items():
        shown = [e for e in users if e.kind in (EntryKind.ANSWER, EntryKind.TOUR)]
        if shown and source not in titles:
            problems.append(Problem(
                shown[0].file, shown[0].line, shown[0].id,
                f"source '{source}' has no title in {path} (cited by {len(shown)} entries); "
                "students will see no source under these answers.", severity="warning"))
    for source in titles:
        if source not in cited:
            problems.append(Problem(str(path), lines[source], None,
                                    f"no entry cites '{source}'; fix the name or remove the line.", severity="warning"))

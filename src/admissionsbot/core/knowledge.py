"""Load and validate the FAQ (`faq/*.yaml`) into an immutable KnowledgeBase.

Every problem names file, line and entry id, because the people who edit the
FAQ are admissions staff, not programmers: "faq/pay.yaml:12: entry
'internship-pay': 'alternates' needs at least 5 phrasings" is fixable;
a YAML traceback is not. The bot refuses to start on any error.

With a material folder (`faq check --material DIR`) every entry's `source` must
be a document in it, and answers are checked for facts their document does not
state (see grounding.py); the bot itself never reads the material.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .faq_checks import check_across_entries, check_grounding
from .faq_files import (
    RESERVED_FILES,
    SOURCES_FILE,
    SYNONYMS_FILE,
    check_titles,
    construct,
    load_sources,
    load_synonyms,
    not_a_file_name,
    parse,
)
from .faq_learned import LEARNED_KEYS, check_learned, is_learned, min_alternates
from .faq_meaning import load_meaning
from .faq_problems import FaqError, Problem
from .grounding import STAFF_SOURCE
from .limits import ENTRY_ID_CHARS
from .meaning import WordVectors
from .models import Entry, EntryKind

REQUIRED_KEYS = ("id", "question", "alternates", "answer", "source")
OPTIONAL_KEYS = ("kind", "min_score", *LEARNED_KEYS)  # learned_*: see faq_learned.py
MIN_ALTERNATES = 5
MAX_QUESTION_CHARS = 80  # a "did you mean" button label holds 80 characters
MAX_ANSWER_CHARS = 3500  # fits one embed description with room for the source line
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    directory: str = ""
    warnings: tuple[Problem, ...] = ()
    titles: Mapping[str, str] = field(default_factory=dict)  # from faq/_sources.yaml
    vectors: WordVectors | None = field(default=None, compare=False, repr=False)  # faq/_meaning.vectors

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id; KeyError if there is none."""
        return self._by_id[entry_id]  # type: ignore[attr-defined]

    def has(self, entry_id: str) -> bool:
        return entry_id in self._by_id  # type: ignore[attr-defined]

    def source_title(self, source: str) -> str:
        """The human title of a `source` ("Life after graduation ..."), or "" when it has none.

        Show nothing on "": a file name like career-after-graduation.txt means nothing to a student.
        """
        return self.titles.get(source, "")

    def phrasings(self) -> Iterator[tuple[str, str]]:
        """(entry_id, text) for every phrasing, the matcher's input."""
        for e in self.entries:
            for text in e.phrasings:
                yield e.id, text


def load_knowledge(
    directory: str | Path, material_dir: str | Path | None = None, *, strict: bool = False
) -> KnowledgeBase:
    """Load the FAQ or raise FaqError naming every error (warnings ride along on the result)."""
    kb, problems = check_faq(directory, material_dir, strict=strict)
    errors = [p for p in problems if p.severity == "error"]
    if errors or kb is None:
        raise FaqError(errors)
    return kb


def check_faq(
    directory: str | Path, material_dir: str | Path | None = None, *, strict: bool = False
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate every file; returns the knowledge base (None on errors) and all problems.

    With `material_dir`, sources must be documents in it and answers are grounding-checked;
    `strict` turns grounding warnings into errors. A material folder that does not exist gives
    one problem and nothing else: per-entry "not a document" errors would all say the same.
    """
    root = Path(directory)
    if not root.is_dir():
        return None, [Problem(str(root), 0, None, "FAQ directory not found.")]
    material = None if material_dir is None else Path(material_dir)
    if material is not None and not material.is_dir():
        return None, [Problem(str(material), 0, None, "material folder not found.", from_material=True)]
    try:
        names = os.listdir(root)
    except OSError as exc:
        return None, [Problem(str(root), 0, None, f"FAQ directory cannot be read: {exc.strerror}.")]
    files = sorted(root / n for n in names if n.endswith(".yaml") and not n.startswith(".") and n not in RESERVED_FILES)
    if not files:
        return None, [Problem(str(root), 0, None, "no FAQ files (*.yaml) in this directory.")]
    problems: list[Problem] = []
    entries: list[Entry] = []
    layouts: dict[str, list[tuple[int, int]]] = {}
    for path in files:
        entries.extend(_load_file(path, problems, material, layouts.setdefault(str(path), [])))
    synonyms = load_synonyms(root / SYNONYMS_FILE, problems)
    titles, title_lines = load_sources(root / SOURCES_FILE, problems)
    check_across_entries(entries, problems)
    if (root / SOURCES_FILE).exists():
        check_titles(entries, titles, title_lines, root / SOURCES_FILE, problems)
    if material is not None:
        problems.extend(check_grounding(entries, layouts, material, synonyms, strict))
    if any(p.severity == "error" for p in problems):
        return None, problems
    vectors = load_meaning(root, (t for e in entries for t in e.phrasings), problems)
    warnings = tuple(p for p in problems if p.severity == "warning")
    return KnowledgeBase(tuple(entries), synonyms, str(root), warnings, titles, vectors), problems


def _load_file(
    path: Path, problems: list[Problem], material_dir: Path | None, layout: list[tuple[int, int]]
) -> list[Entry]:
    """The file's valid entries; `layout` gets (line, key column) of every item, for comment ownership."""
    node = parse(path, problems)
    if node is None:
        if not any(p.file == str(path) for p in problems):
            problems.append(Problem(str(path), 0, None, "file is empty; expected a list of entries."))
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(str(path), node.start_mark.line + 1, None, "expected a list of entries (- id: ...)."))
        return []
    entries = []
    for item in node.value:
        layout.append((item.start_mark.line + 1, item.start_mark.column))
        entry = _entry_from_node(path, item, problems, material_dir)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry_from_node(
    path: Path, node: yaml.Node, problems: list[Problem], material_dir: Path | None
) -> Entry | None:
    line = node.start_mark.line + 1
    file = str(path)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(file, line, None, "each list item must be an entry with keys id, question, ..."))
        return None
    named = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    id_node = named.get("id")
    known_id = id_node.value if isinstance(id_node, yaml.ScalarNode) else None
    data: dict[str, Any] = {}
    for key, value_node in named.items():  # one value at a time, so a bad one is named by its own line
        before_value = len(problems)
        data[key] = construct(value_node, path, problems, known_id)
        if len(problems) > before_value:
            return None
    raw_id = data.get("id")
    entry_id = raw_id if isinstance(raw_id, str) and raw_id else None
    before = len(problems)

    def bad(message: str, from_material: bool = False) -> None:
        problems.append(Problem(file, line, entry_id, message, from_material=from_material))

    for key in data:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            bad(f"unknown key '{key}' (allowed: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}).")
    for key in REQUIRED_KEYS:
        if key not in data:
            bad(f"missing key '{key}'.")
    if "id" in data and (not isinstance(raw_id, str) or not _ID.match(raw_id)):
        bad("'id' must be a lowercase slug like 'internship-pay'.")
    elif isinstance(raw_id, str) and len(raw_id) > ENTRY_ID_CHARS:
        bad(f"'id' is {len(raw_id)} characters; at most {ENTRY_ID_CHARS} fit the buttons that carry it.")
    for key in ("question", "answer", "source"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            bad(f"'{key}' must be non-empty text.")
    if isinstance(data.get("question"), str) and len(data["question"].strip()) > MAX_QUESTION_CHARS:
        bad(f"'question' is {len(data['question'].strip())} characters; at most {MAX_QUESTION_CHARS} fit a button.")
    if isinstance(data.get("answer"), str) and len(data["answer"].strip()) > MAX_ANSWER_CHARS:
        bad(f"'answer' is {len(data['answer'].strip())} characters; at most {MAX_ANSWER_CHARS}.")
    alternates = data.get("alternates")
    reminder: list[Problem] = []
    if "alternates" in data:
        if not isinstance(alternates, list) or not all(isinstance(a, str) and a.strip() for a in alternates):
            bad("'alternates' must be a list of non-empty phrasings.")
        elif len(alternates) < min_alternates(data, MIN_ALTERNATES):
            bad(f"'alternates' needs at least {MIN_ALTERNATES} phrasings (has {len(alternates)}).")
        elif len(alternates) < MIN_ALTERNATES:  # a learned entry: it loads, and staff are reminded
            reminder.append(Problem(file, line, entry_id, f"learned entry has {len(alternates)} alternate "
                                    f"phrasing(s); add more as students write them (written entries need "
                                    f"{MIN_ALTERNATES}).", severity="warning"))
    check_learned(data, bad)
    kind_value = data.get("kind", EntryKind.ANSWER.value)
    try:
        kind = EntryKind(kind_value)
    except ValueError:
        bad(f"'kind' must be one of {', '.join(k.value for k in EntryKind)} (got {kind_value!r}).")
        kind = EntryKind.ANSWER
    min_score = data.get("min_score")
    if min_score is not None and (
        isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 <= min_score <= 100
    ):
        bad("'min_score' must be a number from 0 to 100.")
    if isinstance(data.get("answer"), str) and re.search(r"#\s*grounded\s*:", data["answer"], re.IGNORECASE):
        bad("the answer text contains '# grounded:': indent that comment like the entry's keys, "
            "not like the answer's lines, or students will see it.")
    source = data.get("source")
    if isinstance(source, str) and source.strip():
        source = source.strip()
        why = not_a_file_name(source)
        if why:
            bad(f"'source' must be a document's file name, like career-after-graduation.txt; '{source}' {why}.")
        elif (material_dir is not None and source == STAFF_SOURCE and kind in (EntryKind.ANSWER, EntryKind.TOUR)
              and not is_learned(data)):  # a learned answer is staff knowledge, like a hand-off
            bad(f"'{kind.value}' entries must cite a document in {material_dir}; "
                f"'{STAFF_SOURCE}' is for hand-off, small-talk and learned entries.", from_material=True)
        elif material_dir is not None and source != STAFF_SOURCE and not (material_dir / source).is_file():
            bad(f"'source' names '{source}', which is not a document in {material_dir}.", from_material=True)
    if len(problems) > before:
        return None
    problems.extend(reminder)
    return Entry(
        id=str(raw_id),
        question=data["question"].strip(),
        alternates=tuple(a.strip() for a in alternates or ()),
        answer=data["answer"].strip(),
        source=data["source"].strip(),
        kind=kind,
        min_score=float(min_score) if min_score is not None else None,
        file=file,
        line=line,
    )




"""Load and validate the FAQ (`faq/*.yaml`) into an immutable KnowledgeBase.

Every problem names file, line and entry id, because the people who edit the
FAQ are admissions staff, not programmers: "faq/pay.yaml:12: entry
'internship-pay': 'alternates' needs at least 5 phrasings" is fixable;
a YAML traceback is not. The bot refuses to start on any error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from .errors import AdmissionsError
from .models import Entry, EntryKind
from .normalize import normalize

REQUIRED_KEYS = ("id", "question", "alternates", "answer", "source")
OPTIONAL_KEYS = ("kind", "min_score")
SYNONYMS_FILE = "_synonyms.yaml"
MIN_ALTERNATES = 5
MAX_QUESTION_CHARS = 80  # a "did you mean" button label holds 80 characters
MAX_ANSWER_CHARS = 3500  # fits one embed description with room for the source line
NEAR_DUPLICATE = 92.0  # rapidfuzz ratio on normalised text at which two entries blur
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    entry_id: str | None
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        entry = f" entry '{self.entry_id}':" if self.entry_id else ""
        return f"{where}: {self.severity}:{entry} {self.message}"


class FaqError(AdmissionsError):
    """The FAQ has errors; `problems` lists each, `str()` all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"The FAQ has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    directory: str = ""
    warnings: tuple[Problem, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id; KeyError if there is none."""
        return self._by_id[entry_id]  # type: ignore[attr-defined]

    def has(self, entry_id: str) -> bool:
        return entry_id in self._by_id  # type: ignore[attr-defined]

    def phrasings(self) -> Iterator[tuple[str, str]]:
        """(entry_id, text) for every phrasing, the matcher's input."""
        for e in self.entries:
            for text in e.phrasings:
                yield e.id, text


def load_knowledge(directory: str | Path, material_dir: str | Path | None = None) -> KnowledgeBase:
    """Load the FAQ or raise FaqError naming every error (warnings ride along on the result)."""
    kb, problems = check_faq(directory, material_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors or kb is None:
        raise FaqError(errors)
    return kb


def check_faq(
    directory: str | Path, material_dir: str | Path | None = None
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate every file; returns the knowledge base (None on errors) and all problems."""
    root = Path(directory)
    if not root.is_dir():
        return None, [Problem(str(root), 0, None, "FAQ directory not found.")]
    files = sorted(p for p in root.glob("*.yaml") if p.name != SYNONYMS_FILE)
    if not files:
        return None, [Problem(str(root), 0, None, "no FAQ files (*.yaml) in this directory.")]
    problems: list[Problem] = []
    entries: list[Entry] = []
    for path in files:
        entries.extend(_load_file(path, problems, material_dir))
    synonyms = _load_synonyms(root / SYNONYMS_FILE, problems)
    _check_across_entries(entries, problems)
    if any(p.severity == "error" for p in problems):
        return None, problems
    warnings = tuple(p for p in problems if p.severity == "warning")
    return KnowledgeBase(tuple(entries), synonyms, str(root), warnings), problems


def _parse(path: Path, problems: list[Problem]) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), 0, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})."))
        return None
    except OSError as exc:
        problems.append(Problem(str(path), 0, None, f"cannot be read: {exc.strerror}."))
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            problems.append(Problem(str(path), number, None, "tab in indentation; YAML needs spaces."))
            return None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problems.append(Problem(str(path), line, None, f"YAML syntax: {exc.problem or exc.context}."))
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), 0, None, f"YAML syntax: {exc}."))
    return None


def _load_file(path: Path, problems: list[Problem], material_dir: str | Path | None) -> list[Entry]:
    node = _parse(path, problems)
    if node is None:
        if not any(p.file == str(path) for p in problems):
            problems.append(Problem(str(path), 0, None, "file is empty; expected a list of entries."))
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(str(path), node.start_mark.line + 1, None, "expected a list of entries (- id: ...)."))
        return []
    entries = []
    for item in node.value:
        entry = _entry_from_node(path, item, problems, material_dir)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry_from_node(
    path: Path, node: yaml.Node, problems: list[Problem], material_dir: str | Path | None
) -> Entry | None:
    line = node.start_mark.line + 1
    file = str(path)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(file, line, None, "each list item must be an entry with keys id, question, ..."))
        return None
    data: dict[str, Any] = yaml.SafeLoader.construct_document(yaml.SafeLoader(""), node)  # type: ignore[arg-type]
    raw_id = data.get("id")
    entry_id = raw_id if isinstance(raw_id, str) and raw_id else None
    before = len(problems)

    def bad(message: str) -> None:
        problems.append(Problem(file, line, entry_id, message))

    for key in data:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            bad(f"unknown key '{key}' (allowed: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}).")
    for key in REQUIRED_KEYS:
        if key not in data:
            bad(f"missing key '{key}'.")
    if "id" in data and (not isinstance(raw_id, str) or not _ID.match(raw_id)):
        bad("'id' must be a lowercase slug like 'internship-pay'.")
    for key in ("question", "answer", "source"):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            bad(f"'{key}' must be non-empty text.")
    if isinstance(data.get("question"), str) and len(data["question"].strip()) > MAX_QUESTION_CHARS:
        bad(f"'question' is {len(data['question'].strip())} characters; at most {MAX_QUESTION_CHARS} fit a button.")
    if isinstance(data.get("answer"), str) and len(data["answer"].strip()) > MAX_ANSWER_CHARS:
        bad(f"'answer' is {len(data['answer'].strip())} characters; at most {MAX_ANSWER_CHARS}.")
    alternates = data.get("alternates")
    if "alternates" in data:
        if not isinstance(alternates, list) or not all(isinstance(a, str) and a.strip() for a in alternates):
            bad("'alternates' must be a list of non-empty phrasings.")
        elif len(alternates) < MIN_ALTERNATES:
            bad(f"'alternates' needs at least {MIN_ALTERNATES} phrasings (has {len(alternates)}).")
    kind_value = data.get("kind", EntryKind.ANSWER.value)
    try:
        kind = EntryKind(kind_value)
    except ValueError:
        bad(f"'kind' must be one of {', '.join(k.value for k in EntryKind)} (got {kind_value!r}).")
        kind = EntryKind.ANSWER
    min_score = data.get("min_score")
    if min_score is not None and (isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 <= min_score <= 100):
        bad("'min_score' must be a number from 0 to 100.")
    if (
        material_dir is not None
        and kind in (EntryKind.ANSWER, EntryKind.TOUR)
        and isinstance(data.get("source"), str)
        and not (Path(material_dir) / data["source"].strip()).is_file()
    ):
        bad(f"'source' names '{data['source'].strip()}', which is not a document in {material_dir}.")
    if len(problems) > before:
        return None
    return Entry(
        id=raw_id,
        question=data["question"].strip(),
        alternates=tuple(a.strip() for a in alternates),
        answer=data["answer"].strip(),
        source=data["source"].strip(),
        kind=kind,
        min_score=float(min_score) if min_score is not None else None,
        file=file,
        line=line,
    )


def _load_synonyms(path: Path, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if not path.exists():
        return {}
    node = _parse(path, problems)
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
        variants = yaml.SafeLoader.construct_document(yaml.SafeLoader(""), value_node)  # type: ignore[arg-type]
        if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
            problems.append(Problem(str(path), line, None, f"synonyms of '{word}' must be a list of words."))
            continue
        for v in [word, *variants]:
            if not re.fullmatch(r"[a-z0-9$]+", v.strip()):
                problems.append(Problem(str(path), line, None, f"'{v}' must be one lowercase word."))
        for v in variants:
            if v in owner and owner[v] != word:
                problems.append(Problem(str(path), line, None, f"'{v}' is a synonym of both '{owner[v]}' and '{word}'."))
            owner[v] = word
        result[word] = tuple(v.strip() for v in variants)
    return result


def _check_across_entries(entries: list[Entry], problems: list[Problem]) -> None:
    """Duplicate ids, the same phrasing twice, and near-duplicates across entries."""
    seen_ids: dict[str, Entry] = {}
    for e in entries:
        if e.id in seen_ids:
            first = seen_ids[e.id]
            problems.append(Problem(e.file, e.line, e.id, f"duplicate id; first defined at {first.file}:{first.line}."))
        else:
            seen_ids[e.id] = e
    owner: dict[str, Entry] = {}
    for e in entries:
        for text in e.phrasings:
            key = normalize(text)
            if not key:
                problems.append(Problem(e.file, e.line, e.id, f"phrasing {text!r} has no words left to match on."))
                continue
            other = owner.get(key)
            if other is not None:
                where = "this entry" if other is e else f"entry '{other.id}' ({other.file}:{other.line})"
                problems.append(Problem(e.file, e.line, e.id, f"phrasing {text!r} also appears in {where}."))
            else:
                owner[key] = e
    keys = list(owner)
    for i, key in enumerate(keys):
        for match, score, _ in process.extract(key, keys[i + 1 :], scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE, limit=None):
            a, b = owner[key], owner[match]
            if a.id != b.id:
                problems.append(Problem(
                    b.file, b.line, b.id,
                    f"phrasing '{match}' is a near-duplicate ({score:.0f}) of '{key}' in entry '{a.id}'; "
                    "the matcher cannot tell them apart.",
                    severity="warning",
                ))

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

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from .errors import AdmissionsError
from .grounding import STAFF_SOURCE, Document, Justification, find_justifications, term_key, ungrounded
from .models import Entry, EntryKind
from .normalize import normalize, synonym_map

REQUIRED_KEYS = ("id", "question", "alternates", "answer", "source")
OPTIONAL_KEYS = ("kind", "min_score")
SYNONYMS_FILE = "_synonyms.yaml"
SOURCES_FILE = "_sources.yaml"  # source -> the title students see instead of a file name
RESERVED_FILES = (SYNONYMS_FILE, SOURCES_FILE)
MAX_TITLE_CHARS = 100
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
    # Found only by comparing with the material (--material): the bot, which never reads
    # the material, would still start, so `faq check` must not claim otherwise.
    from_material: bool = False

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
    titles: Mapping[str, str] = field(default_factory=dict)  # from faq/_sources.yaml

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
    files = sorted(p for p in root.glob("*.yaml") if p.name not in RESERVED_FILES)
    if not files:
        return None, [Problem(str(root), 0, None, "no FAQ files (*.yaml) in this directory.")]
    problems: list[Problem] = []
    entries: list[Entry] = []
    layouts: dict[str, list[tuple[int, int]]] = {}
    for path in files:
        entries.extend(_load_file(path, problems, material, layouts.setdefault(str(path), [])))
    synonyms = _load_synonyms(root / SYNONYMS_FILE, problems)
    titles, title_lines = _load_sources(root / SOURCES_FILE, problems)
    _check_across_entries(entries, problems)
    if (root / SOURCES_FILE).exists():
        _check_titles(entries, titles, title_lines, root / SOURCES_FILE, problems)
    if material is not None:
        problems.extend(_check_grounding(entries, layouts, material, synonyms, strict))
    if any(p.severity == "error" for p in problems):
        return None, problems
    warnings = tuple(p for p in problems if p.severity == "warning")
    return KnowledgeBase(tuple(entries), synonyms, str(root), warnings, titles), problems


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
        where = mark.line + 1 if mark else 0
        problems.append(Problem(str(path), where, None, f"YAML syntax: {exc.problem or exc.context}."))
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), 0, None, f"YAML syntax: {exc}."))
    return None


def _load_file(
    path: Path, problems: list[Problem], material_dir: Path | None, layout: list[tuple[int, int]]
) -> list[Entry]:
    """The file's valid entries; `layout` gets (line, key column) of every item, for comment ownership."""
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
    data: dict[str, Any] = yaml.SafeLoader.construct_document(yaml.SafeLoader(""), node)  # type: ignore[arg-type]
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
    if isinstance(data.get("answer"), str) and re.search(r"#\s*grounded\s*:", data["answer"], re.IGNORECASE):
        bad("the answer text contains '# grounded:': indent that comment like the entry's keys, "
            "not like the answer's lines, or students will see it.")
    source = data.get("source")
    if isinstance(source, str) and source.strip():
        source = source.strip()
        why = _not_a_file_name(source)
        if why:
            bad(f"'source' must be a document's file name, like career-after-graduation.txt; '{source}' {why}.")
        elif material_dir is not None and source == STAFF_SOURCE and kind in (EntryKind.ANSWER, EntryKind.TOUR):
            bad(f"'{kind.value}' entries must cite a document in {material_dir}; "
                f"'{STAFF_SOURCE}' is for hand-off and small-talk entries.", from_material=True)
        elif material_dir is not None and source != STAFF_SOURCE and not (material_dir / source).is_file():
            bad(f"'source' names '{source}', which is not a document in {material_dir}.", from_material=True)
    if len(problems) > before:
        return None
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


def _not_a_file_name(source: str) -> str:
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


def _load_sources(path: Path, problems: list[Problem]) -> tuple[dict[str, str], dict[str, int]]:
    """`faq/_sources.yaml`: `source: "Title"` lines, so students see a title, never a file name.

    Returns (titles, line of each source) so later checks can point at the line to fix.
    """
    if not path.exists():
        return {}, {}
    node = _parse(path, problems)
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
        why = _not_a_file_name(source) if source else "is not a name"
        value = yaml.SafeLoader.construct_document(yaml.SafeLoader(""), value_node)  # type: ignore[arg-type]
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


def _check_titles(entries: list[Entry], titles: Mapping[str, str], lines: Mapping[str, int], path: Path,
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


_CLAIM_LABELS = {"number": "the number", "amount": "the amount", "percentage": "the percentage",
                 "name": "the name", "promise": "the promise"}


def _check_grounding(
    entries: list[Entry], layouts: Mapping[str, list[tuple[int, int]]], material: Path,
    synonyms: Mapping[str, tuple[str, ...]], strict: bool,
) -> list[Problem]:
    """Numbers, names and promises each answer states that its document does not, plus problems with
    `# grounded:` comments. Warnings, or errors when `strict`; staff-written entries are exempt."""
    severity = "error" if strict else "warning"
    out: list[Problem] = []

    def report(file: str, line: int, entry_id: str | None, message: str) -> None:
        out.append(Problem(file, line, entry_id, message, severity, from_material=True))

    try:
        syn = synonym_map(synonyms)
    except ValueError:  # already reported by _load_synonyms
        syn = {}
    documents: dict[str, Document | None] = {}
    by_file: dict[str, dict[int, Entry]] = {}
    for e in entries:
        by_file.setdefault(e.file, {})[e.line] = e
    for file, by_line in by_file.items():
        justifications, malformed = find_justifications(Path(file).read_text(encoding="utf-8"))
        layout = layouts.get(file, [])
        for line, column, message in malformed:
            start = _owner(layout, line, column)
            report(file, line, by_line[start].id if start in by_line else None, message)
        owned: dict[int, list[Justification]] = {}
        for j in justifications:
            start = _owner(layout, j.line, j.column)
            if start is None:
                report(file, j.line, None, f'# grounded: "{j.term}" is outside any entry; '
                                           "indent it like the keys of the entry it justifies.")
            else:
                owned.setdefault(start, []).append(j)
        for e in by_line.values():
            comments = owned.get(e.line, [])
            if e.source == STAFF_SOURCE:
                for j in comments:
                    report(file, j.line, e.id, f"entries with source '{STAFF_SOURCE}' are not checked against "
                                               "a document; remove this # grounded: comment.")
                continue
            if e.source not in documents:
                documents[e.source] = _read_document(material / e.source, e, syn, out)
            document = documents[e.source]
            if document is None:
                continue
            found = ungrounded(e.answer, document, syn)
            vouched = {term_key(j.term, syn) for j in comments if j.reason}
            for c in found:
                if c.key not in vouched:
                    report(file, e.line, e.id,
                           f'answer states {_CLAIM_LABELS[c.kind]} "{c.text}", which {e.source} does not; correct '
                           f'the answer, or vouch for it in this entry with  # grounded: "{c.text}" — <why it is true>')
            keys = {c.key for c in found}
            for j in comments:
                if not j.reason:
                    report(file, j.line, e.id, f'# grounded: "{j.term}" gives no reason, so it does not count; '
                                               "add why it is true after the term.")
                elif term_key(j.term, syn) not in keys:
                    report(file, j.line, e.id, f'# grounded: "{j.term}" justifies nothing: it is not a number, '
                                               f"name or promise of this answer missing from {e.source}; remove it.")
    return sorted(out, key=lambda p: (p.file, p.line))


def _owner(layout: list[tuple[int, int]], line: int, column: int) -> int | None:
    """The start line of the entry whose block holds a comment at (line, column): the last entry
    starting above it, if the comment is indented at least like that entry's keys."""
    starts = [(start, col) for start, col in layout if start <= line]
    return starts[-1][0] if starts and column >= starts[-1][1] else None


def _read_document(path: Path, entry: Entry, synonyms: Mapping[str, str], out: list[Problem]) -> Document | None:
    """The indexed document, or None after one error naming the first entry that cites it."""
    try:
        return Document(path.read_text(encoding="utf-8"), synonyms)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else exc.strerror
        out.append(Problem(entry.file, entry.line, entry.id, f"cannot read {path} as UTF-8 text ({reason}).",
                           from_material=True))
        return None

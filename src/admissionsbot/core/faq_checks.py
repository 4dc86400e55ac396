"""Checks across the whole FAQ: duplicate ids and phrasings, near-duplicates, grounding in the material."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rapidfuzz import fuzz, process

from .faq_problems import Problem
from .grounding import STAFF_SOURCE, Document, Justification, find_justifications, term_key, ungrounded
from .models import Entry
from .normalize import normalize, synonym_map

NEAR_DUPLICATE = 92.0  # rapidfuzz ratio on normalised text at which two entries blur
BLOCKING_WORDS = 3  # a phrasing is compared with those sharing one of its 3 rarest words


def check_across_entries(entries: list[Entry], problems: list[Problem]) -> None:
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
    for i, j, score in near_duplicates(keys):
        a, b = owner[keys[i]], owner[keys[j]]
        if a.id != b.id:
            problems.append(Problem(
                b.file, b.line, b.id,
                f"phrasing '{keys[j]}' is a near-duplicate ({score:.0f}) of '{keys[i]}' in entry '{a.id}'; "
                "the matcher cannot tell them apart.",
                severity="warning",
            ))


def near_duplicates(keys: list[str], cutoff: float = NEAR_DUPLICATE) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of normalised phrasings with rapidfuzz ratio >= cutoff, without comparing every pair.

    Two texts that close share most of their words, so each text is compared only with
    the texts that contain one of its BLOCKING_WORDS rarest words (an inverted index):
    linear in practice where the all-pairs scan took 34 s at 30,000 phrasings. A pair
    whose rarest words all differ (every rare word misspelt) is not found; the
    matcher's own typo handling covers that case.
    """
    postings: dict[str, list[int]] = {}
    words = [sorted(set(key.split())) for key in keys]
    for i, ws in enumerate(words):
        for w in ws:
            postings.setdefault(w, []).append(i)
    found: list[tuple[int, int, float]] = []
    for i, ws in enumerate(words):
        rare = sorted(ws, key=lambda w: (len(postings[w]), w))[:BLOCKING_WORDS]
        candidates = sorted({j for w in rare for j in postings[w] if j > i})
        if candidates:  # one C++ scan over the candidates rather than a Python call per pair
            texts = [keys[j] for j in candidates]
            for _, score, k in process.extract(keys[i], texts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
                found.append((i, candidates[k], score))
    return sorted(found)


_CLAIM_LABELS = {"number": "the number", "amount": "the amount", "percentage": "the percentage",
                 "name": "the name", "promise": "the promise"}


def check_grounding(
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

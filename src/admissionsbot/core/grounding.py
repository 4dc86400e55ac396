"""Grounding: does an FAQ answer state a fact its cited document does not?

Answers are written in our own words, so a word missing from the source is not
yet an invention; flagging every one would bury the real problems. What a
student takes as a fact is narrower, and that is what is checked:

- numbers, amounts, percentages and years ("$25,000", "95%", "two", "2025");
- names: capitalised words inside a sentence ("Abbey Road Studios", "Sony");
- promises: absolute words ("guaranteed", "always", "required", "placement")
  and universal quantifiers ("every student", "all graduates").

Each must be found in the document after the matcher's normalisation (case,
accents, apostrophes, synonyms) plus a light stemmer, so "Studios" finds
"studio" and "$100,000" finds "$100,000+". Whatever is left is reported; an
editor who knows it is true says so with a justification comment in the entry
(`# grounded: "<term>" — <why>`), one comment per term, so every exception is
explicit and reviewable. This module is pure: text in, claims out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .normalize import STOP_WORDS, normalize

__all__ = [
    "STAFF_SOURCE", "Claim", "Document", "Justification", "claims", "find_justifications", "term_key", "ungrounded",
]

STAFF_SOURCE = "admissions-team"
"""The `source` of staff-written entries (hand-offs, small talk): there is no document to check them against."""

PROMISE_WORDS = frozenset(
    """guarantee guaranteed guarantees promise promised promises always never must require required requires
    requirement requirements mandatory compulsory ensure ensures assured everyone everybody free accredited
    accreditation certified certification licensed placement placements lifetime forever best top leading
    largest biggest""".split()
)
"""Words a student reads as a commitment or a ranking. "nobody" is left out on purpose: it mostly
hedges ("nobody can promise you a job"). Extend with care: every word here must be in the source."""

QUANTIFIERS = frozenset({"every", "all", "each"})
_DETERMINERS = frozenset({"of", "the", "our", "your", "my", "their", "these", "those", "its", "his", "her"})
_QUANTIFIER_WINDOW = 6  # "every ... student" counts as found when at most this many words apart in one sentence

_NUMBER_WORDS = {
    w: str(n) for n, w in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()) if w != "_"
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
     "ninety": "90", "hundred": "100", "thousand": "1000", "million": "1000000", "dozen": "12"}
# "one" is not here: in prose it is nearly always a pronoun ("having done one"), not a count.

_NUMBER = re.compile(
    r"(?<![\w.,])(?P<cur>[$€£¥])?\s?(?P<num>\d+(?:[.,:]\d+)*)"
    r"(?:\s?(?P<mult>k|thousand|million|billion)\b)?"
    r"(?:\s?(?P<unit>%|percent\b|per\s?cent\b|dollars\b|usd\b))?\+?",
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1000, "thousand": 1000, "million": 10**6, "billion": 10**9}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[^\s/—–]+")
_EDGE = "\"'“”‘’()[]{}<>,;:.!?*_…-"
_I_FORMS = frozenset({"i", "i'm", "i've", "i'll", "i'd", "i’m", "i’ve", "i’ll", "i’d"})
_JUSTIFICATION = re.compile(r"^(?P<indent>\s*)#\s*grounded\s*:(?P<rest>.*)$", re.IGNORECASE)
_JUSTIFIED_TERM = re.compile(r"""\s*["“](?P<term>[^"”]+)["”]\s*(?:[—–:-]+\s*)?(?P<reason>.*)$""")


def stem(word: str) -> str:
    """Crude suffix stripping, applied identically to answer and document: consistency, not linguistics."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "running" -> "run"
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _words(text: str, synonyms: Mapping[str, str] | None) -> list[str]:
    return [stem(w) for w in normalize(text, synonyms).split()]


def term_key(term: str, synonyms: Mapping[str, str] | None = None) -> str:
    """The form a claim and a justification comment are compared in, so `"$25,000"` names `$25,000`."""
    return " ".join(_words(term, synonyms))


@dataclass(frozen=True)
class Claim:
    """One fact-like piece of an answer. `value` is set for numbers: currency or % prefix + canonical digits."""

    text: str  # as the editor will recognise it: "$25,000", "Abbey Road Studios", "every student"
    kind: str  # "number" | "amount" | "percentage" | "name" | "promise"
    key: str
    value: str = ""


def _number_value(match: re.Match[str]) -> tuple[str, str]:
    """(unit, canonical value): "$100,000+" and "100k dollars" both give ("$", "100000")."""
    raw, unit = match["num"].replace(",", ""), match["cur"] or ""
    tail = (match["unit"] or "").lower()
    if tail in ("dollars", "usd"):
        unit = "$"
    elif tail:
        unit = "%"
    try:
        number = Decimal(raw) * _MULTIPLIERS.get((match["mult"] or "").lower(), 1)
        return unit, format(number.normalize(), "f")
    except InvalidOperation:  # "9:30"
        return unit, raw


def _numbers(text: str) -> Iterator[tuple[str, str, str]]:
    """(text as written, unit, value) for digit numbers and number words."""
    for m in _NUMBER.finditer(text):
        unit, value = _number_value(m)
        yield m.group().strip().rstrip("+"), unit, value
    for word in normalize(text).split():
        if word in _NUMBER_WORDS:
            yield word, "", _NUMBER_WORDS[word]


def _names(text: str) -> Iterator[str]:
    """Runs of capitalised words. A lone capital at a sentence start is ordinary English ("Honestly,"),
    so there a word counts only as part of a longer run or when it looks like a name (SAE, F.I.R.S.T., McGill)."""
    run: list[str] = []
    run_at_start = at_start = True
    for m in _TOKEN.finditer(text):
        raw = m.group()
        core = raw.strip(_EDGE)
        lead = raw[: raw.find(core)] if core else raw
        trail = raw[len(lead) + len(core):]
        capital = bool(core) and core[0].isupper() and core.lower() not in _I_FORMS
        abbreviation = trail == "." and "." in core  # "F.I.R.S.T." does not end a sentence
        if run and (not capital or lead):
            yield from _name_of(run, run_at_start)
            run = []
        if capital:
            if not run:
                run_at_start = at_start
            run.append(core + "." if abbreviation else core)
        if trail and not abbreviation:
            yield from _name_of(run, run_at_start)
            run = []
        at_start = any(c in ".!?:" for c in trail) and not abbreviation if core else at_start
    yield from _name_of(run, run_at_start)


def _name_of(run: list[str], at_start: bool) -> Iterator[str]:
    if at_start and run and normalize(run[0]) in STOP_WORDS | QUANTIFIERS:
        run = run[1:]  # "The Recording Arts program" -> "Recording Arts"
        at_start = False
    if not run or all(w in STOP_WORDS for w in normalize(" ".join(run)).split()):
        return
    first = run[0]
    if at_start and len(run) == 1 and not ("." in first or any(c.isupper() for c in first[1:])):
        return
    yield " ".join(run)


def _promises(sentence: list[str]) -> Iterator[str]:
    """Promise words and "every/all/each <noun>" phrases in one normalised sentence."""
    for i, word in enumerate(sentence):
        if word in PROMISE_WORDS:
            yield word
        elif word in QUANTIFIERS:
            j = i + 1
            while j < len(sentence) and sentence[j] in _DETERMINERS:
                j += 1
            if j < len(sentence) and sentence[j] not in STOP_WORDS | QUANTIFIERS:
                yield " ".join(sentence[i: j + 1])


def claims(answer: str, synonyms: Mapping[str, str] | None = None) -> list[Claim]:
    """Every number, name and promise the answer states, once each, in reading order."""
    found: dict[str, Claim] = {}

    def add(claim: Claim) -> None:
        found.setdefault(f"{claim.kind}:{claim.key}:{claim.value}", claim)

    for text, unit, value in _numbers(answer):
        kind = {"$": "amount", "€": "amount", "£": "amount", "¥": "amount", "%": "percentage"}.get(unit, "number")
        add(Claim(text, kind, term_key(text, synonyms), unit + value))
    for name in _names(answer):
        add(Claim(name, "name", term_key(name, synonyms)))
    for sentence in _SENTENCE_END.split(answer):
        for text in _promises(normalize(sentence, synonyms).split()):
            add(Claim(text, "promise", term_key(text, synonyms)))
    return list(found.values())


class Document:
    """A source document indexed once for every answer that cites it."""

    def __init__(self, text: str, synonyms: Mapping[str, str] | None = None) -> None:
        self._flat = f" {' '.join(_words(text, synonyms))} "
        self._stems = frozenset(self._flat.split())
        self._sentences = [[stem(w) for w in normalize(s, synonyms).split()] for s in _SENTENCE_END.split(text)]
        numbers = [(unit, value) for _, unit, value in _numbers(text)]
        self._values = {unit + value for unit, value in numbers} | {value for _, value in numbers}

    def supports(self, claim: Claim) -> bool:
        """Whether the document states this claim (a unit-less number matches the same value with any unit)."""
        if claim.value:
            return claim.value in self._values
        if claim.kind == "promise" and " " in claim.text:
            q, target = claim.key.split()[0], claim.key.split()[-1]
            return any(
                target in s[i + 1: i + 1 + _QUANTIFIER_WINDOW]
                for s in self._sentences for i, w in enumerate(s) if w == q
            )
        if claim.kind == "promise":
            return claim.key in self._stems
        return f" {claim.key} " in self._flat


def ungrounded(answer: str, document: Document, synonyms: Mapping[str, str] | None = None,
               justified: Collection[str] = ()) -> list[Claim]:
    """The answer's claims the document does not state, minus those whose key is in `justified`."""
    return [c for c in claims(answer, synonyms) if not document.supports(c) and c.key not in justified]


@dataclass(frozen=True)
class Justification:
    """`# grounded: "<term>" — <why>` in an entry: the editor vouches for one term the source lacks."""

    line: int
    column: int
    term: str
    reason: str


def find_justifications(text: str) -> tuple[list[Justification], list[tuple[int, int, str]]]:
    """Every full-line `# grounded:` comment in a YAML file, and (line, column, problem) for malformed ones.

    Full-line comments only: inside a block scalar a `#` is answer text, which knowledge.py rejects."""
    good: list[Justification] = []
    bad: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        m = _JUSTIFICATION.match(line)
        if m is None:
            continue
        term = _JUSTIFIED_TERM.match(m["rest"])
        if term is None or not term["term"].strip():
            bad.append((number, len(m["indent"]), 'write a justification as  # grounded: "<term>" — <why it is true>'))
            continue
        good.append(Justification(number, len(m["indent"]), term["term"].strip(), term["reason"].strip()))
    return good, bad

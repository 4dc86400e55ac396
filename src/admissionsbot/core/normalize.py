"""The one text normaliser, applied to FAQ phrasings and incoming questions alike.

Matching only works if both sides are cleaned the same way, so every piece of
text the matcher sees goes through `normalize`. It is total: any `str`
(emoji only, NULs, lone surrogates, 10,000 characters) gives a string, never
an exception, because it runs on untrusted chat input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ["STOP_WORDS", "normalize", "synonym_map", "tokenize"]

# Apostrophe look-alikes students type or phones substitute.
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u00b4`\u2032\uff07"})

# Whole-word contractions and chat shorthand, checked before the generic
# suffix rules. Ambiguous forms are left alone on purpose: "id" (an ID card),
# "ill", "well", "were", "wed", "shed", "its" and "lets" are real words.
_WHOLE_WORDS: dict[str, str] = {
    "can't": "can not", "cant": "can not", "cannot": "can not",
    "won't": "will not", "wont": "will not", "shan't": "shall not",
    "ain't": "is not", "let's": "let us", "y'all": "you all",
    "i'm": "i am", "im": "i am", "i'd": "i would", "i've": "i have",
    "ive": "i have", "i'll": "i will",
    "dont": "do not", "doesnt": "does not", "didnt": "did not",
    "isnt": "is not", "arent": "are not", "wasnt": "was not",
    "werent": "were not", "havent": "have not", "hasnt": "has not",
    "hadnt": "had not", "wouldnt": "would not", "couldnt": "could not",
    "shouldnt": "should not", "mustnt": "must not",
    "whats": "what is", "thats": "that is", "theres": "there is",
    "wheres": "where is", "hows": "how is", "whos": "who is",
    "youre": "you are", "theyre": "they are", "youve": "you have",
    "weve": "we have", "theyve": "they have", "youll": "you will",
    "theyll": "they will", "youd": "you would", "theyd": "they would",
    "wanna": "want to", "gonna": "going to", "gotta": "got to",
    "pls": "please", "plz": "please", "pleas": "please",
    "thx": "thanks", "thnx": "thanks", "tx": "thanks",
    "u": "you", "ur": "your",
}

# Pronouns and question words whose "'s" means "is"; on other words it is a possessive.
_S_IS = frozenset(
    "it he she that what where who how there here when why which this".split()
)

_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("n't", " not"),
    ("'re", " are"),
    ("'ve", " have"),
    ("'ll", " will"),
    ("'d", " would"),
    ("'m", " am"),
)

# `_clean_chars` for ASCII text: lower case, the backtick as an apostrophe, every other
# character that is not a letter, digit or apostrophe a space.
_ASCII_CLEAN = {
    i: (chr(i).lower() if chr(i).isalnum() or chr(i) == "'" else "'" if chr(i) == "`" else " ")
    for i in range(128)
}

_WORD_RE = re.compile(r"[\w']+")
_NON_WORD_RE = re.compile(r"[^\w']+")

STOP_WORDS: frozenset[str] = frozenset(
    """
    a an the and or but if so then than too very just also only really
    i me my mine myself we us our ours you your yours he him his she her it its
    they them their this that these those there here
    am is are was were be been being do does did doing done have has had having
    will would shall should can could may might must
    of to in on at by for from with about as into onto over under up out off
    what which who whom whose when where why how
    hi hey hello please thanks thank ok okay yes no not
    any some all each every own same such other
    again still even ever now soon yet already
    get got getting want wanted need needed like know wondering wonder
    tell let go going
    """.split()
)
"""Function words and chat filler. The matcher down-weights these rather than
dropping them (dropping cost ~2 points top-1 on BANKING77); an input made of
nothing else is treated as meaningless."""


def _expand(word: str) -> str:
    """Expand one apostrophe-bearing or shorthand word; drop possessive 's."""
    full = _WHOLE_WORDS.get(word)
    if full is not None:
        return full
    if "'" not in word:
        return word
    for suffix, expansion in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)] + expansion  # "didn't" -> "did not"
    if word.endswith("'s"):
        stem = word[:-2]
        return stem + " is" if stem in _S_IS else stem
    return word.replace("'", "")


def _clean_chars(text: str) -> str:
    """Case-fold, strip accents and turn everything but letters, digits and apostrophes into spaces."""
    if text.isascii():  # most text: one C-speed table lookup per character gives the same result
        return text.translate(_ASCII_CLEAN)
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_APOSTROPHES)
    out: list[str] = []
    for ch in text:
        if ch.isalnum() or ch == "'":
            out.append(ch)
        else:
            cat = unicodedata.category(ch)
            # accents left by NFKD ("e" + U+0301) and zero-width/format characters vanish
            # so "intern\u200bship" stays one word; everything else separates words.
            if cat[0] != "M" and cat != "Cf":
                out.append(" ")
    return "".join(out)


def normalize(text: str, synonyms: Mapping[str, str] | None = None) -> str:
    """Lower-case, de-accent, expand contractions, drop punctuation/emoji/control
    characters, collapse whitespace and map synonym variants to their canonical word.

    `synonyms` is a variant -> canonical map of single words, as built by `synonym_map`.
    """
    if not isinstance(text, str) or not text:
        return ""
    try:
        cleaned = _clean_chars(text)
    except (ValueError, UnicodeError):  # defensive: never let odd input escape
        cleaned = "".join(ch if ch.isalnum() else " " for ch in text.casefold())
    words: list[str] = []
    for raw in _NON_WORD_RE.split(cleaned):
        if not raw or raw == "_":
            continue
        for word in raw.replace("_", " ").split():
            word = word.strip("'")
            if not word:
                continue
            words.extend(_expand(word).replace("'", "").split())
    if synonyms:
        words = [synonyms.get(w, w) for w in words]
    return " ".join(words)


def tokenize(text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """The normalised words of `text`, stop words included (the matcher weighs them)."""
    return normalize(text, synonyms).split()


def synonym_map(groups: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Invert `{canonical: [variants]}` into `{variant: canonical}`, both sides normalised.

    Synonyms are single words (the FAQ loader accepts nothing else): a form that
    still normalises to several words or none ("a$b", "!!") could never stand
    for one word of a question, so it is left out. A variant listed under two
    different canonical words is a data error, so it raises ValueError naming
    both, rather than silently picking one.
    """
    result: dict[str, str] = {}
    for canonical, variants in groups.items():
        canon = normalize(str(canonical))
        if len(canon.split()) != 1:
            continue
        if isinstance(variants, str):
            variants = [variants]
        for variant in variants or ():
            key = normalize(str(variant))
            if len(key.split()) != 1 or key == canon:
                continue
            previous = result.get(key)
            if previous is not None and previous != canon:
                raise ValueError(
                    f"synonym {variant!r} is listed under both {previous!r} and {canon!r}"
                )
            result[key] = canon
    return result

"""Which messages are questions for the bot, and which are chatter.

Two rules, both pure so they can be tested on their own:

- `is_chatter`: "lol", "hmm", "ok", "asdfghjkl", a bare number. Such a message
  gets a short nudge on what the bot can help with, never a ticket.
- `addressed_to_bot`: in a help channel (where the bot reads every message)
  students also talk to each other. The bot takes a message as a question for
  it when it mentions the bot or replies to the bot; otherwise only when it
  neither mentions nor replies to someone else and reads as a question (a "?",
  or opening with a question word such as "how", "can", "is"). Everything else
  is left alone: no answer, no nudge, no ticket.
"""

from __future__ import annotations

import re
import unicodedata

from .normalize import STOP_WORDS

#: One-word (or two-word) replies that carry no question.
FILLERS = frozenset("""
    ok okay k kk okk okey oki alright aight sure cool nice great wow woah whoa omg oh ah aha uh um umm er
    lol lmao lmfao rofl haha hahaha hehe heh xd yes yeah yep yup ya yea no nope nah nop same true fr bruh
    idk dunno meh hm hmm hmmm mhm test testing ping gg np brb afk lmk ikr smh tbh
""".split()) | {"i see", "oh ok", "oh okay", "ok cool", "ok then", "ah ok", "never mind", "nevermind", "nvm"}
YES_WORDS = frozenset({"yes", "y", "yeah", "yep", "yup", "ya", "yea", "sure", "ok", "okay", "please", "yes please",
                       "go ahead", "do it", "pass it on", "send it", "sure thing"})
NO_WORDS = frozenset({"no", "n", "nope", "nah", "no thanks", "no thank you", "not now", "don't", "dont"})

_REPEATS = re.compile(r"^(?:h+m+|m+h*|a+h+|o+h+|u+h*m*|e+r+m*|l+o+l+|(?:ha)+h?|(?:he)+h?|x+d+|k+|o+k+|z+)$")
_NUMBER = re.compile(r"^[\d\s.,:+\-/#%$]+$")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_VOWEL = re.compile(r"[aeiouy]")
QUESTION_WORDS = frozenset("""
    what whats what's how hows how's when where wheres where's why who whos who's which whom whose
    can could do does did is are am was were will would should shall may might must have has had
    any anyone anybody tell explain help need want wondering looking interested info information
    pls please plz
""".split())


def plain(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces folded: what the rules compare."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s'$%#.,:/+-]", " ", letters).replace("_", " ").split()).strip(" .,:!?-")


def is_chatter(text: str) -> bool:
    """True for a message that is no question at all: filler, laughter, a bare number, keyboard mash."""
    flat = plain(text)
    if not flat:
        return False  # nothing readable at all: the caller says so
    if flat in FILLERS or _NUMBER.match(flat):
        return True
    words = flat.replace("'", "").split()
    if all(w in FILLERS or _REPEATS.match(w) for w in words) and len(words) <= 3:
        return True
    if len(words) == 1:
        word = words[0]
        if _REPEATS.match(word):
            return True
        if len(word) >= 5 and word.isalpha() and (_CONSONANT_RUN.search(word) or not _VOWEL.search(word)):
            return True  # "asdfghjkl", "qwrtp"
    return False


def has_content(text: str) -> bool:
    """Whether any word carries meaning beyond function words ("how", "is it", "go ahead" carry none)."""
    return any(w not in STOP_WORDS and w not in FILLERS and len(w) > 2 for w in plain(text).replace("'", " ").split())


def is_yes(text: str) -> bool:
    return plain(text) in YES_WORDS


def is_no(text: str) -> bool:
    return plain(text) in NO_WORDS


def looks_like_question(text: str) -> bool:
    """A "?" anywhere, or a first word that opens a question or a request ("how", "can", "tell")."""
    if "?" in text or "\uff1f" in text:
        return True
    words = plain(text).split()
    return bool(words) and words[0] in QUESTION_WORDS


def addressed_to_bot(
    text: str,
    *,
    mentions_bot: bool,
    replies_to_bot: bool,
    mentions_others: bool,
    replies_to_others: bool,
) -> bool:
    """Whether a help-channel message is a question for the bot (see the module docstring)."""
    if mentions_bot or replies_to_bot:
        return True
    if mentions_others or replies_to_others:
        return False
    return looks_like_question(text) and not is_chatter(text)

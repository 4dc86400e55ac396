"""The FAQ rules for entries learned from answered tickets (`learned_by`, `learned_at`, `learned_from`).

A learned entry is staff knowledge: its source is `admissions-team`, and the
grounding check (`faq check --material`) treats it like a hand-off, not as a
claim about the material, because the answer is what the admissions team told
a student. Who learned it and when ride in the entry itself, so a reviewer of
the diff sees them.

The minimum-phrasings rule: a written entry needs 5 alternates, because a
matcher only generalises from several phrasings. A learned entry starts from
one real student question (its canonical question, or an alternate when staff
reword the question), which is exactly what the next student with the same
question types, and the bot answers that at once. So a learned entry needs
MIN_ALTERNATES_LEARNED (0) alternates to load, and `faq check` warns while it
has fewer than the usual 5, until staff add phrasings (the next learns into the
same entry add them one by one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from .limits import STAFF_NAME_CHARS

LEARNED_KEYS = ("learned_by", "learned_at", "learned_from")
MIN_ALTERNATES_LEARNED = 0


def is_learned(data: dict[str, Any]) -> bool:
    return any(key in data for key in LEARNED_KEYS)


def check_learned(data: dict[str, Any], bad: Callable[[str], None]) -> None:
    """Report malformed learned_* keys through `bad` (the entry's own error reporter)."""
    if not is_learned(data):
        return
    by, at, ticket = data.get("learned_by"), data.get("learned_at"), data.get("learned_from")
    if not isinstance(by, str) or not by.strip():
        bad("'learned_by' must name who learned the entry (a learned entry has learned_by and learned_at).")
    elif len(by) > STAFF_NAME_CHARS:
        bad(f"'learned_by' is {len(by)} characters; at most {STAFF_NAME_CHARS}.")
    if not (isinstance(at, date) or (isinstance(at, str) and at.strip())):
        bad("'learned_at' must say when it was learned, like '2026-12-02 10:15 UTC'.")
    if ticket is not None and (isinstance(ticket, bool) or not isinstance(ticket, int) or ticket < 1):
        bad("'learned_from' must be the number of the ticket it was learned from.")


def min_alternates(data: dict[str, Any], written_minimum: int) -> int:
    """How many alternates this entry needs to load."""
    return MIN_ALTERNATES_LEARNED if is_learned(data) else written_minimum

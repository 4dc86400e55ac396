"""Checks on raw user text before it reaches the matcher or the queue.

Chat clients deliver control characters, zero-width joiners and huge pastes;
these helpers make such input safe to store and show, and say clearly what is
wrong with input that cannot be taken.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidInput
from .limits import EMAIL_CHARS, STORED_TEXT_CHARS

_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@"  # local part
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"  # domain labels
    r"\.[A-Za-z]{2,}$"  # top-level domain
)



def clean_text(text: str) -> str:
    """Drop control and zero-width characters (keeping newlines), trim, collapse blank runs."""
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" " if ch == "\t" else ch)
        elif ch in _INVISIBLE:
            continue
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            continue
        else:
            out.append(ch)
    cleaned = re.sub(r"[ \u00a0]+", " ", "".join(out))
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return cleaned.strip()


def for_storage(text: str) -> str:
    """Clean text and cap it so one paste cannot bloat the queue."""
    cleaned = clean_text(text)
    if len(cleaned) > STORED_TEXT_CHARS:
        cleaned = cleaned[:STORED_TEXT_CHARS] + f" [... cut at {STORED_TEXT_CHARS:,} characters]"
    return cleaned


def require_email(email: str) -> str:
    value = clean_text(email)
    if len(value) > EMAIL_CHARS or not _EMAIL.match(value):
        raise InvalidInput(
            f"'{value[:80]}' doesn't look like an email address. Please enter one like name@example.com."
        )
    return value


def require_field(value: str, label: str, max_chars: int, required: bool = True) -> str:
    cleaned = clean_text(value)
    if required and not cleaned:
        raise InvalidInput(f"Please fill in your {label}.")
    if len(cleaned) > max_chars:
        raise InvalidInput(f"Your {label} can be at most {max_chars} characters (it has {len(cleaned)}).")
    return cleaned


def one_line(text: str, limit: int) -> str:
    """Whitespace folded to single spaces, cut with an ellipsis, for listings."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"

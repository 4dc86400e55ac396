"""Canned replies: named texts staff insert into a reply instead of typing the same answer again.

A snippet is added once (`/snippet add`, `admissionsbot snippet add`) and then
named in the Reply form, `/queue reply ... snippet:NAME` or `queue reply
--snippet NAME`; its text goes after what was typed (or is the whole reply).
Names are short lowercase slugs so they are easy to type and to tell apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .errors import InvalidInput
from .limits import REPLY_CHARS, SNIPPET_CHARS, SNIPPET_NAME_CHARS
from .models import Staff
from .textcheck import clean_text

if TYPE_CHECKING:
    from .ports import TicketStore

_NAME = re.compile(rf"^[a-z0-9][a-z0-9_-]{{0,{SNIPPET_NAME_CHARS - 1}}}$")


@dataclass(frozen=True)
class Snippet:
    name: str
    text: str
    created_by: Staff
    created_at: datetime


def snippet_name(name: str) -> str:
    """A name as staff type it (any case, spaces trimmed) -> the stored slug; InvalidInput if unusable."""
    slug = clean_text(name).lower()
    if not _NAME.match(slug):
        raise InvalidInput(f"A snippet name is 1 to {SNIPPET_NAME_CHARS} lowercase letters, digits, '-' or '_', "
                           f"starting with a letter or digit (like 'fees-link'); {name[:60]!r} is not.")
    return slug


def snippet_text(text: str) -> str:
    body = clean_text(text)
    if not body:
        raise InvalidInput("A snippet needs some text.")
    if len(body) > SNIPPET_CHARS:
        raise InvalidInput(f"A snippet can be at most {SNIPPET_CHARS:,} characters (this one has {len(body):,}).")
    return body


def compose(typed: str, snippet: Snippet | None) -> str:
    """The reply: what was typed, then the snippet's text (either may be missing, not both)."""
    parts = [p for p in (clean_text(typed), snippet.text if snippet else "") if p]
    body = "\n\n".join(parts)
    if len(body) > REPLY_CHARS:
        raise InvalidInput(f"With the snippet the reply has {len(body):,} characters; at most {REPLY_CHARS:,} fit. "
                           "Shorten what you typed.")
    return body


def unknown(name: str, known: list[Snippet]) -> InvalidInput:
    names = ", ".join(s.name for s in known[:30]) or "none yet (add one with /snippet add)"
    return InvalidInput(f"There is no snippet called {name!r}. Snippets: {names}.")


class Snippets:
    """Add, list, remove and look up snippets over the store (`SnippetStore` methods of the TicketStore)."""

    def __init__(self, store: TicketStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def add(self, name: str, text: str, by: Staff) -> Snippet:
        snippet = Snippet(snippet_name(name), snippet_text(text), by, self.clock())
        if not self.store.add_snippet(snippet):
            raise InvalidInput(f"A snippet called {snippet.name!r} exists already; remove it first to replace it.")
        return snippet

    def all(self) -> list[Snippet]:
        return self.store.snippets()

    def get(self, name: str) -> Snippet:
        slug = snippet_name(name)
        found = self.store.snippet(slug)
        if found is None:
            raise unknown(slug, self.store.snippets())
        return found

    def remove(self, name: str) -> None:
        slug = snippet_name(name)
        if not self.store.remove_snippet(slug):
            raise unknown(slug, self.store.snippets())

    def expand(self, typed: str, name: str | None) -> str:
        """The reply text for `typed` plus the named snippet (no name: `typed` as it is)."""
        if not (name and name.strip()):
            return typed
        return compose(typed, self.get(name))

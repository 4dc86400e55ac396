"""Use FAQ files changed on disk without a restart (a learn from the CLI, an edit, another process).

Checked at the start of every student turn (`Conversation.before_turn`), so
the very next question after `admissionsbot faq learn` is matched against the
new file, whichever process wrote it. The check is one directory listing and
a stat per FAQ file (tens of microseconds); a reload happens only when a
file's name, size, inode or modification time changed. A changed FAQ that
does not load (someone is half-way through an edit) is logged once and the
last good FAQ stays in use, as with `/faq reload`; it is tried again when the
files change again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from .answering import Answerer
from .faq_meaning import MEANING_FILE
from .faq_problems import FaqError
from .knowledge import KnowledgeBase, load_knowledge

log = logging.getLogger(__name__)
Signature = tuple[tuple[str, int, int, int], ...]


def signature(directory: str | Path) -> Signature:
    """(name, size, inode, mtime_ns) of every file the loader reads (the YAML and the word-vector
    table); () when unreadable."""
    try:
        with os.scandir(directory) as found:
            out = []
            for item in found:
                wanted = item.name.endswith(".yaml") or item.name == MEANING_FILE
                if wanted and not item.name.startswith(".") and item.is_file():
                    st = item.stat()
                    out.append((item.name, st.st_size, st.st_ino, st.st_mtime_ns))
    except OSError:
        return ()
    return tuple(sorted(out))


class FaqWatch:
    """Reload `answerer` from `directory` when its files change; `seen` is the signature it was loaded at."""

    def __init__(self, answerer: Answerer, directory: str | Path, seen: Signature | None = None,
                 loader: Callable[[str | Path], KnowledgeBase] = load_knowledge) -> None:
        self.answerer = answerer
        self.directory = Path(directory)
        self.loader = loader
        self._seen = signature(directory) if seen is None else seen
        self._lock = threading.Lock()

    def check(self) -> bool:
        """Reload if the files changed since the last look; True when a new FAQ is now in use."""
        if signature(self.directory) == self._seen or not self._lock.acquire(blocking=False):
            return False  # unchanged, or another thread is reloading right now
        try:
            now = signature(self.directory)
            if now == self._seen:
                return False
            try:
                knowledge = self.loader(self.directory)
            except FaqError as exc:
                self._seen = now  # not again until the files change again
                log.warning("The FAQ changed on disk but does not load; the last good version stays in use.\n%s", exc)
                return False
            self.answerer.reload(knowledge)
            self._seen = now
            log.info("FAQ reloaded from %s: %d entries.", self.directory, len(knowledge.entries))
            return True
        finally:
            self._lock.release()

    def loaded(self, knowledge: KnowledgeBase, seen: Signature) -> None:
        """Someone in this process loaded `knowledge` from the files as they were at `seen`: use it."""
        with self._lock:
            self.answerer.reload(knowledge)
            self._seen = seen

"""Learn from an answered ticket: its question becomes a phrasing of an entry, or a new entry.

One step for staff (`admissionsbot faq learn`, "Add to FAQ" on a Discord card),
and one implementation here:

1. the ticket is read (a question ticket; a new entry's answer defaults to its
   latest staff reply);
2. under a lock on the FAQ folder (two staff learning at once wait for each
   other, whatever process they run in), the FAQ as it is now is loaded, the
   file is edited as text (core/faq_edit.py: only the new lines change), and
   the whole FAQ is validated with the `faq check` rules on a copy of the
   folder holding the edited file. Any error: nothing is written, the errors
   are raised (file, line, entry), the folder is as it was;
3. the file is replaced atomically (a reader sees the old or the new file,
   never half of one), the FAQ is reloaded from disk for the caller to use,
   and the ticket's event log records "learned into entry X".

New entries go to `learned.yaml` in the FAQ folder, a new phrasing to the
target entry's own file. A learned entry's source is `admissions-team`, with
`learned_by`, `learned_at` and `learned_from` (see faq_learned.py for why it
needs no alternates to load).
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from rapidfuzz import fuzz, process

from .desk import TicketDesk, utcnow
from .errors import AdmissionsError
from .faq_edit import EditError, add_alternates, append_entry
from .faq_locking import LockBusy, folder_lock
from .faq_problems import Problem
from .faq_watch import Signature, signature
from .grounding import STAFF_SOURCE
from .knowledge import MAX_QUESTION_CHARS, KnowledgeBase, check_faq, load_knowledge
from .limits import LEARNED_PHRASING_CHARS
from .models import EntryKind, Staff, Ticket, TicketKind
from .normalize import STOP_WORDS, normalize
from .staff import checked_staff, label
from .textcheck import clean_text

LEARNED_FILE = "learned.yaml"
LEARNED_HEADER = (
    "# Entries learned from answered tickets (`admissionsbot faq learn`, or \"Add to FAQ\" on a staff\n"
    "# card in Discord). Review them like any other entry: add phrasings as students write them,\n"
    "# reword the answer, move an entry to its topic file when it grows. Their source is\n"
    "# admissions-team: staff knowledge, not the material.\n"
)
LEARNABLE_KINDS = (EntryKind.ANSWER, EntryKind.HANDOFF)
LOCK_WAIT_SECONDS = 10.0
SUGGESTED_ID_CHARS = 40


class LearnError(AdmissionsError):
    """Nothing was learned or written; `problems` are the FAQ check's errors, if that is why."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems = tuple(problems)
        lines = "".join(f"\n  {p}" for p in self.problems)
        super().__init__(message + lines)


@dataclass(frozen=True)
class NewEntry:
    """What `faq learn N --new ID` creates; None: taken from the ticket."""

    id: str
    question: str | None = None  # None: the ticket's question
    answer: str | None = None  # None: the ticket's latest staff reply
    alternates: tuple[str, ...] = ()
    kind: EntryKind = EntryKind.ANSWER


@dataclass(frozen=True)
class Learned:
    entry_id: str
    file: Path
    new_entry: bool
    phrasings: tuple[str, ...]  # the phrasings this learn added (a new entry's question included)
    diff: str  # unified diff of the file, for review
    warnings: tuple[Problem, ...]  # the FAQ check's warnings about the learned entry
    knowledge: KnowledgeBase  # the FAQ as now on disk
    seen: Signature  # the files' signature that knowledge was loaded at (core/faq_watch.py)
    logged: bool  # False: written, but the ticket's event log could not be updated


class Learner:
    def __init__(self, desk: TicketDesk, faq_dir: str | Path, *, clock: Callable[[], datetime] = utcnow,
                 lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.desk = desk
        self.faq_dir = Path(faq_dir)
        self.clock = clock
        self.lock_wait = lock_wait

    def add_phrasing(self, number: int, staff: Staff, entry_id: str, extra: Sequence[str] = ()) -> Learned:
        """Ticket `number`'s question (and `extra` phrasings) become phrasings of entry `entry_id`."""
        staff = checked_staff(staff)
        ticket = self._question_ticket(number)
        phrasing = _phrasing(ticket.question, f"ticket #{number}'s question")
        with self._locked():
            knowledge = self._current()
            if not knowledge.has(entry_id):
                raise LearnError(_no_such_entry(entry_id, knowledge))
            entry = knowledge.entry(entry_id)
            known = {normalize(p) for p in entry.phrasings}
            new = _distinct([phrasing, *(_phrasing(p, "a phrasing") for p in extra)], known)
            if not new:
                raise LearnError(f"'{phrasing}' is already a phrasing of entry '{entry_id}'; nothing to add.")
            path = Path(entry.file)
            note = f"from ticket #{number}, learned by {label(staff)} on {self.clock():%Y-%m-%d}"
            return self._write(path, lambda text: add_alternates(text, entry_id, new, note), ticket, staff,
                               entry_id, new, created=False)

    def new_entry(self, number: int, staff: Staff, spec: NewEntry) -> Learned:
        """A new entry in learned.yaml from ticket `number` (its question, its latest staff reply by default)."""
        staff = checked_staff(staff)
        ticket = self._question_ticket(number)
        if spec.kind not in LEARNABLE_KINDS:
            raise LearnError(f"A learned entry is an answer or a hand-off, not '{spec.kind.value}'.")
        asked = " ".join(ticket.question.split())
        question = clean_text(spec.question or "") or asked
        if len(question) > MAX_QUESTION_CHARS:
            raise LearnError(f"The question is {len(question)} characters; an entry's question is at most "
                             f"{MAX_QUESTION_CHARS} (it is shown on a button). Give a shorter one (--question); "
                             "the ticket's question becomes a phrasing.")
        answer = clean_text(spec.answer or "") or (ticket.replies[-1].text if ticket.replies else "")
        if not answer:
            raise LearnError(f"Ticket #{number} has no staff reply yet: give the answer (--answer).")
        extra = [asked] if len(asked) <= LEARNED_PHRASING_CHARS else []
        alternates = _distinct([*extra, *(_phrasing(p, "a phrasing") for p in spec.alternates)], {normalize(question)})
        entry_id = spec.id.strip()
        fields: dict[str, object] = {
            "id": entry_id, "question": question, "alternates": alternates, "answer": answer, "source": STAFF_SOURCE,
            "learned_by": label(staff), "learned_at": f"{self.clock():%Y-%m-%d %H:%M} UTC", "learned_from": number}
        if spec.kind is not EntryKind.ANSWER:
            fields = {"id": fields.pop("id"), "kind": spec.kind.value, **fields}
        with self._locked():
            knowledge = self._current()
            if knowledge.has(entry_id):
                where = knowledge.entry(entry_id)
                raise LearnError(f"Entry '{spec.id}' already exists ({where.file}:{where.line}); to add the question "
                                 f"to it, learn into it as an existing entry (--entry {spec.id}).")
            path = self.faq_dir / LEARNED_FILE
            note = f"learned from ticket #{number}"
            return self._write(path, lambda text: append_entry(text, fields, note, LEARNED_HEADER), ticket, staff,
                               entry_id, (question, *alternates), created=True)

    # -- the steps ---------------------------------------------------------------------------
    def _question_ticket(self, number: int) -> Ticket:
        ticket = self.desk.ticket(number)
        if ticket.kind is not TicketKind.QUESTION:
            raise LearnError(f"Ticket #{number} is a tour request; only questions can be learned.")
        return ticket

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with folder_lock(self.faq_dir, self.lock_wait):
                yield
        except LockBusy as exc:
            raise LearnError(str(exc)) from exc

    def _current(self) -> KnowledgeBase:
        knowledge, problems = check_faq(self.faq_dir)
        if knowledge is None:
            raise LearnError(f"The FAQ in {self.faq_dir} has errors already; fix them first (admissionsbot faq "
                             "check). Nothing was learned.", [p for p in problems if p.severity == "error"])
        return knowledge

    def _write(self, path: Path, edit: Callable[[str], str], ticket: Ticket, staff: Staff, entry_id: str,
               phrasings: Sequence[str], *, created: bool) -> Learned:
        """Edit, validate on a copy, replace the file, reload, log. Runs under the folder lock."""
        try:
            old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
            new = edit(old)
        except EditError as exc:
            raise LearnError(f"{path}:{exc.line}: {exc.message}" if exc.line else f"{path}: {exc.message}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise LearnError(f"Cannot read {path}: {exc}.") from exc
        problems = self._check_with(path, new)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise LearnError(f"Learning ticket #{ticket.number} into entry '{entry_id}' would break the FAQ; "
                             "nothing was written.", errors)
        _replace(path, new)
        seen = signature(self.faq_dir)
        knowledge = load_knowledge(self.faq_dir)
        where = f"{self.faq_dir.name}/{path.name}"
        detail = f"into entry '{entry_id}'" + (f" as a new entry ({where})" if created else f" ({where})")
        try:
            self.desk.note(ticket.number, staff.key, "learned", detail)
            logged = True
        except AdmissionsError:
            logged = False
        diff = "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                            f"a/{where}", f"b/{where}"))
        warnings = tuple(p for p in problems if p.severity == "warning" and p.entry_id == entry_id)
        return Learned(entry_id, path, created, tuple(phrasings), diff, warnings, knowledge, seen, logged)

    def _check_with(self, path: Path, text: str) -> list[Problem]:
        """The `faq check` problems of the folder with `path` holding `text`, named by their real files."""
        with tempfile.TemporaryDirectory(prefix="admissionsbot-learn-") as tmp:
            copy = Path(tmp) / "faq"
            copy.mkdir()
            for item in self.faq_dir.iterdir():
                if item.suffix == ".yaml" and item.is_file() and not item.name.startswith("."):
                    shutil.copy2(item, copy / item.name)
            (copy / path.name).write_text(text, encoding="utf-8")
            _, problems = check_faq(copy)
        real, fake = str(self.faq_dir), str(copy)
        return [replace(p, file=real + p.file[len(fake):]) if p.file.startswith(fake) else p for p in problems]


def suggest_id(question: str) -> str:
    """A new entry id from a question's content words ("Can I bring my dog to class?" -> "bring-dog-class")."""
    words = [w for w in normalize(question).split() if w not in STOP_WORDS and w.isascii() and w.isalnum()]
    slug = ""
    for word in words[:4]:
        if len(slug) + len(word) + 1 > SUGGESTED_ID_CHARS:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "learned-entry"


def _phrasing(text: str, what: str) -> str:
    flat = " ".join(clean_text(text).split())
    if not flat:
        raise LearnError(f"{what.capitalize()} is empty.")
    if len(flat) > LEARNED_PHRASING_CHARS:
        raise LearnError(f"{what.capitalize()} is {len(flat)} characters; a phrasing is at most "
                         f"{LEARNED_PHRASING_CHARS}. Learn it as a new entry with a shorter --question instead.")
    return flat


def _distinct(phrasings: Sequence[str], known: set[str]) -> list[str]:
    """Phrasings in order, without those that normalise like a known one or an earlier one."""
    out, seen = [], set(known)
    for p in phrasings:
        key = normalize(p)
        if key and key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _no_such_entry(entry_id: str, knowledge: KnowledgeBase) -> str:
    ids = [e.id for e in knowledge.entries]
    close = [m[0] for m in process.extract(entry_id, ids, scorer=fuzz.ratio, limit=3, score_cutoff=60)]
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (f"There is no FAQ entry '{entry_id}'.{hint} To create one, learn it as a new entry "
            f"(admissionsbot faq learn N --new {entry_id}).")


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (same folder, fsync, rename), keeping the file's mode."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LearnError(f"Cannot write {path}: {exc.strerror or exc}. Nothing was learned.") from exc


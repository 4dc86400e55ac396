"""Privacy: forget one person, export their data, purge old tickets, and the office's own exports.

- `forget(platform, user_id)`: everything about the person (as a student: their
  tickets' questions, names, contact details, links, the staff replies to them,
  their follow-ups, feedback and recorded turns; as a staff member: their name
  and id wherever their key stands) is overwritten or replaced by a random
  pseudonym. Rows are kept, so counts and figures stay right. The audit log
  says who did it, when and how many rows changed, never who was forgotten.
- `export(platform, user_id)`: the same rows as plain JSON, for a data request.
- `purge()`: with `retention_days` set, closed tickets closed longer ago lose
  their personal data the same way (and older feedback and turn texts theirs);
  the bot runs it daily (the leading process only), `admissionsbot privacy purge` on demand.
- `queue_export(...)`: tickets as CSV or JSON rows for the office's own tools,
  without tour contact details unless asked for.

What it cannot reach: copies outside the database (Discord messages already
sent, staff-channel cards until the bot re-renders them, backups, logs kept
elsewhere), and the person's name typed by someone else into another ticket.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput
from .limits import STAFF_NAME_CHARS
from .models import Staff, Ticket
from .staff import label
from .textcheck import require_field

if TYPE_CHECKING:
    from .ports import TicketStore

#: What forgotten names and texts read as afterwards.
FORGOTTEN = "[forgotten]"
FORGOTTEN_STAFF = "[former staff member]"
REMOVED = "[removed: personal data]"
PSEUDONYM_PREFIX = "forgotten-"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str  # a staff key, or "bot" for the daily purge
    action: str  # privacy_forget, retention_purge
    detail: str  # counts only


@dataclass(frozen=True)
class ForgetReport:
    pseudonym: str
    counts: dict[str, int]
    tickets: list[int]  # their tickets: staff-channel cards to re-render
    files: list[str] = field(default_factory=list)  # FAQ files that still name them (edit by hand)

    @property
    def found(self) -> bool:
        return any(self.counts.values())

    def summary(self) -> str:
        parts = [f"{n} {name}" for name, n in self.counts.items() if n]
        return ", ".join(parts) if parts else "nothing was found for that person"


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    tickets: list[int]
    texts: int  # feedback and turn texts removed


def person(platform: str, user_id: str) -> tuple[str, str]:
    """Check a platform and user id typed by staff (a clear message, never a traceback)."""
    plat = require_field(platform, "platform", 20).lower()
    if plat not in ("discord", "console", "cli"):
        raise InvalidInput(f"Unknown platform {platform!r}: use discord (Discord user ids), console (`chat --user` "
                           "names) or cli (staff `--as` names).")
    uid = require_field(user_id, "user id", STAFF_NAME_CHARS)
    if uid.startswith(PSEUDONYM_PREFIX) or uid.startswith("purged-"):
        raise InvalidInput(f"{uid!r} is already a pseudonym: that person's data was removed.")
    return plat, uid


def files_naming(directory: str | Path, needles: Iterable[str]) -> list[str]:
    """The YAML files under `directory` that contain one of `needles` (any case): FAQ entries learned from
    tickets keep who learned them (`learned_by`) and may keep a student's phrasing, in the repository."""
    wanted = [n.casefold() for n in needles if len(n.strip()) >= 3]
    root = Path(directory)
    if not wanted or not root.is_dir():
        return []
    hits = []
    for path in sorted(root.rglob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace").casefold()
        except OSError:
            continue
        if any(n in text for n in wanted):
            hits.append(str(path))
    return hits


class Privacy:
    def __init__(self, store: TicketStore, clock: Callable[[], datetime], retention_days: int = 0,
                 faq_dir: str | None = None) -> None:
        self.store = store
        self.clock = clock
        self.retention_days = retention_days
        self.faq_dir = faq_dir  # searched for mentions the database cannot rewrite

    def forget(self, platform: str, user_id: str, by: Staff) -> ForgetReport:
        plat, uid = person(platform, user_id)
        files = self._files_naming(plat, uid) if self.faq_dir else []  # before: their names are gone after
        pseudonym = PSEUDONYM_PREFIX + secrets.token_hex(6)
        counts, tickets = self.store.forget_person(plat, uid, pseudonym, by, self.clock())
        return ForgetReport(pseudonym, counts, tickets, files)

    def _files_naming(self, platform: str, user_id: str) -> list[str]:
        tables = self.store.personal_data(platform, user_id)
        names = {str(r.get(c) or "") for name in ("tickets", "staff") for r in tables.get(name, [])
                 for c in ("asker_display_name", "contact_name", "name")}
        needles = {f"{platform}:{user_id}", *names} | ({user_id} if len(user_id) >= 5 else set())
        assert self.faq_dir is not None
        return files_naming(self.faq_dir, needles)

    def export(self, platform: str, user_id: str) -> dict[str, Any]:
        plat, uid = person(platform, user_id)
        tables = self.store.personal_data(plat, uid)
        return {"platform": plat, "user_id": uid, "exported_at": self.clock().isoformat(),
                "note": "Every row of the admissions bot's database about this person, table by table.",
                "tables": {name: rows for name, rows in tables.items() if rows}}

    def cutoff(self) -> datetime | None:
        return self.clock() - timedelta(days=self.retention_days) if self.retention_days > 0 else None

    def purge(self, by: Staff | None = None) -> PurgeReport | None:
        """Apply retention_days now; None when it is 0 (personal data is kept)."""
        cutoff = self.cutoff()
        if cutoff is None:
            return None
        tickets, texts = self.store.purge_closed(cutoff, by, self.clock())
        return PurgeReport(cutoff, tickets, texts)


# -- the office's own exports --------------------------------------------------------------------
EXPORT_FIELDS = ("number", "kind", "status", "reason", "created_at", "closed_at", "asker_platform", "asker_user_id",
                 "asker_name", "question", "claimed_by", "replies", "first_reply_at", "followups", "close_reason")
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_preferred_times", "contact_notes")


def parse_since(text: str) -> datetime:
    """YYYY-MM-DD (midnight UTC) or a full ISO time; a clear message otherwise."""
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(), tzinfo=UTC)
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(f"--since {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-09-01.") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def export_rows(tickets: Iterable[Ticket], with_contact: bool = False) -> list[dict[str, Any]]:
    """One flat row per ticket; tour contact details only `with_contact`."""
    rows = []
    for t in tickets:
        row: dict[str, Any] = {
            "number": t.number, "kind": t.kind.value, "status": t.status.value,
            "reason": t.reason.value if t.reason else "", "created_at": t.created_at.isoformat(),
            "closed_at": t.closed_at.isoformat() if t.closed_at else "", "asker_platform": t.asker.platform,
            "asker_user_id": t.asker.user_id, "asker_name": t.asker.display_name, "question": t.question,
            "claimed_by": label(t.claimed_by) if t.claimed_by else "", "replies": len(t.replies),
            "first_reply_at": t.replies[0].created_at.isoformat() if t.replies else "",
            "followups": len(t.followups), "close_reason": t.close_reason or "",
        }
        if with_contact:
            c = t.contact
            row.update(contact_name=c.name if c else "", contact_email=c.email if c else "",
                       contact_preferred_times=c.preferred_times if c else "", contact_notes=c.notes if c else "")
        rows.append(row)
    return rows


def to_csv(rows: list[dict[str, Any]], with_contact: bool = False) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*EXPORT_FIELDS, *(CONTACT_FIELDS if with_contact else ())],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows([{k: _cell(v) for k, v in row.items()} for row in rows])
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (=, +, -, @) is quoted with a leading '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)

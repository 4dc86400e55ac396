"""The knowledge loop's read side, one facade for every front end: figures, gaps, the weekly digest.

`admissionsbot stats` / `faq gaps`, `/stats` / `/faq gaps` and the digest all
call these, so a figure means the same wherever it is shown. Reads only, and
may block (async callers use a worker thread).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from .answering import Answerer
from .desk import utcnow
from .digest import PERIOD, Digest, DigestSchedule, build_digest
from .gaps import Gaps, Similarity, assessor, gap_questions, group_gaps
from .normalize import synonym_map
from .ports import TicketStore
from .stats import Report, build_report


class Insights:
    def __init__(self, store: TicketStore, answerer: Answerer | None = None, *, zone: tzinfo | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.answerer = answerer  # needed for the gaps (closest entry), not for the figures
        self.zone = zone
        self.clock = clock

    def report(self, since: datetime | None = None) -> Report:
        """The figures for turns and tickets at or after `since` (all time when None)."""
        turns = self.store.turns_since(since)
        tickets = self.store.ticket_facts(since)
        return build_report(turns, tickets, self.store.feedback_since(since), self.store.oldest_open_ticket(),
                            now=self.clock(), since=since, zone=self.zone)

    def gaps(self, since: datetime | None = None) -> Gaps:
        """The gap groups at or after `since`, biggest first (needs the FAQ)."""
        if self.answerer is None:
            raise ValueError("the gaps need the FAQ: build Insights with an Answerer")
        knowledge = self.answerer.knowledge
        try:
            synonyms = synonym_map(knowledge.synonyms)
        except ValueError:
            synonyms = {}
        similarity = Similarity((e.phrasings for e in knowledge.entries), synonyms)
        questions, without_text = gap_questions(self.store.ticket_facts(since), self.store.turns_since(since))
        return group_gaps(questions, similarity, assessor(self.answerer), without_text=without_text)

    def digest(self, schedule: DigestSchedule, now: datetime | None = None) -> Digest:
        """The digest of the week that fell due last: the 7 days before that moment."""
        now = now or self.clock()
        due = schedule.due_at(now)
        since = due - PERIOD
        report = self.report(since)
        return build_digest(schedule.week_of(now), report, self.gaps(since))

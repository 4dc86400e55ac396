"""The one place where settings, knowledge base, matcher, desk and store are wired together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .config import Settings
from .core.answering import Answerer
from .core.conversation import Conversation
from .core.desk import TicketDesk, utcnow
from .core.knowledge import load_knowledge
from .core.office_hours import OfficeHours
from .storage import open_store


@dataclass(frozen=True)
class Assistant:
    """Everything a front end needs: the answering side, the ticket desk and the conversation over both."""

    answerer: Answerer
    desk: TicketDesk
    conversation: Conversation

    def shutdown(self) -> None:
        self.desk.shutdown()


def build_answerer(settings: Settings) -> Answerer:
    """Load and validate the FAQ (raises FaqError naming every problem); no database is touched."""
    return Answerer(load_knowledge(settings.faq_dir), settings.decision_settings())


def build_desk(settings: Settings, *, create: bool = True, clock: Callable[[], datetime] = utcnow) -> TicketDesk:
    """Open the ticket store alone (queue commands need no FAQ); `create=False` refuses a missing SQLite file."""
    store = open_store(settings.database_url, create=create)
    return TicketDesk(store, max_live_tickets_per_asker=settings.max_open_tickets_per_user, clock=clock,
                      release_after_hours=settings.release_after_hours)


def build_assistant(settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> Assistant:
    """The FAQ is checked first, so a broken FAQ never touches the database."""
    answerer = build_answerer(settings)
    office_hours = OfficeHours.parse(settings.office_hours, settings.office_days, settings.timezone)
    desk = build_desk(settings, clock=clock)
    return Assistant(answerer, desk, Conversation(answerer, desk, office_hours, clock))

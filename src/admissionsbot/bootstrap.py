"""The one place where settings, knowledge base, matcher, desk and store are wired together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .config import Settings
from .core.answering import Answerer
from .core.conversation import Conversation
from .core.desk import TicketDesk, utcnow
from .core.faq_watch import FaqWatch, signature
from .core.insights import Insights
from .core.knowledge import load_knowledge
from .core.learning import Learner
from .core.office_hours import OfficeHours
from .core.tours import TourRules
from .core.turns import TurnLog
from .storage import open_store


@dataclass(frozen=True)
class Assistant:
    """Everything a front end needs: the answering side, the ticket desk and the conversation over both."""

    answerer: Answerer
    desk: TicketDesk
    conversation: Conversation
    learner: Learner | None = None  # turns answered tickets into FAQ entries (core/learning.py)
    watch: FaqWatch | None = None  # picks up FAQ files changed on disk before each turn
    insights: Insights | None = None  # figures, gaps, the weekly digest

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
    seen = signature(settings.faq_dir)  # before loading: a change made meanwhile is picked up at the first turn
    answerer = build_answerer(settings)
    office_hours = OfficeHours.parse(settings.office_hours, settings.office_days, settings.timezone)
    desk = build_desk(settings, clock=clock)
    watch = FaqWatch(answerer, settings.faq_dir, seen)
    turns = TurnLog(desk.store, clock, keep_text=settings.record_question_text)
    conversation = Conversation(answerer, desk, office_hours, clock, turn_log=turns, before_turn=watch.check,
                                tour_rules=tour_rules(settings))
    return Assistant(answerer, desk, conversation, Learner(desk, settings.faq_dir, clock=clock), watch,
                     build_insights(settings, desk, answerer, clock=clock))


def build_insights(settings: Settings, desk: TicketDesk, answerer: Answerer | None = None, *,
                   clock: Callable[[], datetime] = utcnow) -> Insights:
    """Figures (and, with the FAQ, gaps) over the ticket store; days counted in the `timezone` setting."""
    return Insights(desk.store, answerer, zone=ZoneInfo(settings.timezone), clock=clock)


def tour_rules(settings: Settings) -> TourRules:
    """Campus tours: the school's time zone, how far ahead slots are offered, when reminders go."""
    return TourRules.parse(settings.timezone, settings.tour_days_ahead, settings.tour_reminder_hours)

"""The one place where settings, knowledge base, matcher and store are wired together."""

from __future__ import annotations

from .config import Settings
from .core.knowledge import load_knowledge
from .core.service import AdmissionsService
from .storage import open_store


def build_service(settings: Settings) -> AdmissionsService:
    """Load and validate the FAQ, open the ticket store, return the service.

    Raises FaqError (with every problem) or StorageError (with what to do);
    the FAQ is checked first so a broken FAQ never touches the database.
    """
    knowledge = load_knowledge(settings.faq_dir)
    store = open_store(settings.database_url)
    return AdmissionsService(
        knowledge,
        store,
        settings.decision_settings(),
        max_live_tickets_per_asker=settings.max_open_tickets_per_user,
    )

"""Exceptions the service raises; every one carries a message fit to show a user."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Ticket


class AdmissionsError(Exception):
    """Base class: `str(exc)` is a complete, user-facing sentence."""


class TicketNotFound(AdmissionsError):
    def __init__(self, number: int) -> None:
        super().__init__(f"There is no ticket #{number}.")
        self.number = number


class TransitionError(AdmissionsError):
    """A queue action the ticket's current state does not allow."""


class StorageError(AdmissionsError):
    """The ticket database cannot be opened or written."""


class InvalidInput(AdmissionsError):
    """A question, email or other user input that cannot be accepted."""


class AlreadyFiled(AdmissionsError):
    """The asker already has this very question open; `ticket` is that ticket (nothing new was filed)."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__("This question is already with the admissions team.")
        self.ticket = ticket


class TicketCapReached(InvalidInput):
    """The asker already has the most live tickets allowed; nothing was filed."""

    def __init__(self, live: int) -> None:
        super().__init__(
            f"You already have {live} requests waiting for the admissions team. "
            "They'll reply to those first; please add anything else to your reply then."
        )
        self.live = live

"""Exceptions the service raises; every one carries a message fit to show a user."""

from __future__ import annotations


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

"""A terminal conversation over the conversation layer (`admissionsbot chat`).

One line in, one turn out, so it works at a keyboard and from a pipe alike.
It renders outcomes as text and keeps only what a text front end must: the
Pending state the last outcome left open and the tour form being typed.
Every rule about what to do with a turn lives in core.conversation.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from ..core.conversation import Conversation
from ..core.desk import TicketDesk
from ..core.errors import AdmissionsError
from ..core.handover import typed_follow_up
from ..core.models import Asker, Reply, TicketKind, TourContact
from ..core.outcomes import (
    Answered,
    Clarify,
    Nudge,
    OfferStaff,
    OpenBookingForm,
    OpenTourForm,
    Outcome,
    Pending,
    Refused,
    SmallTalk,
    TicketFiled,
    pending_after,
)
from ..core.textcheck import clean_text, one_line, require_email
from ..core.tours import TourSlot, require_visitors, slot_when
from .console_tours import BOOKING_STEPS, TOUR_OUTCOMES, ConsoleTours

HELP = """I answer questions about studying music production and careers afterwards, from the school's
material; anything I can't answer, I can pass to the admissions team. Just type a question.
Other things you can type:
  tour      request a campus tour
  staff     pass your last question to the admissions team
  tickets   see your requests to the admissions team, their replies, and your tour bookings
  cancel N  cancel your tour booking N (move N: pick another time for it)
  reply N TEXT  answer the admissions team on your ticket N (it is added to that ticket)
  help      this message
  quit      leave (Ctrl-D or Ctrl-C work too)"""

GREETING = ("Hi! I'm the admissions assistant. Ask me about careers in music production; what I can't answer "
            "I can pass to the admissions team. (type 'help' for options)")
BYE = "Bye! Come back any time."
TOUR_NOT_SENT = "Your tour request was NOT sent: the form wasn't finished. Type 'tour' next time to start again."
BOOKING_NOT_MADE = "Your tour was NOT booked: the form wasn't finished. Type 'tour' next time to start again."
CANCEL_WORDS = {"cancel", "stop", "quit", "exit"}
INDENT = "\n     "
#: How long a session holds a staff reply it is printing (longer than any print; a crashed session's ends then).
SHOW_LEASE_SECONDS = 60.0


@dataclass
class _TourForm:
    """The tour request being filled in, one answer per turn."""

    question: str
    answers: dict[str, str] = field(default_factory=dict)
    steps: tuple[tuple[str, str], ...] = (
        ("name", "What's your name?"),
        ("email", "What email should the admissions team use to confirm?"),
        ("preferred_times", "Which dates and times would suit you for the visit?"),
        ("notes", "Anything else we should know? (or type 'no')"),
    )
    slot: TourSlot | None = None  # the time being booked (the booking form); None: the free-text request

    def next_step(self) -> tuple[str, str] | None:
        for key, prompt in self.steps:
            if key not in self.answers:
                return key, prompt
        return None


class ConsoleChat:
    def __init__(self, conversation: Conversation, asker: Asker, out: TextIO) -> None:
        self.conversation = conversation
        self.desk: TicketDesk = conversation.desk
        self.asker = asker
        self.out = out
        self.pending = Pending()
        self._tour: _TourForm | None = None
        self._owner = f"console:{os.getpid()}:{secrets.token_hex(4)}"  # this session, for reply leases
        self.tours = ConsoleTours(self)  # tour times, bookings and their notices (console_tours.py)

    def say(self, text: str) -> None:
        self.out.write(f"bot> {text}\n")
        self.out.flush()

    def run(self, lines: Iterable[str], prompt: Callable[[], None] | None = None) -> None:
        """Converse until the lines run out or the user quits."""
        self.say(GREETING)
        self.show_replies()
        if prompt:
            prompt()
        for raw in lines:
            if not self.turn(raw):
                break
            self.show_replies()
            if prompt:
                prompt()
        self.end()

    def end(self) -> None:
        """End of input (Ctrl-D, Ctrl-C, quit): say what was left unsent, then goodbye."""
        if self._tour is not None:
            form, self._tour = self._tour, None
            self.say(TOUR_NOT_SENT if form.slot is None else BOOKING_NOT_MADE)
        self.say(BYE)

    def turn(self, raw: str) -> bool:
        """Handle one line; False means the user asked to leave."""
        text = clean_text(raw)
        word = text.lower().strip(" .!?")
        try:
            if self._tour is not None:
                return self._tour_turn(text, word)
            if word in ("quit", "exit", "bye!", "/quit"):
                return False
            if not text:
                self.say("Type a question, or 'help' to see what I can do.")
            elif word in ("help", "/help", "?"):
                self.say(HELP)
            elif word in ("tickets", "/tickets", "my tickets"):
                self.show_tickets()
            elif word in ("tour", "/tour"):
                self.render(self.conversation.request_tour(self.asker))
            elif (follow_up := typed_follow_up(text)) is not None:
                self.follow_up(*follow_up)
            elif self.tours.command(word):  # cancel N / move N: a tour booking
                pass
            else:
                self.render(self.conversation.say(self.asker, text, self.pending))
        except AdmissionsError as exc:  # e.g. the database is unreachable: say so, keep the session
            self.say(str(exc))
        return True

    # -- rendering ---------------------------------------------------------------------------
    def render(self, outcome: Outcome) -> None:
        self.pending = pending_after(outcome, self.pending)
        if isinstance(outcome, Answered):
            source = f"{INDENT}(Source: {outcome.source_title})" if outcome.source_title else ""
            self.say(f"{outcome.entry.answer}{source}{INDENT}Not what you asked? Type 'no' for other options, "
                     "or 'staff' to ask the admissions team.")
        elif isinstance(outcome, SmallTalk):
            self.say(outcome.text)
        elif isinstance(outcome, Nudge):
            self.say(f"{outcome.text} (type 'help' for options)")
        elif isinstance(outcome, Clarify):
            lines = [outcome.intro] + [f"  {i}. {e.question}" for i, e in enumerate(outcome.choices, 1)]
            lines.append("  0. None of these: ask the admissions team")
            self.say("\n".join(lines) + f"{INDENT}Type a number.")
        elif isinstance(outcome, OfferStaff):
            self.say(f"{outcome.message}{INDENT}Type 'yes' to pass it on, or just ask something else.")
        elif isinstance(outcome, TicketFiled):
            self.say(self._filed_text(outcome))
        elif isinstance(outcome, OpenTourForm):
            self._start_tour(outcome)
        elif isinstance(outcome, TOUR_OUTCOMES):
            self.tours.render(outcome)
        elif isinstance(outcome, Refused):
            self.say(outcome.reason)

    def _filed_text(self, filed: TicketFiled) -> str:
        ticket = filed.ticket
        if ticket.kind is TicketKind.TOUR and ticket.contact is not None:
            text = f"{filed.lead} (ticket #{ticket.number}). They'll confirm by email at {ticket.contact.email}."
        else:
            text = (f"{filed.lead} Your question is ticket #{ticket.number}; the reply will show up here "
                    "(type 'tickets' any time to check).")
        return text + (INDENT + filed.closed_note if filed.closed_note else "")

    # -- tour flow -------------------------------------------------------------------
    def _start_tour(self, outcome: OpenTourForm) -> None:
        self._tour = _TourForm(outcome.question)
        step = self._tour.next_step()
        assert step is not None
        lead = outcome.intro + INDENT if outcome.intro else "Let's book your campus tour. "
        self.say(f"{lead}(type 'cancel' to stop){INDENT}{step[1]}")

    def start_booking(self, outcome: OpenBookingForm, kept: dict[str, str]) -> None:
        """The booking form for the time picked; answers `kept` from a time that filled up are not asked again."""
        self._tour = _TourForm(outcome.question, kept, BOOKING_STEPS, outcome.slot)
        when = slot_when(outcome.slot, outcome.zone)
        step = self._tour.next_step()
        if step is None:
            self.say(f"Booking the tour on {when} with the details you gave.")
            self._finish()
            return
        self.say(f"Let's book the tour on {when}. (type 'cancel' to stop){INDENT}{step[1]}")

    def _tour_turn(self, text: str, word: str) -> bool:
        assert self._tour is not None
        if word in CANCEL_WORDS:
            self._tour = None
            self.say("OK, tour request cancelled. Ask me anything else.")
            return True
        step = self._tour.next_step()
        assert step is not None
        key, prompt = step
        if key == "notes" and word in ("no", "none", "nope", "n/a", "-"):
            text = ""
        if key != "notes" and not text:
            self.say(prompt)
            return True
        if key in ("email", "visitors"):
            try:
                text = require_email(text) if key == "email" else str(require_visitors(text))
            except AdmissionsError as exc:
                self.say(str(exc))
                return True
        self._tour.answers[key] = text
        following = self._tour.next_step()
        if following:
            self.say(following[1])
            return True
        return self._finish()

    def _finish(self) -> bool:
        """Send the completed form: the tour request, or the booking of the time picked."""
        form = self._tour
        assert form is not None
        try:
            if form.slot is not None:
                outcome = self.tours.submit(form.question, form.slot.id, form.answers)
            else:
                outcome = self.conversation.submit_tour(self.asker, TourContact(**form.answers), form.question)
        except AdmissionsError as exc:  # e.g. the database is briefly unreachable: keep every answer typed
            form.answers.pop("notes", None)
            self.say(f"{exc}{INDENT}Your answers are kept: type your notes again (or 'no') to retry, "
                     "or 'cancel' to stop.")
            return True
        self._tour = None
        if isinstance(outcome, Refused):
            self.say(f"{outcome.reason} Type 'tour' to try again.")
        else:
            self.render(outcome)
        return True

    # -- replies and tickets -------------------------------------------------------
    def show_replies(self) -> None:
        """Print staff replies this asker has not seen yet, each in one session only.

        A student may have two chat sessions open; both find the same pending reply. Each
        takes the reply's lease before printing, so only the session that wins it prints
        it; that one then marks it delivered. Lease first rather than mark first: a reply
        marked but never printed (the terminal closed mid-write, or the process died
        between the two) would be lost, while here a failed print gives the lease back at
        once, and a crash after printing only lets another session show it again once the
        lease ends (SHOW_LEASE_SECONDS): shown twice at worst, never lost. Tour reminders and
        cancellation notices due for this student are shown first, the same way.
        """
        self.tours.show_notices()
        try:
            pending = self.desk.undelivered_replies(self.asker)
        except AdmissionsError as exc:
            self.say(f"(Couldn't check for replies just now: {exc})")
            return
        for _, seen in pending:
            try:
                taken = self.desk.take_reply(seen, self._owner, SHOW_LEASE_SECONDS)
            except AdmissionsError:
                return  # checked again at the next turn
            if taken is None:
                continue  # another session is showing it, or already did
            ticket, reply = taken
            try:
                self.say(f"Reply from the admissions team on ticket #{ticket.number} ({reply.author}):"
                         f"{INDENT}{reply.text}{INDENT}(To answer, type: reply {ticket.number} your message)")
            except BaseException:
                self._give_back(reply)
                raise
            try:
                self.desk.mark_delivered(reply)
            except AdmissionsError:
                return  # shown, not marked: once its lease ends it is shown again rather than lost

    def _give_back(self, reply: Reply) -> None:
        """Printing failed: free the reply at once for the next session (best effort)."""
        try:
            self.desk.release_reply(reply, self._owner)
        except AdmissionsError:
            pass  # its lease ends by itself

    def follow_up(self, number: int, message: str) -> None:
        """`reply N TEXT`: the student answers the admissions team on their ticket N (never a new ticket)."""
        if not message:
            self.say(f"Type your message after the number, e.g. reply {number} Thanks, and what about ...")
            return
        ticket = self.desk.follow_up(self.asker, number, message)
        self.say(f"Added to ticket #{ticket.number}; the admissions team will see it with your question.")

    def show_tickets(self) -> None:
        tickets = self.desk.tickets_for(self.asker)
        if not tickets:
            self.say("You have no requests with the admissions team.")
            return
        lines = ["Your requests to the admissions team:"]
        for t in tickets:
            lines.append(f"  #{t.number} [{t.status.value}] {t.kind.value}: {one_line(t.question, 80)}")
            lines.extend(f"      reply from {r.author}: {one_line(r.text, 200)}" for r in t.replies)
            lines.extend(f"      you wrote: {one_line(f.text, 200)}" for f in t.followups)
        self.say("\n".join(lines + self.tours.booking_lines()))

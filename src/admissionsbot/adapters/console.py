"""A terminal conversation over the AdmissionsService (`admissionsbot chat`).

One line in, one turn out, so it works at a keyboard and from a pipe alike.
It keeps only conversational state (pending "did you mean" choices, the tour
form in progress); everything else is the service's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from ..core.errors import AdmissionsError, InvalidInput
from ..core.models import Action, Asker, Decision, Entry, TourContact
from ..core.service import AdmissionsService, escalation_note
from ..core.textcheck import clean_text, one_line, require_email

HELP = """I answer questions about studying music production and careers afterwards.
Just type a question. Other things you can type:
  tour      request a campus tour
  staff     pass your last question to the admissions team
  tickets   see your requests to the admissions team and their replies
  help      this message
  quit      leave (Ctrl-D or Ctrl-C work too)"""

GREETING = "Hi! I'm the admissions assistant. Ask me anything about our program and careers in music production. (type 'help' for options)"
NONE_WORDS = {"0", "none", "none of these", "neither", "no", "nope", "staff"}
CANCEL_WORDS = {"cancel", "stop", "quit", "exit"}


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

    def next_step(self) -> tuple[str, str] | None:
        for key, prompt in self.steps:
            if key not in self.answers:
                return key, prompt
        return None


class ConsoleChat:
    def __init__(self, service: AdmissionsService, asker: Asker, out: TextIO) -> None:
        self.service = service
        self.asker = asker
        self.out = out
        self._choices: tuple[Entry, ...] = ()
        self._last: Decision | None = None
        self._tour: _TourForm | None = None

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
        self.say("Bye! Come back any time.")

    def turn(self, raw: str) -> bool:
        """Handle one line; False means the user asked to leave."""
        text = clean_text(raw)
        word = text.lower().strip(" .!?")
        if self._tour is not None:
            return self._tour_turn(text, word)
        if word in ("quit", "exit", "bye!", "/quit"):
            return False
        if not text:
            self.say("Type a question, or 'help' to see what I can do.")
            return True
        if word in ("help", "/help", "?"):
            self.say(HELP)
        elif word in ("tickets", "/tickets", "my tickets"):
            self.show_tickets()
        elif word in ("tour", "/tour"):
            self.start_tour("Campus tour request")
        elif word in ("staff", "/staff", "talk to admissions"):
            self.escalate(self._last.question if self._last else None)
        elif self._choices and (word.isdigit() or word in NONE_WORDS):
            self.pick(word)
        elif self._last and self._last.action is Action.ANSWER and word in ("no", "not what i asked", "wrong"):
            self.not_what_i_asked()
        else:
            self.ask(text)
        return True

    def ask(self, text: str) -> None:
        self._choices = ()
        try:
            decision = self.service.ask(text)
        except InvalidInput as exc:
            self.say(str(exc))
            return
        self._last = decision
        self.act(decision)

    def act(self, decision: Decision) -> None:
        if decision.action is Action.ANSWER and decision.entry:
            self.say(f"{decision.entry.answer}\n     (Source: {decision.entry.source})\n"
                     "     Not what you asked? Type 'no' for other options, or 'staff' to ask the admissions team.")
        elif decision.action is Action.SMALLTALK and decision.entry:
            self.say(decision.entry.answer)
        elif decision.action is Action.TOUR:
            self.start_tour(decision.question, decision.entry.answer if decision.entry else None)
        elif decision.action is Action.CLARIFY:
            self.offer(decision.choices, "I'm not sure I understood. Did you mean:")
        else:
            self.escalate(decision.question, escalation_note(decision), decision)

    def offer(self, choices: tuple[Entry, ...], intro: str) -> None:
        self._choices = choices
        lines = [intro] + [f"  {i}. {e.question}" for i, e in enumerate(choices, 1)]
        lines.append("  0. None of these: ask the admissions team")
        self.say("\n".join(lines) + "\n     Type a number.")

    def pick(self, word: str) -> None:
        choices, self._choices = self._choices, ()
        question = self._last.question if self._last else ""
        if word.isdigit() and 1 <= int(word) <= len(choices):
            self.act(self.service.choose(question, choices[int(word) - 1].id))
        elif word.isdigit() and word != "0":
            self._choices = choices
            self.say(f"Please type a number from 0 to {len(choices)}.")
        else:
            self.escalate(question, decision=self._last)

    def not_what_i_asked(self) -> None:
        assert self._last is not None
        if self._last.entry is not None:
            self.service.record_feedback(self.asker, self._last.entry.id, False, self._last.question)
        others = self.service.alternatives(self._last)
        if others:
            self.offer(others, "Sorry about that. Was it one of these?")
        else:
            self.escalate(self._last.question, "Sorry about that. I'll ask a person instead.", self._last)

    def escalate(self, question: str | None, intro: str | None = None, decision: Decision | None = None) -> None:
        if not question:
            self.say("Type your question first, then 'staff' to pass it to the admissions team.")
            return
        try:
            ticket = self.service.escalate(self.asker, question, decision.candidates if decision else ())
        except AdmissionsError as exc:
            self.say(str(exc))
            return
        self._last = None
        if intro:
            self.say(f"{intro} Your question is ticket #{ticket.number}; the reply will show up here "
                     "(type 'tickets' any time to check).")
        else:
            self.say(f"I don't have an answer for that, so I've passed your question to the admissions team "
                     f"(ticket #{ticket.number}). Their reply will show up here; type 'tickets' any time to check.")

    # -- tour flow -------------------------------------------------------------------
    def start_tour(self, question: str, intro: str | None = None) -> None:
        self._tour = _TourForm(question)
        step = self._tour.next_step()
        assert step is not None
        self.say((intro + "\n     " if intro else "Let's book your campus tour. ") + f"(type 'cancel' to stop)\n     {step[1]}")

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
        if key == "email":
            try:
                text = require_email(text)
            except InvalidInput as exc:
                self.say(str(exc))
                return True
        self._tour.answers[key] = text
        following = self._tour.next_step()
        if following:
            self.say(following[1])
            return True
        self._file_tour()
        return True

    def _file_tour(self) -> None:
        assert self._tour is not None
        form, self._tour = self._tour, None
        contact = TourContact(**form.answers)
        try:
            ticket = self.service.request_tour(self.asker, contact, form.question)
        except AdmissionsError as exc:
            self.say(f"{exc} Type 'tour' to try again.")
            return
        self.say(f"Thanks, {contact.name}! Your tour request is with the admissions team (ticket #{ticket.number}). "
                 f"They'll confirm by email at {contact.email}.")

    # -- replies and tickets -------------------------------------------------------
    def show_replies(self) -> None:
        """Print staff replies this asker has not seen yet, then mark them delivered."""
        for ticket, reply in self.service.undelivered_replies(self.asker):
            self.say(f"Reply from the admissions team on ticket #{ticket.number} ({reply.author}):\n     {reply.text}")
            self.service.mark_delivered(reply)

    def show_tickets(self) -> None:
        tickets = self.service.tickets_for(self.asker)
        if not tickets:
            self.say("You have no requests with the admissions team.")
            return
        lines = ["Your requests to the admissions team:"]
        for t in tickets:
            lines.append(f"  #{t.number} [{t.status.value}] {t.kind.value}: {one_line(t.question, 80)}")
            lines.extend(f"      reply from {r.author}: {one_line(r.text, 200)}" for r in t.replies)
        self.say("\n".join(lines))


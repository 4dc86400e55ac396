"""A student's turn -> one Outcome. The dialogue's rules live here and only here.

What files a ticket at once: a hand-off topic (tuition, dates, ...), a message too
long to match on (over max_question_chars), an explicit
request for a person ("staff", "Talk to admissions"), "None of these" under
"did you mean" choices, a confirmed offer, and a tour request. What does not:
a question with no match (the student is offered to pass it on), chatter
("lol", "ok", "asdfghjkl", a bare number) and a stray "yes"/"no" (a nudge).
Front ends render the outcome; they never decide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .answering import NOTHING_TO_MATCH, Answerer
from .chatter import has_content, is_chatter, is_no, is_yes, plain
from .desk import TOUR_QUESTION, TicketDesk, utcnow
from .errors import AdmissionsError, AlreadyFiled, InvalidInput
from .models import Action, Asker, Candidate, Decision, FiledReason, TourContact
from .office_hours import OfficeHours
from .outcomes import (
    Answered,
    Clarify,
    Nudge,
    OfferStaff,
    Outcome,
    Pending,
    Refused,
    SmallTalk,
    TicketFiled,
)
from .records import TurnKind
from .tour_desk import TourDesk
from .tour_dialogue import TourDialogue
from .tours import TourRules
from .turns import TurnLog, student_turn

NUDGE = ("I'm the admissions assistant: ask me a question about studying music production or careers "
         "after graduation, for example \"Do internships pay?\"")
NOTHING_PENDING = "There's nothing open for a yes or no right now. " + NUDGE
ANYTHING_ELSE = "OK! Ask me anything else about studying music production or careers after graduation."
WHOLE_QUESTION = "Could you ask your whole question? For example: \"How long are internships?\""
OFFER = ("I don't have an answer for that in what I know. Shall I pass your question to the admissions team? "
         "A person will reply.")
OFFER_AFTER_REJECT = ("Sorry about that; I have no other answer for it. Shall I pass your question to the "
                      "admissions team? A person will reply.")
DECLINED = "OK, I won't pass it on. Ask me something else any time."
CLARIFY_INTRO = "I'm not sure I understood. Did you mean:"
ALTERNATIVES_INTRO = "Sorry about that. Was it one of these?"
STAFF_FIRST = "Type your question first, then 'staff' to pass it to the admissions team."
STAFF_WORDS = frozenset({"staff", "talk to staff", "talk to a person", "talk to a human", "human", "person",
                         "real person", "talk to admissions", "admissions team", "agent", "speak to someone"})
NOT_WHAT_I_ASKED = frozenset({"no", "nope", "not what i asked", "wrong", "that's wrong", "thats wrong",
                              "not helpful", "wrong answer"})
NONE_WORDS = frozenset({"0", "none", "none of these", "neither", "no", "nope", "staff"})

LEADS = {
    FiledReason.NO_MATCH: "I've passed your question to the admissions team.",
    FiledReason.ASKED: "I've passed your question to the admissions team.",
    FiledReason.NONE_OF_THESE: "OK, none of those. I've passed your question to the admissions team.",
    FiledReason.REJECTED_ANSWER: ("Sorry that answer missed. I've passed your question to the admissions team, "
                                  "with a note of the answer that didn't help."),
    FiledReason.TOO_LONG: "That's a long message, so I've passed it to a person rather than guess.",
}
ALREADY_FILED = "That question is already with the admissions team; they'll reply to it there."
#: Stands in for the question when "Talk to admissions" is pressed with none to read back.
ASKED_FOR_A_PERSON = "(The student asked to talk to the admissions team.)"


class Conversation:
    def __init__(
        self,
        answerer: Answerer,
        desk: TicketDesk,
        office_hours: OfficeHours | None = None,
        clock: Callable[[], datetime] = utcnow,
        *,
        turn_log: TurnLog | None = None,
        before_turn: Callable[[], object] | None = None,
        tour_rules: TourRules | None = None,
    ) -> None:
        self.answerer = answerer
        self.desk = desk
        self.office_hours = office_hours
        self.clock = clock
        self.turn_log = turn_log  # every student turn and its outcome (core/turns.py)
        self.before_turn = before_turn  # e.g. pick up FAQ files learned meanwhile (core/faq_watch.py)
        self.tours = TourDialogue(TourDesk(desk, tour_rules), desk.check_cap, turn_log)  # booking tours by slot

    # -- text turns ----------------------------------------------------------------------
    @student_turn(None)
    def say(self, asker: Asker, text: str, pending: Pending | None = None) -> Outcome:
        """A typed reply, read against what the last outcome left open (numbers, yes/no, 'staff')."""
        pending = pending or Pending()
        word = plain(text)
        if pending.slots and (word.isdigit() or word in NONE_WORDS):  # a tour time by its number
            return self.tours.pick_by_number(asker, word, pending)
        if pending.choices and (word.isdigit() or word in NONE_WORDS):
            return self._pick_by_number(asker, word, pending)
        if pending.offer is not None and is_yes(text):
            offer = pending.offer
            return self.accept_offer(asker, offer.question, offer.rejected_entry, offer.candidates)
        if pending.offer is not None and is_no(text):
            return Nudge(DECLINED)
        if pending.answered and word in NOT_WHAT_I_ASKED:
            return self.not_what_i_asked(asker, pending.question, pending.answered)
        if word in STAFF_WORDS:
            if not pending.question:
                return Nudge(STAFF_FIRST)
            reason = FiledReason.REJECTED_ANSWER if pending.answered else FiledReason.ASKED
            candidates = pending.offer.candidates if pending.offer else ()
            return self.pass_on(asker, pending.question, reason, candidates, rejected_entry=pending.answered)
        if is_yes(text) or is_no(text):  # "no thanks" after an answer is a goodbye, not a question
            return Nudge(ANYTHING_ELSE if pending.question else NOTHING_PENDING)
        return self.ask(asker, text)

    @student_turn(TurnKind.QUESTION)
    def ask(self, asker: Asker, text: str) -> Outcome:
        """A new question: answer, clarify, offer staff, file a hand-off, or open the tour form."""
        if is_chatter(text) or is_yes(text) or is_no(text):
            return Nudge(NUDGE)  # with nothing open, "yes please" or "go ahead" answers nothing
        try:
            decision = self.answerer.ask(text)
        except InvalidInput:
            return Nudge(NOTHING_TO_MATCH + " " + NUDGE)
        if decision.action is Action.ESCALATE and decision.reason == "no match" and not has_content(text):
            return Nudge(WHOLE_QUESTION)  # "how?", "is it": a fragment, not a question to pass on
        return self._act(asker, decision)

    def _act(self, asker: Asker, decision: Decision, rejected_entry: str | None = None) -> Outcome:
        entry = decision.entry
        if decision.action is Action.ANSWER and entry is not None:
            return Answered(decision.question, entry, self.answerer.knowledge.source_title(entry.source),
                            decision.score)
        if decision.action is Action.SMALLTALK and entry is not None:
            return SmallTalk(entry.answer)
        if decision.action is Action.TOUR:
            return self.request_tour(asker, decision.question, entry.answer if entry else "")
        if decision.action is Action.CLARIFY:
            return Clarify(decision.question, decision.choices, CLARIFY_INTRO, rejected_entry, decision.score)
        candidates = decision.candidates or ((Candidate(entry.id, decision.score),) if entry else ())
        if decision.reason == "handoff" and entry is not None:
            return self.pass_on(asker, decision.question, FiledReason.HANDOFF, candidates,
                                rejected_entry=rejected_entry, lead=entry.answer)
        if decision.reason == "too long":  # filed as it is: no button could carry it back whole
            return self.pass_on(asker, decision.question, FiledReason.TOO_LONG, candidates,
                                rejected_entry=rejected_entry)
        return OfferStaff(decision.question, OFFER, candidates, rejected_entry=rejected_entry)

    # -- structured turns (buttons, numbered choices) --------------------------------------
    @student_turn(TurnKind.PICK, "question")
    def pick(self, asker: Asker, question: str, entry_id: str, rejected_entry: str | None = None) -> Outcome:
        """A "did you mean" choice was picked: act on that entry as if it had matched."""
        decision = self.answerer.choose(question, entry_id)
        if decision is None:
            return Refused("That option is no longer in our FAQ. Please ask your question again.")
        if decision.action is Action.ESCALATE:
            decision = Decision(decision.question, decision.action, decision.entry, decision.score,
                                self.answerer.candidates_for(question), reason=decision.reason)
        return self._act(asker, decision, rejected_entry)

    @student_turn(TurnKind.NONE_OF_THESE, "question")
    def none_of_these(self, asker: Asker, question: str, rejected_entry: str | None = None) -> Outcome:
        """Every choice missed: file at once (the student has said what they want)."""
        reason = FiledReason.REJECTED_ANSWER if rejected_entry else FiledReason.NONE_OF_THESE
        return self.pass_on(asker, question, reason, self.answerer.candidates_for(question),
                            rejected_entry=rejected_entry)

    @student_turn(TurnKind.NOT_WHAT_I_ASKED, "question")
    def not_what_i_asked(self, asker: Asker, question: str, entry_id: str) -> Outcome:
        """Record the miss, then offer the other candidates, or a person when there are none."""
        self.desk.record_feedback(asker, entry_id, False, question)
        others = self.answerer.alternatives(question, entry_id)
        if others:
            return Clarify(question, others, ALTERNATIVES_INTRO, rejected_entry=entry_id)
        return OfferStaff(question, OFFER_AFTER_REJECT, self.answerer.candidates_for(question),
                          rejected_entry=entry_id)

    def helpful(self, asker: Asker, entry_id: str, question: str) -> None:
        self.desk.record_feedback(asker, entry_id, True, question)

    @student_turn(TurnKind.ACCEPT_OFFER, "question")
    def accept_offer(
        self,
        asker: Asker,
        question: str,
        rejected_entry: str | None = None,
        candidates: tuple[Candidate, ...] | None = None,
    ) -> Outcome:
        """The student agreed to pass an unanswered question on (`candidates` re-ranked when not kept)."""
        if not question:
            return self.talk_to_staff(asker, "", rejected_entry)
        reason = FiledReason.REJECTED_ANSWER if rejected_entry else FiledReason.NO_MATCH
        ranked = self.answerer.candidates_for(question) if candidates is None else candidates
        return self.pass_on(asker, question, reason, ranked, rejected_entry=rejected_entry)

    @student_turn(TurnKind.ASK_STAFF, "question")
    def talk_to_staff(self, asker: Asker, question: str, rejected_entry: str | None = None) -> Outcome:
        """An explicit request for a person ("Talk to admissions", "Ask the admissions team")."""
        text = question or ASKED_FOR_A_PERSON
        candidates = self.answerer.candidates_for(question) if question else ()
        reason = FiledReason.REJECTED_ANSWER if rejected_entry else FiledReason.ASKED
        return self.pass_on(asker, text, reason, candidates, rejected_entry=rejected_entry)

    @student_turn(TurnKind.ASK_STAFF, "question")
    def pass_on(
        self,
        asker: Asker,
        question: str,
        reason: FiledReason,
        candidates: tuple[Candidate, ...] = (),
        *,
        rejected_entry: str | None = None,
        lead: str = "",
    ) -> Outcome:
        """File a question ticket (persisted before this returns) and say why."""
        try:
            ticket = self.desk.file_question(asker, question, reason, candidates, rejected_entry, once=True)
        except AlreadyFiled as already:  # pressed twice, or asked again: one ticket, said so
            return TicketFiled(already.ticket, ALREADY_FILED, self._closed_note(), new=False)
        except InvalidInput as exc:
            return Refused(str(exc))
        return TicketFiled(ticket, lead or LEADS[reason], self._closed_note())

    # -- tours -----------------------------------------------------------------------------
    @student_turn(TurnKind.TOUR_REQUEST, "question")
    def request_tour(self, asker: Asker, question: str = TOUR_QUESTION, intro: str = "") -> Outcome:
        """The open tour times to pick from (else the request form), unless the student is at the
        open-ticket cap (checked first)."""
        try:
            self.desk.check_cap(asker)
        except AdmissionsError as exc:
            return Refused(str(exc))
        return self.tours.offer(question or TOUR_QUESTION, intro)

    @student_turn(TurnKind.TOUR_SUBMIT, "question")
    def submit_tour(self, asker: Asker, contact: TourContact, question: str = TOUR_QUESTION) -> Outcome:
        """File the tour request; a refusal says why (the front end keeps what was typed)."""
        try:
            ticket = self.desk.request_tour(asker, contact, question)
        except InvalidInput as exc:
            return Refused(str(exc))
        name = ticket.contact.name if ticket.contact else contact.name
        return TicketFiled(ticket, f"Thanks, {name}! Your tour request is with the admissions team.",
                           self._closed_note())

    def _pick_by_number(self, asker: Asker, word: str, pending: Pending) -> Outcome:
        choices = pending.choices
        if word.isdigit() and 1 <= int(word) <= len(choices):
            return self.pick(asker, pending.question, choices[int(word) - 1].id, pending.rejected_entry)
        if word.isdigit() and word != "0":
            return Refused(f"Please type a number from 0 to {len(choices)}.", keep_pending=True)
        return self.none_of_these(asker, pending.question, pending.rejected_entry)

    def _closed_note(self) -> str:
        return self.office_hours.closed_note(self.clock()) if self.office_hours else ""

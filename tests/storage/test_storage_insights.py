"""The knowledge loop's storage (student turns, ticket timings, weekly digests) on SQLite and PostgreSQL alike."""

from __future__ import annotations

from storage_support import asker, at, question, tour

from admissionsbot.core.models import FiledReason, TicketKind, TicketStatus
from admissionsbot.core.records import Turn, TurnKind, TurnOutcome
from admissionsbot.core.staff import cli_staff
from admissionsbot.storage import TicketStore

ADA = cli_staff("ada")


def turn(minutes: float, outcome: TurnOutcome = TurnOutcome.ANSWERED, **kw) -> Turn:
    base = dict(at=at(minutes), platform="discord", asker_id="u1", kind=TurnKind.QUESTION, outcome=outcome,
                entry_id="internship-pay", score=87.5, question="do internships pay?")
    base.update(kw)
    return Turn(**base)


def test_turns_round_trip_oldest_first_and_since(store: TicketStore) -> None:
    filed = turn(2, TurnOutcome.FILED, kind=TurnKind.ACCEPT_OFFER, ticket_number=7, ticket_kind=TicketKind.QUESTION,
                 reason=FiledReason.NO_MATCH, entry_id=None, score=None, question=None)
    later = turn(5, TurnOutcome.CLARIFIED, question="Søren asks: 🎧 mixing?")
    for t in (later, turn(1), filed):
        store.record_turn(t)

    assert store.turns_since() == [turn(1), filed, later]
    assert store.turns_since(at(2)) == [filed, later]  # at or after
    assert store.turns_since(at(6)) == []


def test_ticket_facts_carry_first_claim_and_first_reply(store: TicketStore) -> None:
    first = store.create(question("Is there parking?"), at(0))
    second = store.create(tour(asker("u2")), at(10))
    store.claim(first.number, ADA, at(30))
    store.add_reply(first.number, ADA, "Yes, behind the building.", at(90))
    store.add_reply(first.number, ADA, "And it is free.", at(120))

    facts = {f.number: f for f in store.ticket_facts()}
    a, b = facts[first.number], facts[second.number]
    assert (a.claimed_at, a.first_reply_at, a.replies, a.status) == (at(30), at(90), 2, TicketStatus.ANSWERED)
    assert (a.question, a.platform, a.asker_id, a.kind) == ("Is there parking?", "discord", "u1", TicketKind.QUESTION)
    assert (b.claimed_at, b.first_reply_at, b.replies, b.kind) == (None, None, 0, TicketKind.TOUR)
    assert [f.number for f in store.ticket_facts(at(5))] == [second.number]
    oldest = store.oldest_open_ticket()
    assert oldest is not None and oldest.number == second.number  # the first one is answered, not open


def test_feedback_since_counts_only_later_votes(store: TicketStore) -> None:
    store.record_feedback("fees", False, "q", asker("u1"), at(0))
    store.record_feedback("fees", True, "q", asker("u2"), at(10))
    store.record_feedback("pay", False, "q", asker("u1"), at(20))

    assert [(t.entry_id, t.helpful, t.not_helpful) for t in store.feedback_since()] == [("fees", 1, 1), ("pay", 0, 1)]
    assert [(t.entry_id, t.helpful, t.not_helpful) for t in store.feedback_since(at(5))] == [("pay", 0, 1),
                                                                                             ("fees", 1, 0)]


def test_a_week_of_digest_is_recorded_once(store: TicketStore) -> None:
    assert not store.digest_posted("2026-12-07")
    assert store.record_digest("2026-12-07", "2000:1", at(0)) is True
    assert store.record_digest("2026-12-07", "2000:2", at(1)) is False  # a second poster: not recorded again
    assert store.digest_posted("2026-12-07") and not store.digest_posted("2026-12-14")


def test_a_second_store_sees_the_same_records(backend) -> None:
    one, two = backend.open(), backend.open()
    one.record_turn(turn(0))
    one.record_digest("2026-12-07", "ref", at(0))
    assert two.turns_since() == [turn(0)] and two.digest_posted("2026-12-07")

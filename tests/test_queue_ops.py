"""Hand-over, follow-ups and staff identity through the CLI and the console (issue 13)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from faq_fixtures import write_faq

from admissionsbot.adapters.console import ConsoleChat
from admissionsbot.cli import main
from admissionsbot.core.answering import Answerer
from admissionsbot.core.conversation import Conversation
from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.handover import typed_follow_up
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Asker, FiledReason, Staff, TicketStatus
from admissionsbot.core.office_hours import OfficeHours
from admissionsbot.core.staff import cli_staff, find_named
from admissionsbot.storage import open_store

SAM = Asker("console", "sam", "Sam", "console", private=True)
NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def seed(db: str, who: Asker = SAM, text: str = "Is there parking?") -> int:
    store = open_store(db)
    desk = TicketDesk(store)
    number = desk.file_question(who, text, FiledReason.NO_MATCH).number
    desk.shutdown()
    return number


def test_release_assign_reopen_from_the_command_line(capsys, env):
    db = env["db"]
    n = seed(db)
    assert cli(capsys, "queue", "claim", str(n), "--as", "ana", "--db", db)[0] == 0
    code, _, err = cli(capsys, "queue", "release", str(n), "--as", "ben", "--db", db)
    assert code == 2 and "claimed by ana; only they can release it for another" in err and "Traceback" not in err
    code, out, _ = cli(capsys, "queue", "release", str(n), "--as", "ana", "--db", db)
    assert code == 0 and f"Ticket #{n} is open again" in out

    code, _, err = cli(capsys, "queue", "assign", str(n), "--to", "nobody", "--as", "ana", "--db", db)
    assert code == 2 and "No staff member is called 'nobody'" in err and "ana (cli)" in err
    code, out, _ = cli(capsys, "queue", "assign", str(n), "--to", "cli:ben", "--as", "ana", "--db", db)
    assert code == 0 and "claimed by ben (cli)" in out
    code, out, _ = cli(capsys, "queue", "assign", str(n), "--to", "ANA", "--as", "ben", "--db", db)  # by name, any case
    assert code == 0 and "claimed by ana (cli)" in out
    assert cli(capsys, "queue", "close", str(n), "--as", "ana", "--db", db)[0] == 0
    code, out, _ = cli(capsys, "queue", "reopen", str(n), "--as", "ben", "--db", db)
    assert code == 0 and "open again" in out
    code, _, err = cli(capsys, "queue", "reopen", str(n), "--as", "ben", "--db", db)
    assert code == 2 and "not closed" in err

    code, out, _ = cli(capsys, "queue", "show", str(n), "--db", db)
    history = out.split("history:")[1]
    for line in ("ana (cli): claimed", "ana (cli): released", "ana (cli): assigned - to cli:ben",
                 "ben (cli): assigned - to cli:ana", "ana (cli): closed", "ben (cli): reopened"):
        assert line in history
    data = json.loads(cli(capsys, "queue", "show", str(n), "--json", "--db", db)[1])
    assert data["status"] == "open" and data["claimed_by"] is None
    assert [e["action"] for e in data["events"]][-2:] == ["closed", "reopened"]
    assert data["events"][-1]["by"] == {"platform": "cli", "user_id": "ben", "name": "ben"}


def test_act_as_a_discord_member_from_the_command_line(capsys, env):
    """`--as discord:ID` is that Discord staff member: their claim, shown with the name the bot last saw."""
    db = env["db"]
    n = seed(db)
    desk = TicketDesk(open_store(db))
    desk.claim(n, Staff("discord", "6000", "ada"))
    desk.shutdown()
    code, _, err = cli(capsys, "queue", "reply", str(n), "--as", "ada", "--db", db, "hello")
    assert code == 2 and "claimed by ada; only they can reply" in err  # a CLI "ada" is someone else
    code, out, _ = cli(capsys, "queue", "reply", str(n), "--as", "discord:6000", "--db", db, "hello")
    assert code == 0
    code, out, _ = cli(capsys, "queue", "show", str(n), "--db", db)
    assert "claimed by: ada (discord:6000)" in out and "reply by ada (discord:6000)" in out


def test_find_named_staff():
    members = [Staff("discord", "6000", "ada"), Staff("cli", "ada", "ada"), Staff("cli", "ben", "ben")]
    assert find_named(members, "Ben") == Staff("cli", "ben")
    assert find_named(members, "discord:6000").name == "ada"
    assert find_named(members, "discord:7000") == Staff("discord", "7000")  # not seen yet: named by id
    with pytest.raises(Exception, match="Several staff members are called 'ada'"):
        find_named(members, "ada")
    assert cli_staff("discord:6000") == Staff("discord", "6000") and cli_staff(" ana ") == Staff("cli", "ana", "ana")


@pytest.fixture
def conversation(tmp_path):
    desk = TicketDesk(open_store(str(tmp_path / "q.sqlite3")), clock=lambda: NOW)
    answerer = Answerer(load_knowledge(write_faq(tmp_path / "faq")))
    yield Conversation(answerer, desk, OfficeHours.parse(), clock=lambda: NOW)
    desk.shutdown()


def talk(conversation, *lines, asker=SAM):
    out = io.StringIO()
    ConsoleChat(conversation, asker, out).run(list(lines))
    return out.getvalue()


def test_console_reply_adds_to_the_ticket(conversation):
    desk = conversation.desk
    n = desk.file_question(SAM, "zebra quantum", FiledReason.NO_MATCH).number
    desk.claim(n, cli_staff("ana"))
    desk.reply(n, cli_staff("ana"), "Which zebra?")
    out = talk(conversation, f"reply {n} The striped one, thanks", "tickets")
    assert f"(To answer, type: reply {n} your message)" in out
    assert f"Added to ticket #{n}" in out and "you wrote: The striped one, thanks" in out
    ticket = desk.ticket(n)
    assert ticket.status is TicketStatus.CLAIMED and [f.text for f in ticket.followups] == ["The striped one, thanks"]
    assert len(desk.tickets()) == 1  # not a new ticket
    assert "Type your message after the number" in talk(conversation, f"reply #{n}")
    other = Asker("console", "mallory", "Mallory", "console", private=True)
    assert f"There is no ticket #{n}." in talk(conversation, f"reply {n} mine now", asker=other)
    assert len(desk.ticket(n).followups) == 1


def test_typed_follow_ups_are_only_reply_and_a_number():
    assert typed_follow_up("reply 12 thanks!") == (12, "thanks!")
    assert typed_follow_up("Reply #3\nsecond line") == (3, "second line")
    assert typed_follow_up("reply to my email?") is None and typed_follow_up("replying 12 x") is None


def test_release_after_hours_comes_from_the_setting(tmp_path):
    clock = [NOW]
    desk = TicketDesk(open_store(str(tmp_path / "q.sqlite3")), clock=lambda: clock[0], release_after_hours=2)
    n = desk.file_question(SAM, "q", FiledReason.NO_MATCH).number
    desk.claim(n, cli_staff("ana"))
    clock[0] = NOW + timedelta(hours=2, minutes=1)
    assert desk.release(n, cli_staff("ben")).status is TicketStatus.OPEN
    only_claimer = TicketDesk(desk.store, clock=lambda: clock[0] + timedelta(days=99), release_after_hours=0)
    only_claimer.claim(n, cli_staff("ana"))
    with pytest.raises(Exception, match="only they can release it."):
        only_claimer.release(n, cli_staff("ben"))
    desk.shutdown()

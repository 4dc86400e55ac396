"""`admissionsbot snippet|privacy ...` and `queue export` through the real entry point (issue 13)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from admissionsbot.cli import main
from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.models import Asker, FiledReason, Staff, TourContact
from admissionsbot.core.privacy import REMOVED
from admissionsbot.core.staff import cli_staff
from admissionsbot.storage import open_store

SAM = Asker("console", "sam", "Sam Samsonite", "console", private=True)
ANA = cli_staff("ana")


@pytest.fixture
def db(clean_env):
    return clean_env


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def seed(db: str, when: datetime | None = None) -> tuple[int, int]:
    desk = TicketDesk(open_store(db), clock=lambda: when or datetime.now(UTC))
    q = desk.file_question(SAM, "=HYPERLINK(\"x\") is there parking?", FiledReason.NO_MATCH).number
    desk.claim(q, ANA)
    desk.reply(q, ANA, "Yes, Sam.")
    desk.close(q, ANA, "answered")
    tour = desk.request_tour(SAM, TourContact("Sam Samsonite", "sam@example.org", "Fri pm", "bringing a cello")).number
    desk.shutdown()
    return q, tour


def test_snippet_commands_and_reply_with_a_snippet(capsys, db):
    code, out, _ = cli(capsys, "snippet", "add", "fees-link", "See", "the", "fees", "page.", "--as", "ana", "--db", db)
    assert code == 0 and "Snippet 'fees-link' added" in out
    code, _, err = cli(capsys, "snippet", "add", "Bad Name!", "x", "--as", "ana", "--db", db)
    assert code == 2 and "A snippet name is" in err
    code, out, _ = cli(capsys, "snippet", "list", "--db", db)
    assert "fees-link" in out and "See the fees page." in out and "ana (cli)" in out
    assert json.loads(cli(capsys, "snippet", "list", "--json", "--db", db)[1])["name"] == "fees-link"

    desk = TicketDesk(open_store(db))
    n = desk.file_question(SAM, "fees?", FiledReason.NO_MATCH).number
    desk.claim(n, ANA)
    desk.shutdown()
    code, _, err = cli(capsys, "queue", "reply", str(n), "--as", "ana", "--snippet", "nope", "--db", db)
    assert code == 2 and "There is no snippet called 'nope'. Snippets: fees-link." in err
    code, _, err = cli(capsys, "queue", "reply", str(n), "--as", "ana", "--db", db)
    assert code == 2 and "A reply needs some text." in err
    code = cli(capsys, "queue", "reply", str(n), "--as", "ana", "--snippet", "fees-link", "--db", db, "Hi", "Sam")[0]
    assert code == 0
    assert cli(capsys, "queue", "reply", str(n), "--snippet", "FEES-LINK", "--as", "ana", "--db", db)[0] == 0
    data = json.loads(cli(capsys, "queue", "show", str(n), "--json", "--db", db)[1])
    assert [r["text"] for r in data["replies"]] == ["Hi Sam\n\nSee the fees page.", "See the fees page."]
    assert cli(capsys, "snippet", "remove", "fees-link", "--db", db)[0] == 0
    code, _, err = cli(capsys, "snippet", "remove", "fees-link", "--db", db)
    assert code == 2 and "There is no snippet called 'fees-link'" in err


def test_privacy_export_then_forget(capsys, db):
    q, tour = seed(db)
    code, out, _ = cli(capsys, "privacy", "export", "--platform", "console", "--user", "sam", "--db", db)
    data = json.loads(out)
    assert code == 0 and data["user_id"] == "sam"
    assert {r["number"] for r in data["tables"]["tickets"]} == {q, tour}
    assert data["tables"]["tickets"][1]["contact_email"] == "sam@example.org"

    code, out, _ = cli(capsys, "privacy", "forget", "--platform", "console", "--user", "sam", "--as", "dpo",
                       "--db", db)
    assert code == 1 and "Stored about that person: 2 tickets" in out and "Nothing was changed" in out
    code, out, _ = cli(capsys, "privacy", "forget", "--platform", "console", "--user", "sam", "--as", "dpo",
                       "--db", db, "--yes")
    assert code == 0 and "Forgotten: 2 tickets, 1 replies" in out and f"#{q}, #{tour}" in out
    shown = cli(capsys, "queue", "show", str(q), "--db", db)[1]
    assert REMOVED in shown and "Samsonite" not in shown and "Yes, Sam." not in shown
    assert "Samsonite" not in cli(capsys, "queue", "export", "--with-contact", "--db", db)[1]
    code, out, _ = cli(capsys, "privacy", "export", "--platform", "console", "--user", "sam", "--db", db)
    assert json.loads(out)["tables"] == {}
    log = cli(capsys, "privacy", "log", "--db", db)[1]
    assert "cli:dpo: privacy_forget" in log and "sam" not in log.replace("cli:dpo", "")

    code, _, err = cli(capsys, "privacy", "forget", "--platform", "myspace", "--user", "x", "--as", "a", "--db", db)
    assert code == 2 and "Unknown platform 'myspace'" in err


def test_privacy_purge_uses_retention_days(capsys, db, monkeypatch):
    q, tour = seed(db, datetime.now(UTC) - timedelta(days=40))
    code, out, _ = cli(capsys, "privacy", "purge", "--db", db)
    assert code == 0 and "retention_days is 0" in out
    monkeypatch.setenv("ADMISSIONSBOT_RETENTION_DAYS", "30")
    code, out, _ = cli(capsys, "privacy", "purge", "--db", db)
    assert code == 0 and "Purged 1 ticket(s)" in out  # the closed one; the open tour request stays
    data = json.loads(cli(capsys, "queue", "show", str(q), "--json", "--db", db)[1])
    assert data["question"] == REMOVED
    assert json.loads(cli(capsys, "queue", "show", str(tour), "--json", "--db", db)[1])["contact"]["email"]
    assert "Purged 0 ticket(s)" in cli(capsys, "privacy", "purge", "--db", db)[1]
    monkeypatch.setenv("ADMISSIONSBOT_RETENTION_DAYS", "-1")
    code, _, err = cli(capsys, "privacy", "purge", "--db", db)
    assert code == 2 and "retention_days" in err


def test_queue_export_csv_and_json(capsys, db):
    q, tour = seed(db)
    code, out, _ = cli(capsys, "queue", "export", "--db", db)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [int(r["number"]) for r in rows] == [q, tour]
    assert rows[0]["question"].startswith("'=HYPERLINK")  # a spreadsheet will not run it as a formula
    assert rows[0]["claimed_by"] == "ana (cli)" and rows[0]["replies"] == "1" and rows[0]["status"] == "closed"
    assert "sam@example.org" not in out and "contact_email" not in rows[0]
    out = cli(capsys, "queue", "export", "--with-contact", "--format", "json", "--db", db)[1]
    data = json.loads(out)
    assert data[1]["contact_email"] == "sam@example.org" and data[1]["contact_notes"] == "bringing a cello"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert json.loads(cli(capsys, "queue", "export", "--format", "json", "--since", tomorrow, "--db", db)[1]) == []
    code, _, err = cli(capsys, "queue", "export", "--since", "last tuesday", "--db", db)
    assert code == 2 and "--since 'last tuesday' is not a date" in err


def test_new_commands_have_help(capsys):
    for args in (["snippet", "add", "--help"], ["snippet", "list", "--help"], ["snippet", "remove", "--help"],
                 ["privacy", "forget", "--help"], ["privacy", "export", "--help"], ["privacy", "purge", "--help"],
                 ["privacy", "log", "--help"], ["queue", "release", "--help"], ["queue", "assign", "--help"],
                 ["queue", "reopen", "--help"], ["queue", "export", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 0 and "usage: admissionsbot" in capsys.readouterr().out


def test_forget_names_the_faq_files_that_still_mention_them(capsys, db, tmp_path, monkeypatch):
    """learned_by in the FAQ (a file in the repository) is not the database's to rewrite: forget says where it is."""
    faq = tmp_path / "faq"
    faq.mkdir()
    (faq / "learned.yaml").write_text("- id: x\n  learned_by: Adalinde (discord:600060006000)\n", encoding="utf-8")
    (faq / "other.yaml").write_text("- id: y\n", encoding="utf-8")
    monkeypatch.setenv("ADMISSIONSBOT_FAQ_DIR", str(faq))
    desk = TicketDesk(open_store(db))
    n = desk.file_question(SAM, "q", FiledReason.NO_MATCH).number
    desk.claim(n, Staff("discord", "600060006000", "Adalinde"))
    desk.shutdown()
    code, out, _ = cli(capsys, "privacy", "forget", "--platform", "discord", "--user", "600060006000", "--as", "dpo",
                       "--yes", "--db", db)
    assert code == 0 and "learned.yaml" in out and "other.yaml" not in out and "Edit them by hand" in out

"""The `admissionsbot` command through its real entry point (and as a real process for pipes/Ctrl-C)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from admissionsbot.cli import main

from faq_fixtures import TINY_FAQ, write_faq

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Run in a temp dir so no ./admissionsbot.yaml or real database is touched."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("ADMISSIONSBOT_"):
            monkeypatch.delenv(key)
    faq = write_faq(tmp_path / "faq")
    return {"faq": str(faq), "db": str(tmp_path / "q.sqlite3")}


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_command_has_help(capsys):
    for args in (["--help"], ["chat", "--help"], ["ask", "--help"], ["faq", "check", "--help"], ["queue", "list", "--help"],
                 ["queue", "reply", "--help"], ["eval", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 0
        assert "usage: admissionsbot" in capsys.readouterr().out


def test_ask_json_one_object_per_question(capsys, env):
    code, out, _ = cli(capsys, "ask", "--faq", env["faq"], "--json", "do internships pay", "", "how much is tuition")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 3
    first = lines[0]
    assert set(first) >= {"question", "action", "entry", "score", "answer", "candidates"}
    assert first["candidates"][0]["entry"] == "internship-pay"
    assert first["action"] in ("answer", "clarify")
    assert lines[1]["action"] is None and "couldn't find a question" in lines[1]["error"]
    assert lines[2]["candidates"][0]["entry"] == "tuition-cost" and lines[2]["answer"] is None


def test_ask_reads_stdin_and_creates_no_database(capsys, env, monkeypatch):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("do internships pay\nbook a tour\n"))
    code, out, _ = cli(capsys, "ask", "--faq", env["faq"], "--json")
    assert code == 0 and len(out.splitlines()) == 2
    assert not Path("admissionsbot.sqlite3").exists()


def test_faq_check_ok_and_broken(capsys, env, tmp_path):
    code, out, _ = cli(capsys, "faq", "check", env["faq"])
    assert code == 0 and "OK: 5 entries, 30 phrasings" in out
    broken = write_faq(tmp_path / "broken", TINY_FAQ.replace("  source: career-after-graduation.txt\n", "", 1))
    code, out, err = cli(capsys, "faq", "check", str(broken))
    assert code == 1
    assert "faq.yaml:1: error: entry 'internship-pay': missing key 'source'." in err
    assert "Traceback" not in err


def test_bot_refuses_to_start_on_an_invalid_faq(capsys, env, tmp_path):
    broken = write_faq(tmp_path / "broken", "- id: a\n\tquestion: x\n")
    code, out, err = cli(capsys, "chat", "--faq", str(broken), "--db", env["db"])
    assert code == 2 and "tab in indentation" in err and "faq.yaml:2" in err
    assert not Path(env["db"]).exists()  # the FAQ is checked before the database is touched


def test_unwritable_database_path_is_a_clear_error(capsys, env, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, out, err = cli(capsys, "queue", "--db", str(blocker / "q.sqlite3"), "list")
    assert code == 2 and str(blocker) in err and "Traceback" not in err


def test_queue_workflow_and_errors(capsys, env):
    db = env["db"]
    from admissionsbot.core.models import Asker
    from admissionsbot.storage import open_store
    from admissionsbot.core.models import NewTicket, TicketKind
    from datetime import datetime, UTC
    store = open_store(db)
    number = store.create(NewTicket(TicketKind.QUESTION, Asker("console", "sam", "Sam"), "Is there parking?"), datetime.now(UTC)).number
    store.close_store()

    code, out, _ = cli(capsys, "queue", "--db", db, "list")
    assert code == 0 and f"#{number}" in out and "open" in out and "Is there parking?" in out
    code, out, err = cli(capsys, "queue", "--db", db, "reply", str(number), "--as", "Ana", "Yes")
    assert code == 2 and "claim it before replying" in err
    assert cli(capsys, "queue", "--db", db, "claim", str(number), "--as", "Ana")[0] == 0
    code, out, err = cli(capsys, "queue", "--db", db, "claim", str(number), "--as", "Ben")
    assert code == 2 and "already claimed by Ana" in err
    code, out, _ = cli(capsys, "queue", "--db", db, "reply", str(number), "--as", "Ana", "Yes,", "free", "parking.")
    assert code == 0 and "relayed" in out
    code, out, _ = cli(capsys, "queue", "--db", db, "list", "--status", "answered", "--json")
    row = json.loads(out)
    assert row["number"] == number and row["replies"][0]["text"] == "Yes, free parking." and not row["replies"][0]["delivered"]
    assert cli(capsys, "queue", "--db", db, "close", str(number), "--reason", "done")[0] == 0
    code, out, _ = cli(capsys, "queue", "--db", db, "show", str(number))
    assert "closed" in out and "close reason: done" in out
    for action in ("created", "claimed", "replied", "closed"):
        assert f": {action}" in out
    code, out, err = cli(capsys, "queue", "--db", db, "show", "4242")
    assert code == 2 and "There is no ticket #4242." in err
    code, out, err = cli(capsys, "queue", "--db", db, "close", str(number))
    assert code == 2 and "already closed" in err


def _run_chat(env, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "admissionsbot", "chat", "--faq", env["faq"], "--db", env["db"], "--user", "sam"],
        input=stdin, capture_output=True, text=True, timeout=60,
    )


def test_chat_from_a_pipe_escalates_and_shows_staff_reply_later(env, capsys):
    first = _run_chat(env, "where do I park my car at the open day\n")
    assert first.returncode == 0, first.stderr
    assert "ticket #1" in first.stdout and first.stdout.rstrip().endswith("Bye! Come back any time.")
    assert first.stderr == ""
    assert cli(capsys, "queue", "--db", env["db"], "claim", "1", "--as", "Ana")[0] == 0
    assert cli(capsys, "queue", "--db", env["db"], "reply", "1", "--as", "Ana", "Use lot B.")[0] == 0
    second = _run_chat(env, "tickets\n")
    assert "Reply from the admissions team on ticket #1 (Ana):" in second.stdout and "Use lot B." in second.stdout
    assert "[answered]" in second.stdout
    third = _run_chat(env, "")
    assert "Use lot B." not in third.stdout  # shown once, then marked delivered


def test_chat_exits_cleanly_on_ctrl_c(env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "admissionsbot", "chat", "--faq", env["faq"], "--db", env["db"]],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    line = proc.stdout.readline()  # the greeting: the chat is up and waiting for input
    assert "admissions assistant" in line
    while time.monotonic() < deadline and proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            continue
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "Traceback" not in err and "Bye!" in out


def test_whole_workflow_on_postgresql(pg_url, env, capsys):
    """The same chat -> staff -> reply cycle with the queue on a real PostgreSQL server."""
    env = dict(env, db=pg_url)
    first = _run_chat(env, "where do I park my car at the open day\n")
    assert first.returncode == 0, first.stderr
    assert "ticket #1" in first.stdout
    assert cli(capsys, "queue", "--db", pg_url, "claim", "1", "--as", "Ana")[0] == 0
    code, out, err = cli(capsys, "queue", "--db", pg_url, "claim", "1", "--as", "Ben")
    assert code == 2 and "already claimed by Ana" in err
    assert cli(capsys, "queue", "--db", pg_url, "reply", "1", "--as", "Ana", "Use lot B.")[0] == 0
    second = _run_chat(env, "")
    assert "Reply from the admissions team on ticket #1 (Ana):" in second.stdout
    code, out, _ = cli(capsys, "queue", "--db", pg_url, "show", "1", "--json")
    shown = json.loads(out)
    assert shown["replies"][0]["delivered"] is True
    assert [e["action"] for e in shown["events"]][:3] == ["created", "claimed", "replied"]


def test_faq_feedback_lists_misses_first(env, capsys):
    from admissionsbot.core.models import Asker
    from admissionsbot.storage import open_store
    from datetime import datetime, UTC
    store = open_store(env["db"])
    sam = Asker("console", "sam", "Sam")
    for entry, helpful in [("careers", True), ("internship-pay", False), ("internship-pay", False)]:
        store.record_feedback(entry, helpful, "q", sam, datetime.now(UTC))
    store.close_store()
    code, out, _ = cli(capsys, "faq", "feedback", "--db", env["db"])
    rows = [line.split() for line in out.splitlines()[1:]]
    assert code == 0 and rows == [["internship-pay", "2", "0"], ["careers", "0", "1"]]

"""The `admissionsbot` command through its real entry point (and as a real process for pipes/Ctrl-C)."""

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faq_fixtures import TINY_FAQ, write_faq, write_material

from admissionsbot.cli import main

REPO = Path(__file__).resolve().parents[1]


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys, *args) -> str:
    """argparse refuses the command line: exit 2 with a usage line; returns stderr."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: admissionsbot" in err and "Traceback" not in err
    return err


def admissionsbot(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command as a real process (exit codes and streams as a shell or CI sees them)."""
    return subprocess.run([sys.executable, "-m", "admissionsbot", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, cwd=cwd, check=False)


def seed(db: str) -> int:
    """A database holding one open ticket and one 'not what I asked' verdict; returns the ticket number."""
    from datetime import UTC, datetime

    from admissionsbot.core.models import Asker, NewTicket, TicketKind
    from admissionsbot.storage import open_store

    store = open_store(db)
    sam = Asker("console", "sam", "Sam")
    number = store.create(NewTicket(TicketKind.QUESTION, sam, "Is there parking?"), datetime.now(UTC)).number
    store.record_feedback("internship-pay", False, "q", sam, datetime.now(UTC))
    store.close_store()
    return number


def test_every_command_has_help(capsys):
    for args in (["--help"], ["chat", "--help"], ["ask", "--help"], ["faq", "check", "--help"],
                 ["faq", "feedback", "--help"], ["queue", "list", "--help"], ["queue", "show", "--help"],
                 ["queue", "claim", "--help"], ["queue", "reply", "--help"], ["queue", "close", "--help"],
                 ["eval", "--help"], ["run", "--help"], ["sync-commands", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 0
        assert "usage: admissionsbot" in capsys.readouterr().out


@pytest.mark.parametrize("action", ["show", "claim", "reply", "close"])
def test_queue_ticket_number_has_help(capsys, action):
    with pytest.raises(SystemExit):
        main(["queue", action, "--help"])
    out = capsys.readouterr().out
    assert f"usage: admissionsbot queue {action}" in out
    assert re.search(r"^\s+N\s+ticket number", out, re.MULTILINE), out


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
    code, _, err = cli(capsys, "chat", "--faq", str(broken), "--db", env["db"])
    assert code == 2 and "tab in indentation" in err and "faq.yaml:2" in err
    assert not Path(env["db"]).exists()  # the FAQ is checked before the database is touched


def test_unwritable_database_path_is_a_clear_error(capsys, env, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = cli(capsys, "queue", "--db", str(blocker / "q.sqlite3"), "list")
    assert code == 2 and str(blocker) in err and "Traceback" not in err
    code, _, err = cli(capsys, "queue", "--db", str(blocker / "q.sqlite3"), "claim", "1", "--as", "Ana")
    assert code == 2 and f"{blocker} is a file, not a folder" in err and "Traceback" not in err


def test_queue_workflow_and_errors(capsys, env):
    db = env["db"]
    from datetime import UTC, datetime

    from admissionsbot.core.models import Asker, NewTicket, TicketKind
    from admissionsbot.storage import open_store
    store = open_store(db)
    number = store.create(NewTicket(TicketKind.QUESTION, Asker("console", "sam", "Sam"), "Is there parking?"),
                          datetime.now(UTC)).number
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
    assert (row["number"] == number and row["replies"][0]["text"] == "Yes, free parking."
            and not row["replies"][0]["delivered"])
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
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )


def test_chat_from_a_pipe_offers_staff_files_on_yes_and_shows_staff_reply_later(env, capsys):
    offered = _run_chat(env, "where do I park my car at the open day\n")
    assert offered.returncode == 0, offered.stderr
    assert "Shall I pass your question to the admissions team?" in offered.stdout
    assert "Type 'yes' to pass it on" in offered.stdout and "ticket #" not in offered.stdout
    assert cli(capsys, "queue", "--db", env["db"], "list")[1] == "No tickets.\n"  # an offer files nothing
    first = _run_chat(env, "where do I park my car at the open day\nyes\n")
    assert first.returncode == 0, first.stderr
    assert "I've passed your question to the admissions team. Your question is ticket #1" in first.stdout
    assert first.stdout.rstrip().endswith("Bye! Come back any time.")
    assert first.stderr == ""
    code, out, _ = cli(capsys, "queue", "--db", env["db"], "list")
    assert code == 0 and "#1" in out and "where do I park my car at the open day" in out
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
    first = _run_chat(env, "where do I park my car at the open day\nyes\n")
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
    from datetime import UTC, datetime

    from admissionsbot.core.models import Asker
    from admissionsbot.storage import open_store
    store = open_store(env["db"])
    for entry, helpful, who in [("careers", True, "sam"), ("internship-pay", False, "sam"),
                                ("internship-pay", False, "alex")]:
        store.record_feedback(entry, helpful, "q", Asker("console", who, who.title()), datetime.now(UTC))
    store.close_store()
    code, out, _ = cli(capsys, "faq", "feedback", "--db", env["db"])
    rows = [line.split() for line in out.splitlines()[1:]]
    assert code == 0 and rows == [["internship-pay", "2", "0"], ["careers", "0", "1"]]


# -- shared options before or after the sub-command ------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["--db", "{db}", "queue", "list"],
    ["queue", "--db", "{db}", "list"],
    ["queue", "list", "--db", "{db}"],
    ["queue", "list", "--json", "--db", "{db}"],
    ["--db", "{elsewhere}", "queue", "list", "--db", "{db}"],  # the one nearest the end wins
    ["queue", "--db", "{elsewhere}", "list", "--db", "{db}"],
])
def test_db_option_works_before_and_after_queue_sub_commands(capsys, env, tmp_path, argv):
    number = seed(env["db"])
    code, out, err = cli(capsys, *[a.format(db=env["db"], elsewhere=tmp_path / "other.db") for a in argv])
    assert code == 0, err
    assert f"{number}" in out and "Is there parking?" in out
    assert not (tmp_path / "other.db").exists()


@pytest.mark.parametrize("where", ["before", "middle", "after"])
def test_db_option_in_any_position_for_queue_actions_that_write(capsys, env, where):
    number = seed(env["db"])

    def argv(action: str, *rest: str) -> list[str]:
        db = ["--db", env["db"]]
        return {"before": [*db, "queue", action, *rest], "middle": ["queue", *db, action, *rest],
                "after": ["queue", action, *rest, *db]}[where]

    assert cli(capsys, *argv("claim", str(number), "--as", "Ana"))[0] == 0
    code, out, _ = cli(capsys, *argv("reply", str(number), "--as", "Ana", "Lot", "B."))
    assert code == 0 and "relayed" in out
    code, out, _ = cli(capsys, *argv("show", str(number), "--json"))
    assert code == 0 and json.loads(out)["replies"][0]["text"] == "Lot B."
    assert cli(capsys, *argv("close", str(number), "--reason", "done"))[0] == 0


@pytest.mark.parametrize("argv", [
    ["faq", "feedback", "--db", "{db}"],
    ["faq", "--db", "{db}", "feedback"],
    ["--db", "{db}", "faq", "feedback"],
])
def test_faq_feedback_takes_db_before_or_after(capsys, env, argv):
    seed(env["db"])
    code, out, err = cli(capsys, *[a.format(db=env["db"]) for a in argv])
    assert code == 0, err
    assert [line.split() for line in out.splitlines()[1:]] == [["internship-pay", "1", "0"]]


@pytest.mark.parametrize("argv", [
    ["chat", "--faq", "{faq}", "--db", "{db}", "--user", "sam"],
    ["--faq", "{faq}", "--db", "{db}", "chat", "--user", "sam"],
    ["--faq", "{faq}", "chat", "--user", "sam", "--db", "{db}"],
])
def test_chat_takes_faq_and_db_before_or_after(capsys, env, tmp_path, monkeypatch, argv):
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)  # no faq/ here: the FAQ must come from --faq
    monkeypatch.setattr(sys, "stdin", io.StringIO("do internships pay\n"))
    code, out, err = cli(capsys, *[a.format(faq=env["faq"], db=env["db"]) for a in argv])
    assert code == 0, err
    assert "Many internships are unpaid" in out
    assert Path(env["db"]).exists() and not (other / "admissionsbot.sqlite3").exists()


@pytest.mark.parametrize(("argv", "expected"), [
    (["ask", "--faq", "{faq}", "do internships pay"], "entry: internship-pay"),
    (["--faq", "{faq}", "ask", "do internships pay"], "entry: internship-pay"),
    (["ask", "do internships pay", "--faq", "{faq}"], "entry: internship-pay"),
    (["eval", "{cases}", "--faq", "{faq}"], "accuracy (answerable, right entry): 1.000  (1/1)"),
    (["eval", "--faq", "{faq}", "{cases}"], "accuracy (answerable, right entry): 1.000  (1/1)"),
    (["--faq", "{faq}", "eval", "{cases}"], "accuracy (answerable, right entry): 1.000  (1/1)"),
    (["faq", "check", "--faq", "{faq}"], "{faq}: OK: 5 entries"),
    (["faq", "--faq", "{faq}", "check"], "{faq}: OK: 5 entries"),
    (["--faq", "{faq}", "faq", "check"], "{faq}: OK: 5 entries"),
])
def test_faq_option_before_or_after_the_command(capsys, env, tmp_path, monkeypatch, argv, expected):
    cases = tmp_path / "cases.yaml"
    cases.write_text("- {question: 'Do internships pay?', expect: internship-pay}\n")
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    code, out, err = cli(capsys, *[a.format(faq=env["faq"], cases=cases) for a in argv])
    assert code == 0, err
    assert expected.format(faq=env["faq"]) in out


@pytest.mark.parametrize("before", [True, False])
def test_config_works_before_and_after_the_sub_command(capsys, env, tmp_path, before):
    seed(env["db"])
    config = tmp_path / "settings.yaml"
    config.write_text(f"database_url: sqlite:///{env['db']}\n")
    argv = ["--config", str(config), "queue", "list"] if before else ["queue", "list", "--config", str(config)]
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    assert "Is there parking?" in out
    code, out, err = cli(capsys, "faq", "feedback", "--config", str(config))
    assert code == 0 and "internship-pay" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["ask", "--db", "x.db", "hello"], "'ask' opens no ticket database; drop --db."),
    (["--db", "x.db", "ask", "hello"], "'ask' opens no ticket database; drop --db."),
    (["eval", "cases.yaml", "--db", "x.db"], "'eval' opens no ticket database; drop --db."),
    (["--db", "x.db", "eval", "cases.yaml"], "'eval' opens no ticket database; drop --db."),
    (["queue", "list", "--faq", "faq"], "'queue list' loads no FAQ; drop --faq."),
    (["--faq", "faq", "queue", "list"], "'queue list' loads no FAQ; drop --faq."),
    (["--faq", "faq", "faq", "feedback"], "'faq feedback' loads no FAQ; drop --faq."),
    (["faq", "check", "--db", "x.db"], "'faq check' opens no ticket database; drop --db."),
    (["faq", "--db", "x.db", "check"], "'faq check' opens no ticket database; drop --db."),
    (["faq", "--faq", "faq", "feedback"], "'faq feedback' loads no FAQ; drop --faq."),
    (["queue", "list", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_options_a_command_does_not_use_are_refused(capsys, env, argv, message):
    assert message in usage_error(capsys, *argv)
    assert not Path("x.db").exists()


def test_options_after_the_sub_command_as_a_real_process(env, tmp_path):
    number = seed(env["db"])
    listed = admissionsbot("queue", "list", "--db", env["db"], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert f"#{number}" in listed.stdout
    refused = admissionsbot("ask", "hello", "--db", env["db"], cwd=tmp_path)
    assert refused.returncode == 2 and "'ask' opens no ticket database" in refused.stderr


# -- read-only commands never create a database ----------------------------------------------------


READ_ONLY = [["queue", "list"], ["queue", "show", "1"], ["queue", "show", "1", "--json"], ["faq", "feedback"]]


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
@pytest.mark.parametrize("form", ["plain path", "sqlite absolute URL", "sqlite relative URL", "setting"])
def test_read_only_commands_refuse_a_missing_database(capsys, env, tmp_path, monkeypatch, command, form):
    missing = tmp_path / "typo" / "tickts.sqlite3"
    db = {"plain path": str(missing), "sqlite absolute URL": f"sqlite:///{missing}",
          "sqlite relative URL": "sqlite:///typo/tickts.sqlite3", "setting": None}[form]
    if db is None:
        monkeypatch.setenv("ADMISSIONSBOT_DATABASE_URL", f"sqlite:///{missing}")
        argv = command
    else:
        argv = [*command, "--db", db]
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    shown = missing.relative_to(tmp_path) if "relative" in form else missing
    assert f"The ticket database {shown} does not exist" in err
    assert "Traceback" not in err
    assert not missing.exists() and not missing.parent.exists()  # not even the folder


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_read_only_commands_refuse_the_default_database_when_missing(capsys, env, command):
    code, _, err = cli(capsys, *command)
    assert code == 2 and "admissionsbot.sqlite3 does not exist" in err
    assert not Path("admissionsbot.sqlite3").exists()


def test_read_only_command_on_a_missing_database_as_a_real_process(tmp_path):
    missing = tmp_path / "nope.db"
    result = admissionsbot("queue", "list", "--db", str(missing), cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"admissionsbot: The ticket database {missing} does not exist.")
    assert "Traceback" not in result.stderr and not missing.exists()


def test_read_only_commands_work_on_an_existing_empty_database(capsys, env):
    from admissionsbot.storage import open_store

    open_store(env["db"]).close_store()
    assert cli(capsys, "queue", "list", "--db", env["db"])[1] == "No tickets.\n"
    assert cli(capsys, "faq", "feedback", "--db", env["db"])[1] == "No feedback yet.\n"
    code, _, err = cli(capsys, "queue", "show", "1", "--db", env["db"])
    assert code == 2 and "There is no ticket #1." in err


# -- the queue never loads the FAQ -----------------------------------------------------------------


def _queue_round(capsys, db: str, number: int) -> None:
    """Every queue command and faq feedback succeed (they need only the database)."""
    for argv in (["queue", "list"], ["queue", "show", str(number)], ["queue", "claim", str(number), "--as", "Ana"],
                 ["queue", "reply", str(number), "--as", "Ana", "Lot B."], ["queue", "close", str(number)],
                 ["faq", "feedback"]):
        code, _, err = cli(capsys, *argv, "--db", db)
        assert code == 0, (argv, err)


def test_queue_works_from_a_directory_without_an_faq(capsys, env, tmp_path, monkeypatch):
    number = seed(env["db"])
    empty = tmp_path / "anywhere"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert not Path("faq").exists()
    _queue_round(capsys, env["db"], number)


def test_queue_works_with_a_broken_faq(capsys, env, tmp_path, monkeypatch):
    number = seed(env["db"])
    broken = write_faq(tmp_path / "broken", "- id: a\n\tquestion: x\n")
    monkeypatch.setenv("ADMISSIONSBOT_FAQ_DIR", str(broken))
    code, _, err = cli(capsys, "chat", "--db", env["db"])  # the FAQ setting really is broken ...
    assert code == 2 and "tab in indentation" in err
    _queue_round(capsys, env["db"], number)  # ... and the queue does not care


def test_queue_without_an_faq_as_a_real_process(env, tmp_path):
    number = seed(env["db"])
    empty = tmp_path / "anywhere"
    empty.mkdir()
    shown = admissionsbot("queue", "show", str(number), "--db", env["db"], cwd=empty)
    assert shown.returncode == 0, shown.stderr
    assert "question: Is there parking?" in shown.stdout and shown.stderr == ""


# -- Discord commands without a token --------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "sync-commands"])
def test_no_token_message_names_the_command_that_was_run(capsys, env, monkeypatch, command):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    code, out, err = cli(capsys, command)
    assert code == 2 and out == ""
    assert "no Discord bot token" in err and "DISCORD_TOKEN" in err
    assert f"# then: admissionsbot {command}\n" in err
    other = "sync-commands" if command == "run" else "run"
    assert f"admissionsbot {other}" not in err
    assert not Path("admissionsbot.sqlite3").exists()  # nothing was opened


# -- eval quality floors ---------------------------------------------------------------------------


@pytest.fixture
def cases(tmp_path) -> Path:
    """One right answer, one wrong answer (answered internship-pay, expected careers): accuracy 0.5, wrong 0.5."""
    path = tmp_path / "cases.yaml"
    path.write_text("- {question: 'Do internships pay?', expect: internship-pay}\n"
                    "- {question: 'Do internships pay?', expect: careers}\n")
    return path


def test_eval_floors_that_hold_exit_0(capsys, env, cases):
    code, _, err = cli(capsys, "eval", str(cases), "--faq", env["faq"], "--min-accuracy", "0.5", "--max-wrong", "0.5")
    assert code == 0 and "FAILED" not in err


def test_eval_min_accuracy_failure_names_the_floor(capsys, env, cases):
    code, out, err = cli(capsys, "eval", str(cases), "--faq", env["faq"], "--min-accuracy", "0.75")
    assert code == 1
    assert err == "admissionsbot eval: FAILED: accuracy 0.500 is below --min-accuracy 0.75\n"
    assert "accuracy (answerable, right entry): 0.500  (1/2)" in out


def test_eval_max_wrong_failure_names_the_floor(capsys, env, cases):
    code, _, err = cli(capsys, "eval", str(cases), "--faq", env["faq"], "--max-wrong", "0.2", "--json")
    assert code == 1
    assert err == "admissionsbot eval: FAILED: wrong-answer rate 0.500 is above --max-wrong 0.2\n"


def test_eval_both_floors_failing_are_both_named(capsys, env, cases):
    code, _, err = cli(capsys, "eval", str(cases), "--faq", env["faq"], "--min-accuracy", "0.9", "--max-wrong", "0")
    assert code == 1
    assert err.splitlines() == ["admissionsbot eval: FAILED: accuracy 0.500 is below --min-accuracy 0.9",
                                "admissionsbot eval: FAILED: wrong-answer rate 0.500 is above --max-wrong 0"]


@pytest.mark.parametrize(("flag", "value"), [("--min-accuracy", "85"), ("--min-accuracy", "-0.1"),
                                             ("--max-wrong", "5"), ("--max-wrong", "-1")])
def test_eval_floor_outside_0_to_1_is_refused(capsys, env, cases, flag, value):
    code, out, err = cli(capsys, "eval", str(cases), "--faq", env["faq"], flag, value)
    assert code == 2 and out == ""
    assert err == f"admissionsbot: {flag} takes a fraction from 0 to 1 (e.g. 0.85), not {float(value):g}.\n"


def test_eval_floor_exit_codes_as_a_real_process(env, cases, tmp_path):
    failed = admissionsbot("eval", str(cases), "--faq", env["faq"], "--min-accuracy", "0.75", cwd=tmp_path)
    assert failed.returncode == 1 and "FAILED: accuracy 0.500 is below --min-accuracy 0.75" in failed.stderr
    refused = admissionsbot("eval", str(cases), "--faq", env["faq"], "--max-wrong", "20", cwd=tmp_path)
    assert refused.returncode == 2 and "--max-wrong takes a fraction from 0 to 1" in refused.stderr
    assert "Traceback" not in failed.stderr + refused.stderr


# -- ask and eval never touch a database -----------------------------------------------------------


UNUSABLE_DATABASES = ["sqlite:////proc/nope.db", "sqlite:///{tmp}/a-file/under-a-file.db", "mysql://nowhere/x"]


@pytest.mark.parametrize("url", UNUSABLE_DATABASES)
def test_ask_and_eval_work_with_an_unusable_database_setting(capsys, env, tmp_path, monkeypatch, cases, url):
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("ADMISSIONSBOT_DATABASE_URL", url.format(tmp=tmp_path))
    code, _, err = cli(capsys, "queue", "claim", "1", "--as", "Ana")  # the setting really is unusable ...
    assert code == 2 and "Traceback" not in err
    code, out, err = cli(capsys, "ask", "--faq", env["faq"], "do internships pay")  # ... and ask doesn't care
    assert code == 0, err
    assert "entry: internship-pay" in out
    code, out, err = cli(capsys, "eval", str(cases), "--faq", env["faq"])
    assert code == 0, err
    assert not Path("/proc/nope.db").exists() and not Path("admissionsbot.sqlite3").exists()


def test_ask_with_an_unusable_database_in_the_config_file_as_a_real_process(env, tmp_path):
    config = tmp_path / "settings.yaml"
    config.write_text("database_url: sqlite:////proc/nope.db\n")
    result = admissionsbot("ask", "--config", str(config), "--faq", env["faq"], "--json", "do internships pay",
                           cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["candidates"][0]["entry"] == "internship-pay"
    assert list(tmp_path.glob("*.sqlite3")) == [] and not Path("/proc/nope.db").exists()


# -- faq check --material: the grounding check ------------------------------------------------------------------

def test_faq_check_missing_material_folder_says_so_once(capsys, env, tmp_path):
    code, out, err = cli(capsys, "faq", "check", env["faq"], "--material", str(tmp_path / "nope"))
    assert code == 2 and out == ""
    assert err == f"admissionsbot: material folder {tmp_path / 'nope'} not found.\n"  # no per-entry errors


def test_faq_check_reports_inventions_and_strict_makes_them_fail(capsys, env, tmp_path):
    faq = write_faq(tmp_path / "planted", TINY_FAQ.replace(
        "Many internships are unpaid or pay very little.", "Every intern is paid $25,000 per year."))
    material = str(write_material(tmp_path / "material"))
    code, out, err = cli(capsys, "faq", "check", str(faq), "--material", material)
    assert code == 0 and err == ""
    assert "faq.yaml:1: warning: entry 'internship-pay': answer states the amount \"$25,000\", which " in out
    assert "faq.yaml:1: warning: entry 'internship-pay': answer states the promise \"every intern\"" in out
    assert out.splitlines()[-1] == (
        f"{faq}: OK: 5 entries, 30 phrasings, 2 warning(s). 3 answer(s) checked against {material}.")
    code, out, err = cli(capsys, "faq", "check", str(faq), "--material", material, "--strict")
    assert code == 1 and out == ""
    assert "faq.yaml:1: error: entry 'internship-pay': answer states the amount \"$25,000\"" in err
    assert err.splitlines()[-1] == (
        f"{faq}: 2 error(s), 0 warning(s). All of them come from checking against {material}: "
        "the bot would start, but fix them before students see these answers.")


def test_faq_check_strict_needs_material(capsys, env):
    code, _, err = cli(capsys, "faq", "check", env["faq"], "--strict")
    assert code == 2 and "--strict needs --material" in err


def test_faq_check_still_says_when_the_bot_will_not_start(capsys, env, tmp_path):
    broken = write_faq(tmp_path / "broken", TINY_FAQ.replace("  source: career-after-graduation.txt\n", "", 1))
    code, _, err = cli(capsys, "faq", "check", str(broken), "--material", str(write_material(tmp_path / "m")))
    assert code == 1 and err.splitlines()[-1].endswith("The bot will not start with this FAQ.")


# -- bad command-line input: a clear message, never a traceback (issue 11) -------------------------
def test_db_paths_that_cannot_be_used_are_named(env, capsys, tmp_path):
    too_long = "a" * 300
    for db in (f"{too_long}/x.db", f"{too_long}.db"):
        code, _, err = cli(capsys, "queue", "claim", "1", "--as", "ana", "--db", db)
        assert code == 2 and "File name too long" in err and "Traceback" not in err
    code, _, err = cli(capsys, "queue", "list", "--db", "")
    assert code == 2 and "--db is empty" in err
    assert not (tmp_path / "admissionsbot.sqlite3").exists()  # not silently the default database


def test_a_plain_db_path_means_the_same_as_the_setting(env, capsys, tmp_path, monkeypatch):
    """'my%20db.sqlite3' is a file of that name from --db and from database_url alike."""
    assert cli(capsys, "queue", "claim", "1", "--as", "ana", "--db", "my%20db.sqlite3")[0] == 2  # no ticket #1
    assert (tmp_path / "my%20db.sqlite3").exists() and not (tmp_path / "my db.sqlite3").exists()
    monkeypatch.setenv("ADMISSIONSBOT_DATABASE_URL", "my%20db.sqlite3")
    code, out, _ = cli(capsys, "queue", "list")
    assert code == 0 and "No tickets" in out


def test_chat_with_a_name_that_is_not_utf8(env, capsys, monkeypatch):
    """`chat --user $'\\xff'` and a non-UTF-8 LOGNAME used to crash on the first database call."""
    import io
    import sys

    weird = os.fsdecode(b"\xff")  # what Python gives for a non-UTF-8 argv or environment byte
    monkeypatch.setattr(sys, "stdin", io.StringIO("staff\n"))
    code, out, err = cli(capsys, "chat", "--faq", env["faq"], "--db", env["db"], "--user", weird)
    assert code == 0 and "Traceback" not in err and "Bye!" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\n"))
    monkeypatch.setenv("LOGNAME", weird)
    monkeypatch.setenv("USER", weird)
    code, out, err = cli(capsys, "chat", "--faq", env["faq"], "--db", env["db"])
    assert code == 0 and "Bye!" in out


def test_ask_reads_binary_standard_input_without_crashing(env, tmp_path):
    import subprocess
    import sys

    junk = bytes(range(256)) * 3 + b"\ndo internships pay\n"
    result = subprocess.run([sys.executable, "-m", "admissionsbot", "ask", "--faq", env["faq"]], input=junk,
                            capture_output=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert b"internship-pay" in result.stdout

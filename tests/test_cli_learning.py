"""`faq learn`, `faq gaps` and `stats` through the real entry point; the console answers what was learned."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from admissionsbot.adapters.console import ConsoleChat
from admissionsbot.bootstrap import build_assistant
from admissionsbot.cli import main
from admissionsbot.config import Settings
from admissionsbot.core.models import Asker
from admissionsbot.core.staff import cli_staff

PARKING = "Is there parking for students at the school?"
REPLY = "Yes: free parking behind the building; ask reception for a pass."
SAM = Asker("console", "sam", "Sam", "console", private=True)


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def console(env, *lines: str) -> str:
    """A console chat session (the real `chat` wiring: learned files are picked up before each turn)."""
    assistant = build_assistant(Settings(faq_dir=env["faq"], database_url=env["db"]))
    out = io.StringIO()
    try:
        ConsoleChat(assistant.conversation, SAM, out).run(list(lines))
    finally:
        assistant.shutdown()
    return out.getvalue()


def answered_ticket(env, question: str = PARKING) -> int:
    """Asked in the console, passed on with 'yes', answered by staff: the ticket's number."""
    out = console(env, question, "yes")
    assert "ticket #" in out, out
    number = int(out.split("ticket #")[1].split(";")[0].split(")")[0])
    assistant = build_assistant(Settings(faq_dir=env["faq"], database_url=env["db"]))
    try:
        assistant.desk.claim(number, cli_staff("ada"))
        assistant.desk.reply(number, cli_staff("ada"), REPLY)
    finally:
        assistant.shutdown()
    return number


def faq_files(env) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(env["faq"]).glob("*.yaml"))}


def test_learn_a_new_entry_then_ask_and_the_console_answer_it(capsys, env):
    number = answered_ticket(env)
    code, out, err = cli(capsys, "faq", "learn", str(number), "--new", "campus-parking", "--as", "ada",
                         "--alternate", "where do students park", "--faq", env["faq"], "--db", env["db"])
    assert code == 0, err
    assert "+- id: campus-parking" in out and f"+  learned_from: {number}" in out and "+  learned_by: ada (cli)" in out
    assert f"Learned ticket #{number} into a new entry 'campus-parking'" in out
    code, out, _ = cli(capsys, "ask", "--faq", env["faq"], "--json", PARKING)
    decision = json.loads(out)
    assert (decision["action"], decision["entry"], decision["answer"]) == ("answer", "campus-parking", REPLY)
    assert REPLY in console(env, PARKING)
    code, out, _ = cli(capsys, "queue", "show", str(number), "--db", env["db"])
    assert "learned - into entry 'campus-parking' as a new entry (faq/learned.yaml)" in out


def test_learn_into_an_existing_entry(capsys, env):
    question = "Will studying here get me a job in film sound"
    number = answered_ticket(env, question)
    code, out, err = cli(capsys, "faq", "learn", str(number), "--entry", "careers", "--faq", env["faq"],
                         "--db", env["db"], "--as", "ada")
    assert code == 0, err
    assert f"+    - {question}  # from ticket #{number}, learned by ada (cli)" in out
    assert "Producer, recording engineer" in console(env, question)


def test_a_refused_learn_exits_2_names_the_problem_and_writes_nothing(capsys, env):
    number = answered_ticket(env)
    before = faq_files(env)
    code, out, err = cli(capsys, "faq", "learn", str(number), "--new", "Campus_Parking", "--faq", env["faq"],
                         "--db", env["db"])
    assert code == 2 and out == "" and "Traceback" not in err
    assert "learned.yaml:7: error: entry 'Campus_Parking': 'id' must be a lowercase slug" in err
    code, _, err = cli(capsys, "faq", "learn", str(number), "--entry", "careers", "--answer", "x",
                       "--faq", env["faq"], "--db", env["db"])
    assert code == 2 and "--question, --answer and --kind are for a new entry" in err
    code, _, err = cli(capsys, "faq", "learn", "999", "--entry", "careers", "--faq", env["faq"], "--db", env["db"])
    assert code == 2 and "999" in err and "Traceback" not in err
    assert faq_files(env) == before


def test_gaps_and_stats(capsys, env):
    console(env, "where can I park my car", "yes", "Is there parking at the school?", "do internships pay")
    code, out, _ = cli(capsys, "faq", "gaps", "--json", "--faq", env["faq"], "--db", env["db"])
    data = json.loads(out)
    assert code == 0 and [g["count"] for g in data["groups"]] == [2]
    assert data["groups"][0]["examples"] == ["where can I park my car", "Is there parking at the school?"]
    assert data["groups"][0]["tickets"] == [1] and data["groups"][0]["answered_tickets"] == []
    code, out, _ = cli(capsys, "faq", "gaps", "--since", "7d", "--faq", env["faq"], "--db", env["db"])
    assert code == 0 and "1. 2 question(s)" in out and "- where can I park my car" in out

    code, out, _ = cli(capsys, "stats", "--json", "--db", env["db"])
    figures = json.loads(out)
    assert code == 0 and (figures["questions"], figures["passed_to_staff"], figures["offered"]) == (3, 1, 2)
    code, out, _ = cli(capsys, "stats", "--db", env["db"], "--since", "2020-01-01")
    assert code == 0 and "Questions: 3" in out and "passed to staff: 1 (33%)" in out
    code, _, err = cli(capsys, "stats", "--db", env["db"], "--since", "last tuesday")
    assert code == 2 and "--since 'last tuesday' is not a date" in err


def test_stats_chart_is_a_png(capsys, env, tmp_path):
    console(env, "do internships pay", "where can I park my car", "yes")
    chart = tmp_path / "stats.png"
    code, out, err = cli(capsys, "stats", "--chart", str(chart), "--db", env["db"])
    assert code == 0, err
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 5000
    assert f"Chart written to {chart}." in out


def test_stats_chart_without_matplotlib_says_how_to_install(capsys, env, tmp_path, monkeypatch):
    console(env, "do internships pay")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the extra were not installed
    code, out, err = cli(capsys, "stats", "--chart", str(tmp_path / "c.png"), "--db", env["db"])
    assert code == 2 and "pip install 'admissionsbot[charts]'" in err and "Traceback" not in err
    assert not (tmp_path / "c.png").exists()


def test_the_new_commands_have_help(capsys):
    for args in (["faq", "learn", "--help"], ["faq", "gaps", "--help"], ["stats", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 0 and "usage: admissionsbot" in capsys.readouterr().out

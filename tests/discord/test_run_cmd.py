"""`admissionsbot run` and `sync-commands` through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import APP_ID, GUILD_ID, Recorder

from admissionsbot.cli import build_parser, main


@pytest.fixture
def config(tmp_path: Path, settings) -> Path:
    path = tmp_path / "admissionsbot.yaml"
    path.write_text(f"faq_dir: {settings.faq_dir}\ndatabase_url: {settings.database_url}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["run", "sync-commands"])
def test_without_a_token_exit_2_and_say_how(command, monkeypatch, capsys, config):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["--config", str(config), command]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "export DISCORD_TOKEN=" in err and "admissionsbot chat" in err


def test_a_blank_token_counts_as_none(monkeypatch, capsys, config):
    monkeypatch.setenv("DISCORD_TOKEN", "   ")
    assert main(["--config", str(config), "run"]) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


def test_broken_faq_stops_run_with_the_services_message(monkeypatch, capsys, tmp_path, recorder: Recorder):
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "faq.yaml").write_text("- id: x\n  question: [oops\n", encoding="utf-8")
    assert main(["run", "--faq", str(broken), "--db", str(tmp_path / "t.db")]) == 2
    err = capsys.readouterr().err
    assert "The FAQ has" in err and "faq.yaml" in err and "not-a-real-token" not in err
    assert recorder.calls == []  # never talked to Discord


def test_bad_office_hours_stop_run_clearly(monkeypatch, capsys, tmp_path, config, recorder: Recorder):
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    monkeypatch.setenv("ADMISSIONSBOT_TIMEZONE", "Mars/Olympus")
    assert main(["--config", str(config), "run"]) == 2
    assert "timezone 'Mars/Olympus'" in capsys.readouterr().err
    assert recorder.calls == []


@pytest.mark.parametrize("guild", [None, GUILD_ID])
def test_sync_commands_syncs_and_prints(guild, monkeypatch, capsys, config, recorder: Recorder):
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    args = ["--config", str(config), "sync-commands"] + (["--guild", str(guild)] if guild else [])
    assert main(args) == 0
    [put] = [c for c in recorder.calls if c.method == "PUT"]
    expected = f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands" if guild else f"/applications/{APP_ID}/commands"
    assert put.url.endswith(expected)
    names = sorted(c["name"] for c in put.json)
    assert names == ["ask", "faq", "mytickets", "privacy", "queue", "snippet", "stats", "tour", "tours"]
    out = capsys.readouterr().out
    assert "Synced 9 command(s)" in out and "/ask" in out and "/queue" in out
    assert (f"guild {GUILD_ID}" in out) if guild else ("global" in out)
    queue = next(c for c in put.json if c["name"] == "queue")
    assert sorted(o["name"] for o in queue["options"]) == ["assign", "claim", "close", "list", "release", "reopen",
                                                           "reply", "show"]
    assert queue["default_member_permissions"] is not None  # hidden from students (the real check is the role)
    assert not [c for c in recorder.calls if c.method == "POST"]  # no retry pass, no messages


def test_both_commands_have_help_text():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert helps["run"] and "DISCORD_TOKEN" in helps["run"]
    assert helps["sync-commands"]


def test_run_starts_the_bot_with_the_token_from_the_environment(monkeypatch, capsys, caplog, config, recorder):
    import discord

    from admissionsbot.adapters.discord.bot import AdmissionsBot

    seen: list[str] = []

    async def fake_start(self, token, *, reconnect=True):
        seen.append(token)
        assert self.intents.message_content is False  # no help channels configured: no privileged intent

    monkeypatch.setattr(AdmissionsBot, "start", fake_start)
    monkeypatch.setattr(discord.utils, "setup_logging", lambda **kwargs: None)
    monkeypatch.setenv("DISCORD_TOKEN", "  secret-token-value  ")
    assert main(["--config", str(config), "run"]) == 0
    assert seen == ["secret-token-value"]
    out = capsys.readouterr()
    assert "secret-token-value" not in out.out + out.err + caplog.text


def test_run_with_a_refused_token(monkeypatch, capsys, config, recorder):
    import discord

    from admissionsbot.adapters.discord.bot import AdmissionsBot

    async def refused(self, token, *, reconnect=True):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(AdmissionsBot, "start", refused)
    monkeypatch.setattr(discord.utils, "setup_logging", lambda **kwargs: None)
    monkeypatch.setenv("DISCORD_TOKEN", "wrong")
    assert main(["--config", str(config), "run"]) == 2
    assert "refused the token" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "sync-commands"])
def test_discord_unreachable_is_one_clear_line(command, monkeypatch, capsys, config, recorder):
    """Issue 11: name resolution failing gave an aiohttp traceback."""
    import aiohttp
    import discord

    async def no_network(self, token):
        raise aiohttp.ClientConnectionError(
            "Cannot connect to host discord.com:443 ssl:default [Name or service not known]")

    monkeypatch.setattr(discord.Client, "login", no_network)
    monkeypatch.setattr(discord.utils, "setup_logging", lambda **kwargs: None)
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert main(["--config", str(config), command]) == 2
    err = capsys.readouterr().err
    assert "cannot reach Discord (Cannot connect to host discord.com:443" in err and "Traceback" not in err


def test_a_read_only_database_stops_run_before_it_connects(monkeypatch, capsys, config, recorder):
    """Issue 11: the README promised it; the write probe makes it true."""
    import discord

    from admissionsbot.adapters.discord.bot import AdmissionsBot
    from admissionsbot.core.errors import StorageError
    from admissionsbot.storage.common import SQLTicketStore

    started: list[str] = []

    async def fake_start(self, token, *, reconnect=True):
        started.append(token)

    def read_only(self):
        raise StorageError("Cannot write the ticket database tickets.sqlite3: attempt to write a readonly database.")

    monkeypatch.setattr(AdmissionsBot, "start", fake_start)
    monkeypatch.setattr(SQLTicketStore, "check_writable", read_only)
    monkeypatch.setattr(discord.utils, "setup_logging", lambda **kwargs: None)
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert main(["--config", str(config), "run"]) == 2
    assert "readonly database" in capsys.readouterr().err and started == []

"""One process leads (retries; under --standby, the Discord connection), the others wait (issue 11, item 9).

In-process checks of the leader lease as the bot uses it; tests/test_multiprocess.py
runs real processes against a fake Discord and kills one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from harness import STAFF_CHANNEL_ID, Harness, Recorder

from admissionsbot.adapters.leadership import LEADER
from admissionsbot.cli import build_parser, main
from admissionsbot.config import ConfigError, load_settings
from admissionsbot.core.models import Asker, FiledReason

# standby_takeover_seconds in these tests: renew every 0.3 s, leases of 0.9 s. Shorter leases flapped
# when the whole suite loaded the 2-core machine (a renewal late by 0.3 s lost the lead mid-test).
FAST = 1.5
SETTLE = 1.0  # several renewal rounds: long enough to see that nothing happens


async def wait_until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def file_ticket(service) -> int:
    asker = Asker("discord", "5000", "stu", "2001")
    return service.desk.file_question(asker, "How much is tuition?", FiledReason.HANDOFF).number


async def test_only_the_leading_process_retries_and_a_follower_takes_over(service, settings, recorder: Recorder):
    service.desk.acquire_lease(LEADER, "other-process", 60)  # another process leads
    harness = Harness(service, replace(settings, standby_takeover_seconds=FAST, retry_interval_seconds=3600.0),
                      recorder)
    await harness.start()
    try:
        number = file_ticket(service)  # its card is pending: only the leader's retry pass may post it
        await asyncio.sleep(SETTLE)
        assert not harness.bot.leadership.leading() and not harness.bot.retry_task.is_running()
        assert harness.staff_posts() == []

        service.desk.release_lease(LEADER, "other-process")  # it stopped cleanly
        # posted, and the post recorded (the store write follows Discord's answer)
        await wait_until(lambda: service.desk.ticket(number).staff_post_ref is not None)
        assert len(harness.staff_posts()) == 1 and harness.bot.leadership.leading()
        assert harness.staff_card(number)["embeds"][0]["title"].startswith(f"Ticket #{number}")
    finally:
        await harness.stop()
    assert service.desk.lease_holder(LEADER) is None  # given back at shutdown: a standby need not wait


async def test_a_follower_says_another_process_leads(service, settings, recorder: Recorder, caplog):
    service.desk.acquire_lease(LEADER, "host-a:42:abc", 60)
    harness = Harness(service, replace(settings, standby_takeover_seconds=FAST), recorder)
    await harness.start()
    await harness.stop()
    assert any("host-a:42:abc" in r.getMessage() and "--standby" in r.getMessage() for r in caplog.records)


@pytest.mark.allow_errors
async def test_a_standby_process_that_stops_leading_leaves_discord(service, settings, recorder: Recorder):
    harness = Harness(service, replace(settings, standby_takeover_seconds=FAST), recorder)
    await harness.start(standby=True)
    try:
        assert harness.bot.leadership.leading()
        later = datetime.now(UTC) + timedelta(seconds=10)  # another process saw our lease lapse (we stalled)
        assert service.desk.store.acquire_lease(LEADER, "other-process", later, later + timedelta(seconds=60))
        await wait_until(lambda: harness.bot.is_closed())
        assert harness.bot.lost_lead and harness.bot.retry_task is None  # the background cog is gone too
    finally:
        await harness.stop()


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path, settings) -> Path:
    path = tmp_path / "admissionsbot.yaml"
    path.write_text(f"faq_dir: {settings.faq_dir}\ndatabase_url: {settings.database_url}\n"
                    f"staff_channel_id: {STAFF_CHANNEL_ID}\nstandby_takeover_seconds: {FAST}\n", encoding="utf-8")
    return path


def test_run_standby_connects_only_once_the_active_process_stops(monkeypatch, config, service, recorder, caplog):
    import discord

    from admissionsbot.adapters.discord.bot import AdmissionsBot

    started = threading.Event()

    async def fake_start(self, token, *, reconnect=True):
        started.set()

    monkeypatch.setattr(AdmissionsBot, "start", fake_start)
    monkeypatch.setattr(discord.utils, "setup_logging", lambda **kwargs: None)
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    service.desk.acquire_lease(LEADER, "active-process", 60)
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(main(["--config", str(config), "run", "--standby"])))
    runner.start()
    try:
        assert not started.wait(SETTLE), "connected while another process was active"
        assert recorder.calls == []
        service.desk.release_lease(LEADER, "active-process")
        begun = time.monotonic()
        assert started.wait(5)
        assert time.monotonic() - begun < 2 * FAST  # a standby polls every FAST / 5 s: well within this
    finally:
        service.desk.release_lease(LEADER, "active-process")
        runner.join(10)
    assert codes == [0]
    assert any("Standing by: active-process" in r.getMessage() for r in caplog.records)


def test_run_standby_has_help_text():
    parser = build_parser()
    run = next(a for a in parser._actions if a.dest == "command").choices["run"]
    [standby] = [a for a in run._actions if a.dest == "standby"]
    assert "standby_takeover_seconds" in standby.help


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_standby_takeover_seconds_must_be_a_positive_number(value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="standby_takeover_seconds"):
        load_settings(env={"ADMISSIONSBOT_STANDBY_TAKEOVER_SECONDS": value})


def test_standby_takeover_seconds_default_and_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}).standby_takeover_seconds == 30.0
    assert load_settings(env={"ADMISSIONSBOT_STANDBY_TAKEOVER_SECONDS": "12.5"}).standby_takeover_seconds == 12.5

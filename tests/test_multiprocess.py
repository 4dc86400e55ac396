"""Real bot processes on one PostgreSQL database, a fake Discord, and kill -9 (issue 11, item 9).

Each process is the shipped `admissionsbot run` (tests/multiprocess/bot_process.py
points discord.py at tests/multiprocess/fake_discord.py on 127.0.0.1). The
active process is killed while Discord has created one of its DMs but not yet
answered; the process that takes over resends it with the same nonce, and the
fake Discord, like Discord, returns the message it already created. Whatever
the timing: every staff reply reaches its student exactly once, no staff card
is posted twice and no question is filed twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "multiprocess"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "discord"))
from fake_discord import FakeDiscord, dm_channel_of  # noqa: E402
from faq_fixtures import write_faq  # noqa: E402
from payloads import (  # noqa: E402
    GUILD_ID,
    HELP_CHANNEL_ID,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    TIMESTAMP,
    member,
    user,
)

from admissionsbot.core.desk import TicketDesk  # noqa: E402
from admissionsbot.core.models import Asker, FiledReason, Staff  # noqa: E402
from admissionsbot.storage import open_store  # noqa: E402

BOT = Path(__file__).resolve().parent / "multiprocess" / "bot_process.py"
TAKEOVER = 3.0  # standby_takeover_seconds: leases of 1.8 s, renewed every 0.6 s
QUESTION = "How much is tuition?"  # a hand-off topic: filed at once
STAFF_NAME = Staff("discord", "6000", "ada")


@dataclass
class Bot:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_for(what: str, predicate: Callable[[], Any], timeout: float, bots: Sequence[Bot] = ()) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        for bot in bots:
            if bot.process.poll() is not None and bot.process.returncode != -signal.SIGKILL:
                raise AssertionError(f"{bot.name} exited ({bot.process.returncode}) while waiting for {what}:\n"
                                     f"{bot.log_text()[-3000:]}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {b.name}\n{b.log_text()[-2000:]}" for b in bots)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.05)


@pytest.fixture
def world(pg_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    fake = FakeDiscord()
    url = fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADMISSIONSBOT_")}
    env.update({
        "FAKE_DISCORD_URL": url, "DISCORD_TOKEN": "fake-token", "PYTHONUNBUFFERED": "1",
        "ADMISSIONSBOT_DATABASE_URL": pg_url, "ADMISSIONSBOT_FAQ_DIR": str(write_faq(tmp_path / "faq")),
        "ADMISSIONSBOT_GUILD_ID": str(GUILD_ID), "ADMISSIONSBOT_STAFF_CHANNEL_ID": str(STAFF_CHANNEL_ID),
        "ADMISSIONSBOT_STAFF_ROLE_IDS": str(STAFF_ROLE_ID), "ADMISSIONSBOT_RETRY_INTERVAL_SECONDS": "1",
        "ADMISSIONSBOT_STANDBY_TAKEOVER_SECONDS": str(TAKEOVER),
    })
    desk = TicketDesk(open_store(pg_url))  # the schema is there before the bots race to open it
    bots: list[Bot] = []

    def start(name: str, *args: str) -> Bot:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, str(BOT), "run", *args], cwd=tmp_path, env=env,
                                       stdout=out, stderr=subprocess.STDOUT)
        bot = Bot(name, process, log)
        bots.append(bot)
        return bot

    try:
        yield {"fake": fake, "desk": desk, "start": start, "bots": bots}
        unknown = [f"{c.method} {c.path}" for c in fake.calls if c.status == 404]
        assert not unknown, f"calls the fake Discord does not know: {unknown}"
        for bot in bots:
            if bot.process.returncode != -signal.SIGKILL:
                assert "Traceback" not in bot.log_text() and " ERROR " not in bot.log_text(), bot.log_text()[-3000:]
    finally:
        for bot in bots:
            if bot.process.poll() is None:
                bot.process.kill()
            bot.process.wait(10)
        fake.stop()
        desk.shutdown()


# -- what students and staff do ------------------------------------------------------------------


def student(i: int) -> dict[str, Any]:
    return user(5100 + i, f"student{i}")


def ask_by_dm(fake: FakeDiscord, i: int) -> None:
    """Student i DMs the bot a hand-off question (the gateway event Discord would send)."""
    who = student(i)
    fake.dispatch("MESSAGE_CREATE", {
        "id": str(fake.next_id()), "channel_id": str(dm_channel_of(int(who["id"]))), "author": who,
        "content": QUESTION, "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": False, "type": 0, "flags": 0, "components": [],
    })


def slash_reply(fake: FakeDiscord, desk: TicketDesk, number: int, text: str) -> None:
    """A staff member runs /queue claim, then (once it is stored) /queue reply: gateway interactions."""
    for sub, options in (("claim", [{"name": "number", "type": 4, "value": number}]),
                         ("reply", [{"name": "number", "type": 4, "value": number},
                                    {"name": "text", "type": 3, "value": text}])):
        iid = fake.next_id()
        fake.dispatch("INTERACTION_CREATE", {
            "id": str(iid), "application_id": "9000", "type": 2, "token": f"tok{iid}", "version": 1,
            "attachment_size_limit": 8 * 1024 * 1024, "locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)}, "app_permissions": "0",
            "data": {"id": str(fake.next_id()), "name": "queue", "type": 1,
                     "options": [{"name": sub, "type": 1, "options": options}]},
            "guild_id": str(GUILD_ID), "guild_locale": "en-US", "member": member(STAFF, (STAFF_ROLE_ID,)),
            "channel": {"id": str(HELP_CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "c",
                        "position": 0, "permission_overwrites": []},
            "channel_id": str(HELP_CHANNEL_ID), "context": 0,
        })
        if sub == "claim":
            wait_for(f"the claim of #{number}", lambda: desk.ticket(number).claimed_by, 10)


def reply_from_the_queue_command(desk: TicketDesk, number: int, text: str) -> None:
    """Staff answer from `admissionsbot queue reply` on another machine: stored, delivered by the bot."""
    desk.claim(number, STAFF_NAME)
    desk.reply(number, STAFF_NAME, text)


def file_from_another_front_end(desk: TicketDesk, i: int) -> int:
    """A Discord student's ticket written by another process (its card is the bots' to post)."""
    who = student(i)
    asker = Asker("discord", who["id"], who["username"], str(dm_channel_of(int(who["id"]))), private=True)
    return desk.file_question(asker, QUESTION, FiledReason.HANDOFF).number


# -- what Discord saw ----------------------------------------------------------------------------


def cards_by_ticket(fake: FakeDiscord) -> dict[int, int]:
    counts: dict[int, int] = {}
    for message in fake.created_in(STAFF_CHANNEL_ID):
        for embed in message["embeds"]:
            title = embed.get("title", "")
            if title.startswith("Ticket #"):
                number = int(title.split("#")[1].split()[0])
                counts[number] = counts.get(number, 0) + 1
    return counts


def dms_with(fake: FakeDiscord, text: str) -> list[dict[str, Any]]:
    with fake._lock:
        created = list(fake.created)
    return [m for m in created if any(text in (e.get("description") or "") for e in m["embeds"])]


def all_done(desk: TicketDesk, tickets: int) -> bool:
    listed = desk.tickets(limit=1000)
    return (len(listed) == tickets and not desk.pending_staff_posts()
            and sum(len(t.replies) for t in listed) == tickets and not desk.undelivered_replies(limit=1000))


def assert_exactly_once(fake: FakeDiscord, desk: TicketDesk, students: int) -> None:
    tickets = desk.tickets(limit=1000)
    askers = [t.asker.user_id for t in tickets]
    assert len(askers) == len(set(askers)) == students, f"questions filed: {sorted(askers)}"
    assert cards_by_ticket(fake) == {t.number: 1 for t in tickets}, "each card posted exactly once"
    for ticket in tickets:
        [reply] = ticket.replies
        assert reply.delivered_at is not None
        delivered = dms_with(fake, reply.text)
        assert len(delivered) == 1, f"reply {reply.id} ({reply.text!r}) reached the student {len(delivered)} times"
        assert int(delivered[0]["channel_id"]) == dm_channel_of(int(ticket.asker.user_id))


# -- the tests -----------------------------------------------------------------------------------


def test_a_standby_takes_over_from_a_killed_active_process_and_sends_everything_once(world):
    fake, desk, start = world["fake"], world["desk"], world["start"]
    active = start("active", "--standby")
    wait_for("the active process to connect", lambda: len(fake.sessions) == 1, 20, world["bots"])
    standby = start("standby", "--standby")
    wait_for("the standby to stand by", lambda: "Standing by" in standby.log_text(), 20, world["bots"])

    for i in range(3):  # questions by DM, answered by /queue reply and by the queue command
        ask_by_dm(fake, i)
    numbers = wait_for("three tickets", lambda: sorted(t.number for t in desk.tickets()) if len(desk.tickets()) == 3
                       else None, 10, world["bots"])
    slash_reply(fake, desk, numbers[0], "Reply one, sent by slash command.")
    reply_from_the_queue_command(desk, numbers[1], "Reply two, from the queue command.")
    reply_from_the_queue_command(desk, numbers[2], "Reply three, from the queue command.")
    wait_for("everything delivered", lambda: all_done(desk, 3), 15, world["bots"])

    held = fake.hold(lambda path, body: any("in flight" in (e.get("description") or "")
                                            for e in body.get("embeds") or []))
    ask_by_dm(fake, 3)
    [number] = wait_for("the fourth ticket", lambda: [t.number for t in desk.tickets() if t.number not in numbers],
                        10, world["bots"])
    reply_from_the_queue_command(desk, number, "Reply four, in flight when the bot died.")
    assert held.reached.wait(15), "the DM never reached Discord"
    assert len(fake.sessions) == 1, "the standby connected to Discord while the active process ran"
    active.process.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    active.process.wait(10)

    wait_for("the standby to connect", lambda: len(fake.live_sessions()) == 1 and len(fake.sessions) == 2, 20,
             world["bots"])
    assert fake.sessions[1].identified_at - killed < TAKEOVER + 2.0  # lease lapse + log in
    wait_for("the reply in flight to be redelivered", lambda: not desk.undelivered_replies(), 20, world["bots"])
    resent = fake.posts(lambda c: any("in flight" in (e.get("description") or "") for e in (c.json or {})
                                     .get("embeds") or []))
    assert len(resent) == 2 and resent[0].json["nonce"] == resent[1].json["nonce"]  # sent again, same nonce

    ask_by_dm(fake, 4)  # the new active process answers the next student
    [last] = wait_for("the fifth ticket", lambda: [t.number for t in desk.tickets() if t.number not in
                                                    (*numbers, number)], 10, world["bots"])
    slash_reply(fake, desk, last, "Reply five, after the takeover.")
    wait_for("everything delivered", lambda: all_done(desk, 5), 15, world["bots"])
    assert_exactly_once(fake, desk, students=5)
    assert standby.process.poll() is None


def test_two_active_processes_leave_background_work_to_one_and_survive_its_death(world):
    """Without --standby both connect; only the lease holder retries, and the other takes over when it dies."""
    fake, desk, start = world["fake"], world["desk"], world["start"]
    first = start("first")
    wait_for("the first process to lead", lambda: desk.lease_holder("leader"), 20, world["bots"])
    second = start("second")
    wait_for("both connected", lambda: len(fake.live_sessions()) == 2, 20, world["bots"])
    holder = desk.lease_holder("leader")
    assert holder is not None and f":{first.process.pid}:" in holder[0]

    numbers = [file_from_another_front_end(desk, i) for i in range(6)]  # six cards for the leader to post
    for i, number in enumerate(numbers[:5]):
        reply_from_the_queue_command(desk, number, f"Queue reply {i}.")
    wait_for("five replies delivered", lambda: len(desk.undelivered_replies()) == 0 and not desk.pending_staff_posts(),
             15, world["bots"])

    held = fake.hold(lambda path, body: any("in flight" in (e.get("description") or "")
                                            for e in body.get("embeds") or []))
    reply_from_the_queue_command(desk, numbers[5], "Queue reply 5, in flight when the leader died.")
    assert held.reached.wait(15), "the DM never reached Discord"
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(10)

    wait_for("the second process to lead", lambda: (desk.lease_holder("leader") or ("",))[0].count(
        f":{second.process.pid}:"), TAKEOVER + 5, world["bots"])
    wait_for("everything delivered", lambda: all_done(desk, 6), 20, world["bots"])
    assert_exactly_once(fake, desk, students=6)
    resent = fake.posts(lambda c: any("in flight" in (e.get("description") or "") for e in (c.json or {})
                                     .get("embeds") or []))
    assert len(resent) == 2 and resent[0].json["nonce"] == resent[1].json["nonce"]

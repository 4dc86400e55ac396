"""Staff replies delivered per second by one and by two bot processes, SQLite and PostgreSQL.

Real `admissionsbot run` processes (tests/multiprocess/bot_process.py) talk to
the fake Discord of tests/multiprocess/fake_discord.py on 127.0.0.1, which can
wait before every answer to play Discord's round trip. N tickets (cards already
posted) are claimed, then answered all at once while the benchmark holds the
leader lease; it gives the lease up and the bots' leader delivers the backlog:
for each reply a lease, a DM channel, the DM (with its nonce), the delivery mark
and the card update. The figure is replies per second between the first and the
last DM Discord received. With two processes both are connected; the one
holding the leader lease does the retries.

    .venv/bin/python benchmarks/delivery_throughput.py [--pg URL] [--replies N] [--latency-ms MS ...]

Without --pg, $ADMISSIONSBOT_TEST_POSTGRES_URL is used; without either, only
SQLite is measured. The PostgreSQL tables live in a throwaway schema.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "multiprocess"))

from _pg import throwaway_schema  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from fake_discord import FakeDiscord, dm_channel_of  # noqa: E402
from faq_fixtures import write_faq  # noqa: E402

from admissionsbot.core.desk import TicketDesk  # noqa: E402
from admissionsbot.core.models import Asker, FiledReason  # noqa: E402
from admissionsbot.core.staff import cli_staff  # noqa: E402
from admissionsbot.storage import open_store  # noqa: E402

BOT = ROOT / "tests" / "multiprocess" / "bot_process.py"
STAFF = cli_staff("bench (1)")
LEADER = "leader"


def _wait(what: str, predicate, timeout: float, logs: list[Path]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-2000:]}" for log in logs)
            raise SystemExit(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.02)


def measure(db_url: str, processes: int, replies: int, latency: float, workdir: Path) -> float:
    """Replies per second from the first DM to the last."""
    fake = FakeDiscord(latency=latency)
    url = fake.start()
    desk = TicketDesk(open_store(db_url))
    bots: list[subprocess.Popen[bytes]] = []
    try:
        numbers = []
        for i in range(replies):
            uid = 10_000 + i
            asker = Asker("discord", str(uid), f"s{i}", str(dm_channel_of(uid)), private=True)
            number = desk.file_question(asker, f"benchmark question {i}", FiledReason.HANDOFF).number
            desk.staff_posted(number, f"2000:{fake.next_id()}")  # its card is up already
            desk.claim(number, STAFF)
            numbers.append(number)
        desk.acquire_lease(LEADER, "benchmark", 600)  # no bot retries until every reply is filed
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADMISSIONSBOT_")}
        env.update({"FAKE_DISCORD_URL": url, "DISCORD_TOKEN": "fake-token", "ADMISSIONSBOT_DATABASE_URL": db_url,
                    "ADMISSIONSBOT_FAQ_DIR": str(write_faq(workdir / "faq")), "ADMISSIONSBOT_GUILD_ID": "1000",
                    "ADMISSIONSBOT_STAFF_CHANNEL_ID": "2000", "ADMISSIONSBOT_RETRY_INTERVAL_SECONDS": "1",
                    "ADMISSIONSBOT_STANDBY_TAKEOVER_SECONDS": "1", "ADMISSIONSBOT_LOG_LEVEL": "WARNING"})
        logs = [workdir / f"bot{i}.log" for i in range(processes)]
        for log in logs:
            with log.open("wb") as out:
                bots.append(subprocess.Popen([sys.executable, str(BOT), "run"], cwd=workdir, env=env,
                                             stdout=out, stderr=subprocess.STDOUT))
        _wait("the bots to connect", lambda: len(fake.live_sessions()) == processes, 60, logs)
        for number in numbers:
            desk.reply(number, STAFF, f"benchmark reply to ticket {number}")
        desk.release_lease(LEADER, "benchmark")
        _wait("every reply delivered", lambda: not desk.undelivered_replies(limit=1), 300, logs)
        times = sorted(c.at for c in fake.posts(lambda c: c.created is not None and "/channels/" in c.path
                                                 and int(c.path.split("/")[2]) >= dm_channel_of(0)))
        if len(times) != replies:
            raise SystemExit(f"{len(times)} DMs for {replies} replies")
        return (replies - 1) / (times[-1] - times[0])
    finally:
        for bot in bots:
            bot.kill()
            bot.wait(10)
        fake.stop()
        desk.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("ADMISSIONSBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--replies", type=int, default=300, help="replies per run (default 300)")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 50.0],
                        help="fake Discord round trip(s) in ms (default 0 50)")
    args = parser.parse_args()
    print(f"{args.replies} replies per run; Python {sys.version.split()[0]}; {os.cpu_count()} cores")
    print(f"{'backend':<12}{'Discord ms':>11}{'processes':>10}{'replies/s':>11}")
    backends = [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    for name, pg in backends:
        for latency in args.latency_ms:
            for processes in (1, 2):
                with tempfile.TemporaryDirectory() as tmp:
                    if pg is None:
                        rate = measure(f"sqlite:///{tmp}/bench.sqlite3", processes, args.replies, latency / 1000,
                                       Path(tmp))
                    else:
                        with throwaway_schema(pg) as url:
                            rate = measure(url, processes, args.replies, latency / 1000, Path(tmp))
                print(f"{name:<12}{latency:>11.0f}{processes:>10}{rate:>11.1f}", flush=True)
    if not args.pg:
        print("PostgreSQL: not measured (no --pg and no ADMISSIONSBOT_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()

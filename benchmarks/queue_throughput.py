"""Tickets filed per second with 1 and 8 OS processes, SQLite against PostgreSQL.

Each process opens its own store (as separate bot or CLI processes would) and
files tickets through the desk, every one through the atomic cap check, from
its own set of askers. Figures are wall-clock tickets per second over all
processes, after a barrier so all processes start together.

    .venv/bin/python benchmarks/queue_throughput.py [--pg URL] [--tickets N]

Without --pg, $ADMISSIONSBOT_TEST_POSTGRES_URL is used; without either, only
SQLite is measured. The PostgreSQL tables are created in a throwaway schema.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _pg import throwaway_schema  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

from admissionsbot.core.desk import TicketDesk  # noqa: E402
from admissionsbot.core.models import Asker, FiledReason  # noqa: E402
from admissionsbot.storage import open_store  # noqa: E402


def _worker(url: str, worker: int, count: int, barrier: mp.synchronize.Barrier, out: mp.Queue) -> None:
    desk = TicketDesk(open_store(url), max_live_tickets_per_asker=10**9)
    barrier.wait()
    start = time.perf_counter()
    for i in range(count):
        asker = Asker("bench", f"w{worker}-u{i % 50}", f"Worker {worker}")
        desk.file_question(asker, f"benchmark question {i} from worker {worker}", FiledReason.NO_MATCH)
    out.put(time.perf_counter() - start)
    desk.shutdown()


def measure(url: str, processes: int, per_process: int) -> float:
    """Tickets per second over all processes (wall clock from the common start)."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(processes + 1), ctx.Queue()
    open_store(url).close_store()  # migrate once, outside the timing
    workers = [ctx.Process(target=_worker, args=(url, w, per_process, barrier, out)) for w in range(processes)]
    for p in workers:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    for p in workers:
        p.join()
    wall = time.perf_counter() - start
    if any(p.exitcode for p in workers):
        raise SystemExit(f"a worker failed on {url.split('@')[-1]}")
    return processes * per_process / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("ADMISSIONSBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--tickets", type=int, default=400, help="tickets per process (default 400)")
    args = parser.parse_args()
    print(f"{args.tickets} tickets per process; Python {sys.version.split()[0]}; {os.cpu_count()} cores")
    print(f"{'backend':<12}{'processes':>10}{'tickets/s':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for processes in (1, 8):
            url = f"sqlite:///{tmp}/bench-{processes}.sqlite3"
            print(f"{'SQLite':<12}{processes:>10}{measure(url, processes, args.tickets):>12.0f}")
    if not args.pg:
        print("PostgreSQL: not measured (no --pg and no ADMISSIONSBOT_TEST_POSTGRES_URL)")
        return
    for processes in (1, 8):
        with throwaway_schema(args.pg) as url:
            print(f"{'PostgreSQL':<12}{processes:>10}{measure(url, processes, args.tickets):>12.0f}")


if __name__ == "__main__":
    main()

"""Which bot process leads: it runs the background loops and, under `run --standby`, is the one on Discord.

One lease row in the ticket database (`leases`, name "leader") says who leads
and until when. The leader renews it every `standby_takeover_seconds / 5` for
`3/5` of that time; a standby tries to take it at the same pace. When the
leader dies (kill -9, a lost machine) its lease lapses at most 3/5 T after its
last renewal, and a standby holds it at most 4/5 T after the death. A clean
shutdown gives the lease back at once.

Why a lease row and not `pg_try_advisory_lock` on a held connection:
- the same TicketStore methods, and one contract test suite, serve SQLite and
  PostgreSQL, so `--standby` works on either (on SQLite: processes on one machine);
- an advisory lock lasts as long as its session: a leader that hangs (a stuck
  event loop) or is cut off by a network partition keeps it until TCP gives up,
  possibly many minutes, while a lease ends at a known time;
- the store's connections are per thread and replaced silently when broken,
  which would silently drop an advisory lock; a lease needs no connection of its own.
The price: a tiny UPDATE every T/5, clocks that agree across machines (NTP), and
a leader that cannot reach the database must step down by itself: it counts
itself leader only until its last successful renewal's lease would end.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from ..core.desk import TicketDesk
from ..core.errors import AdmissionsError

log = logging.getLogger(__name__)

#: The lease that elects the leading process.
LEADER = "leader"


def new_owner() -> str:
    """An id for this process's leases: readable in the database (host, pid) and unique per start."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Leadership:
    """The leader lease as one process sees it (see the module docstring)."""

    def __init__(self, desk: TicketDesk, takeover_seconds: float, *, owner: str | None = None,
                 name: str = LEADER, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.desk = desk
        self.name = name
        self.owner = owner or new_owner()
        self.takeover_seconds = takeover_seconds
        self.interval = takeover_seconds / 5  # renew (leader) or try (standby) this often
        self.lease_seconds = 3 * takeover_seconds / 5  # two renewals may fail before it lapses
        self._monotonic = monotonic
        self._valid_until = 0.0  # monotonic time until which this process may act as leader

    def leading(self) -> bool:
        return self._monotonic() < self._valid_until

    async def try_lead(self) -> bool:
        """Take or renew the lease; True while this process leads.

        A database error keeps a leader leading until its last lease would end (nobody
        else can take it before), then it steps down.
        """
        started = self._monotonic()
        try:
            held = await asyncio.to_thread(self.desk.acquire_lease, self.name, self.owner, self.lease_seconds)
        except AdmissionsError as exc:
            log.warning("Could not renew the leader lease: %s", exc)
            return self.leading()
        self._valid_until = started + self.lease_seconds if held else 0.0
        return held

    async def holder(self) -> str | None:
        """Who holds the lease now (None: nobody, or the database cannot say)."""
        try:
            found = await asyncio.to_thread(self.desk.lease_holder, self.name)
        except AdmissionsError:
            return None
        return None if found is None else found[0]

    async def wait_until_leading(self) -> None:
        """Poll until this process holds the lease (a standby): no Discord connection meanwhile."""
        told = False
        while not await self.try_lead():
            if not told:
                told = True
                log.info("Standing by: %s is the active admissionsbot process. This one connects to Discord "
                         "within %g s of it stopping.", await self.holder() or "another process",
                         self.takeover_seconds)
            await asyncio.sleep(self.interval)
        log.info("This process (%s) is now the active one.", self.owner)

    async def resign(self) -> None:
        """Give the lease back (a clean shutdown) so a standby takes over at once."""
        self._valid_until = 0.0
        try:
            await asyncio.to_thread(self.desk.release_lease, self.name, self.owner)
        except AdmissionsError as exc:
            log.warning("Could not give the leader lease back (it lapses by itself): %s", exc)

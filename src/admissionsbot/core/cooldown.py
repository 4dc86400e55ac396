"""A per-user rate limiter (sliding window), platform-neutral.

Chat adapters call `hit(user_key)` before asking the matcher or filing a
ticket, so one student cannot flood the bot or the staff queue. It is kept
in memory on purpose: a restart forgetting the window is harmless.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CooldownResult:
    """Whether this event may go ahead; when not, how long to wait."""

    allowed: bool
    retry_after: float = 0.0
    first_refusal: bool = False  # True only for the first refusal in a window: say so once, then stay quiet

    def message(self) -> str:
        wait = max(1, round(self.retry_after))
        return f"You're sending questions faster than I can keep up with. Please wait {wait} seconds and try again."


class Cooldown:
    """At most `max_events` per `per_seconds` for each key."""

    def __init__(self, max_events: int, per_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_events < 1 or per_seconds < 0:
            raise ValueError("a cooldown needs max_events >= 1 and per_seconds >= 0")
        self.max_events = max_events
        self.per_seconds = per_seconds
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}

    def hit(self, key: str) -> CooldownResult:
        """Record one event for `key` if allowed; never records a refused one."""
        if self.per_seconds == 0:
            return CooldownResult(True)
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.per_seconds:
            events.popleft()
        if len(events) < self.max_events:
            events.append(now)
            self._warned.pop(key, None)
            self._prune(now)
            return CooldownResult(True)
        retry_after = self.per_seconds - (now - events[0])
        first = key not in self._warned
        self._warned[key] = now
        return CooldownResult(False, retry_after, first)

    def _prune(self, now: float) -> None:
        """Forget idle users now and then so the table does not grow for ever."""
        if len(self._events) < 1024:
            return
        for key in [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self.per_seconds]:
            del self._events[key]
            self._warned.pop(key, None)

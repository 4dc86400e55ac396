"""One writer at a time in the FAQ folder: an exclusive lock on `<faq>/.learn.lock`.

`flock` locks belong to an open file, so two threads of one bot process wait
for each other exactly like two processes (the bot and `admissionsbot faq
learn` in a terminal) do, and the kernel drops the lock of a process that
dies, so a crash never leaves the folder locked. The lock file itself is
empty and harmless; `.gitignore` lists it. (Processes on different machines
each have their own FAQ folder, and so their own lock.)
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import AdmissionsError

LOCK_FILE = ".learn.lock"
POLL_SECONDS = 0.05


class LockBusy(AdmissionsError):
    """Someone else kept the FAQ folder locked for longer than we were willing to wait."""


@contextmanager
def folder_lock(directory: str | Path, wait: float) -> Iterator[None]:
    """Hold the folder's lock; raises LockBusy after `wait` seconds, AdmissionsError if it cannot be made."""
    path = Path(directory) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise AdmissionsError(f"Cannot lock the FAQ folder {directory} ({exc.strerror}); is it writable?") from exc
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(f"Someone else is changing the FAQ in {directory} right now; try again in a "
                                   "moment. Nothing was learned.") from None
                time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

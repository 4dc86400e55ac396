"""Who a staff member is: a platform and a user id, shown with the latest name seen.

Until schema v7 the queue keyed staff by the text "name (id)" (Discord) or the
bare `--as NAME` (command line), so a member who changed their username was a
stranger to their own claims. Now tickets, replies and events hold the key
"platform:user_id" and the `staff` table keeps each member's latest name, so a
rename changes what is shown and nothing else.

Platforms:
- "discord": the Discord user id; the name is the username, refreshed whenever
  the member does anything in the queue.
- "cli": `admissionsbot queue ... --as NAME` has no account behind it, so the
  name is the id (a "rename" there is another person). `--as discord:ID` acts
  as that Discord member from a terminal (whoever can run the command can
  reach the database anyway).
The console `chat` is a student front end: it never acts as staff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import InvalidInput
from .limits import STAFF_NAME_CHARS
from .models import Staff
from .textcheck import require_field

DISCORD = "discord"
CLI = "cli"
PLATFORMS = (DISCORD, CLI)
#: The pre-v7 form of a Discord staff member: "username (user id)".
_LEGACY = re.compile(r"^(?P<name>.*) \((?P<id>[0-9]{1,20})\)$", re.S)
_KEY = re.compile(rf"^(?P<platform>{'|'.join(PLATFORMS)}):(?P<id>\S+)$")


def cli_staff(name: str) -> Staff:
    """`--as NAME` (or `--as discord:ID` to act as that Discord member; its name comes from the store)."""
    text = require_field(name, "name", STAFF_NAME_CHARS)
    found = _KEY.match(text)
    if found:
        return Staff(found["platform"], found["id"], "")
    return Staff(CLI, text, text)


def checked_staff(staff: Staff) -> Staff:
    """A member as a front end hands them over: an id is required, the name is cleaned and bounded."""
    user_id = require_field(staff.user_id, "staff id", STAFF_NAME_CHARS)
    if staff.platform not in PLATFORMS:
        raise InvalidInput(f"Staff act from {' or '.join(PLATFORMS)}, not {staff.platform!r}.")
    name = require_field(staff.name, "name", STAFF_NAME_CHARS, required=False)
    return Staff(staff.platform, user_id, name)


def staff_from_key(value: str, known: Mapping[str, Staff] | None = None) -> Staff:
    """The staff member a stored value names, with their current name when the store knows it.

    Values the v7 migration could not map (none are expected) read the way they would have
    been migrated: "name (id)" as that Discord member, anything else as a command-line name.
    """
    if known and value in known:
        return known[value]
    legacy = _LEGACY.match(value)
    if legacy:
        return Staff(DISCORD, legacy["id"], legacy["name"])
    key = _KEY.match(value)
    if key:
        return Staff(key["platform"], key["id"], key["id"])
    return Staff(CLI, value, value)


def label(staff: Staff) -> str:
    """Name and identity, for places where two members could share a name (CLI output, exports)."""
    if staff.platform == CLI and staff.user_id == staff.name:
        return f"{staff.name} (cli)"
    return f"{staff.name or staff.user_id} ({staff.key})"


def find_named(members: list[Staff], wanted: str) -> Staff:
    """The one known staff member `wanted` names: a key ("discord:6000") or a current name (any case).

    Used by `queue assign --to`: an unknown or ambiguous name is a clear error listing who is known.
    """
    text = wanted.strip()
    key = _KEY.match(text)
    if key:
        match = [m for m in members if m.key == text]
        return match[0] if match else Staff(key["platform"], key["id"], "")
    named = [m for m in members if m.name.casefold() == text.casefold()]
    if len(named) == 1:
        return named[0]
    known = ", ".join(label(m) for m in members[:20]) or "nobody yet"
    if named:
        raise InvalidInput(f"Several staff members are called {text!r}: {', '.join(label(m) for m in named)}. "
                           "Name one by its key, e.g. --to discord:ID.")
    raise InvalidInput(f"No staff member is called {text!r}. Known: {known}. A Discord member who has not "
                       "worked the queue yet can be named as discord:ID; a command-line name as cli:NAME.")

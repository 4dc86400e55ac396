"""Every input limit, defined once.

The Discord modals (`max_length`), the slash-command ranges, the service's
validation and the queue rules all read these, so a limit cannot be 300 in the
form and 200 in the check. Discord's own ceilings are here too because they
bound what a student can type at all.
"""

from __future__ import annotations

#: Discord: characters in one message's content, and in a modal text input / long string option.
DISCORD_MESSAGE_CHARS = 2000
DISCORD_LONG_TEXT_CHARS = 4000

#: A student's question as typed (/ask option, console line checked the same way).
QUESTION_CHARS = DISCORD_LONG_TEXT_CHARS
#: Longest message kept in a ticket; a longer paste is cut with a visible marker.
STORED_TEXT_CHARS = 10_000

#: Tour form fields.
NAME_CHARS = 100
EMAIL_CHARS = 254  # RFC 5321's longest usable address
PREFERRED_TIMES_CHARS = 300
NOTES_CHARS = 1000

#: Staff side.
STAFF_NAME_CHARS = 100
REPLY_CHARS = DISCORD_LONG_TEXT_CHARS
CLOSE_REASON_CHARS = 500

#: A student's follow-up on their ticket (the Discord form, the console's `reply N TEXT`).
FOLLOWUP_CHARS = DISCORD_LONG_TEXT_CHARS
#: A canned reply's name (it is typed in forms and commands) and its text (it becomes a reply).
SNIPPET_NAME_CHARS = 40
SNIPPET_CHARS = REPLY_CHARS

#: An FAQ entry id rides in button custom ids ("admissionsbot:nomatch:<id>", 100 characters at most).
ENTRY_ID_CHARS = 70
#: A phrasing learned from a ticket (a longer question is a story, not a phrasing: write a shorter one).
LEARNED_PHRASING_CHARS = 300

#: Bookkeeping text (delivery errors, event details) kept per row.
DETAIL_CHARS = 500

#: Campus tours (core/tours.py): what staff type for a slot, and what a student books.
TOUR_WHEN_CHARS = 40  # "2026-12-08T14:00", or with an offset where clocks go back
TOUR_NOTE_CHARS = 200
TOUR_CAPACITY_MAX = 500
TOUR_LENGTH_MINUTES = (15, 8 * 60)  # shortest and longest slot
TOUR_VISITORS_MAX = 10  # visitors one booking may bring (the student included)
#: Open slots offered at once: Discord's select menu holds at most 25 options.
TOUR_SLOTS_SHOWN = 25

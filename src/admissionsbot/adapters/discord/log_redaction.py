"""Keep secrets and personal data out of the logs, even at DEBUG.

At DEBUG, discord.py logs every gateway event (interaction tokens, the tour
form's name, email and notes), every REST body it sends (tour confirmations)
and the interaction webhook URLs, whose tokens let anyone answer as the bot for
15 minutes. `RedactingFilter` sits on the log handlers, so it sees every
record whichever logger wrote it, and rewrites such records before they are
emitted: bodies withheld, tokens and email addresses masked.
"""

from __future__ import annotations

import logging
import re

TOKEN = "[token]"
WITHHELD = "[body withheld]"
_URL_TOKEN = re.compile(r"(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.:\-]{8,}")
_TOKEN_FIELD = re.compile(r"""(["']token["']\s*:\s*)(["'])[^"']*\2""")
_EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_BOT_TOKEN = re.compile(r"\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}\b")

#: (logger, message format) pairs whose argument at the index carries a request or response body.
_BODY_ARGS = {
    ("discord.http", "%s %s with %s has returned %s"): 2,
    ("discord.http", "%s %s has received %s"): 2,
    ("discord.gateway", "For Shard ID %s: WebSocket Event: %s"): 1,
}


def redact(text: str) -> str:
    """Tokens in webhook/interaction URLs and JSON, bot tokens and email addresses masked."""
    text = _URL_TOKEN.sub(lambda m: m.group(1) + TOKEN, text)
    text = _TOKEN_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{TOKEN}{m.group(2)}", text)
    text = _BOT_TOKEN.sub(TOKEN, text)
    return _EMAIL.sub("[email]", text)


def _summary(event: object) -> str:
    """What a gateway event was, without its payload."""
    if isinstance(event, dict):
        return f"{WITHHELD} (op {event.get('op')}, t {event.get('t')})"
    return WITHHELD


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        index = _BODY_ARGS.get((record.name, str(record.msg)))
        if index is not None and isinstance(record.args, tuple) and len(record.args) > index:
            args = list(record.args)
            args[index] = _summary(args[index]) if record.name == "discord.gateway" else WITHHELD
            record.args = tuple(args)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's problem; emit it unchanged
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return True


def install(logger: logging.Logger | None = None) -> RedactingFilter:
    """Add the filter to every handler of `logger` (the root logger by default); returns it."""
    target = logger or logging.getLogger()
    flt = RedactingFilter()
    for handler in target.handlers:
        handler.addFilter(flt)
    return flt

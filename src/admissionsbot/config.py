"""Settings: defaults, an optional YAML file, then ADMISSIONSBOT_* environment overrides.

Every field below is documented in README "Configuration" with its default.
The Discord token is deliberately NOT a setting: it comes only from the
DISCORD_TOKEN environment variable so it never lands in a file in the repo.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

from .core import safe_yaml
from .core.decide import DecisionSettings
from .core.digest import ScheduleError, parse_schedule
from .core.errors import AdmissionsError
from .core.limits import QUESTION_CHARS
from .core.office_hours import OfficeHours, OfficeHoursError

ENV_PREFIX = "ADMISSIONSBOT_"
DEFAULT_CONFIG_FILE = "admissionsbot.yaml"
#: ADMISSIONSBOT_* variables that are not settings: the config file's path, the test suite's PostgreSQL URL.
NOT_SETTINGS = frozenset({ENV_PREFIX + "CONFIG", ENV_PREFIX + "TEST_POSTGRES_URL"})
MAX_CONFIG_BYTES = 256 * 1024
MAX_CHOICES = 3  # "did you mean" buttons that fit under one answer with "None of these"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(AdmissionsError):
    """A setting that cannot be used; the message names the setting and where it came from."""


@dataclass(frozen=True)
class Settings:
    # knowledge base and storage
    faq_dir: str = "faq"
    database_url: str = "sqlite:///admissionsbot.sqlite3"
    # matching (see README "Recalibrating")
    answer_threshold: float = DecisionSettings.answer_threshold
    clarify_threshold: float = DecisionSettings.clarify_threshold
    margin: float = DecisionSettings.margin
    max_choices: int = DecisionSettings.max_choices
    max_question_chars: int = DecisionSettings.max_question_chars
    # students
    max_open_tickets_per_user: int = 5
    cooldown_messages: int = 5  # at most this many questions ...
    cooldown_seconds: float = 30.0  # ... per this many seconds, per user
    # Discord
    guild_id: int | None = None
    staff_channel_id: int | None = None
    staff_role_ids: tuple[int, ...] = ()
    help_channel_ids: tuple[int, ...] = ()
    retry_interval_seconds: float = 60.0  # how often undelivered posts/replies are retried
    standby_takeover_seconds: float = 30.0  # a silent leader is replaced within this (run --standby, leases)
    # office hours: shown to students when a ticket is filed outside them
    office_hours: str = "09:00-17:00"
    office_days: str = "mon-fri"
    timezone: str = "UTC"
    log_level: str = "INFO"
    # campus tours by slot (README "Campus tours"): times in `timezone`
    tour_days_ahead: int = 14  # students are offered the open slots of this many days ahead
    tour_reminder_hours: float = 24.0  # a reminder DM this long before the tour (0: none)
    # staff queue operations (README "The staff workflow"): hand-over, reminders, retention
    release_after_hours: float = 24.0  # after this long without a word from the claimer, anyone may release
    remind_unclaimed_minutes: float = 60.0  # remind the staff role of an open ticket after this much office time
    remind_unanswered_hours: float = 24.0  # ... and of a claimed one no reply has answered for this long
    retention_days: int = 0  # personal data of tickets closed this long ago is purged daily; 0: kept
    # the knowledge loop (README "The learning loop"): turns recorded for the figures, the weekly digest
    record_question_text: bool = True  # keep each student turn's text (for `faq gaps`); False: outcome only
    digest_day: str = ""  # mon ... sun: post the weekly digest in the staff channel; empty: off
    digest_time: str = "09:00"  # when on digest_day, in `timezone`

    def decision_settings(self) -> DecisionSettings:
        try:
            return DecisionSettings(
                answer_threshold=self.answer_threshold,
                clarify_threshold=self.clarify_threshold,
                margin=self.margin,
                max_choices=self.max_choices,
                max_question_chars=self.max_question_chars,
            )
        except ValueError as exc:
            raise ConfigError(f"Invalid matching settings: {exc}.") from exc


def load_settings(
    path: str | Path | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Defaults <- YAML file (explicit path, $ADMISSIONSBOT_CONFIG, or ./admissionsbot.yaml) <- env.

    Every value is checked here, for every command, and a bad one is a ConfigError
    naming the setting and where it came from (file or environment variable).
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    explicit = path or env.get(ENV_PREFIX + "CONFIG")
    config_path = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    if explicit or config_path.exists():
        for key, value in _read_file(config_path).items():
            values[key], origins[key] = value, str(config_path)
    known = {f.name for f in fields(Settings)}
    for key in env:
        if key.startswith(ENV_PREFIX) and key not in NOT_SETTINGS and key[len(ENV_PREFIX):].lower() not in known:
            raise ConfigError(
                f"environment variable {key} names no setting (known: "
                f"{', '.join(ENV_PREFIX + k.upper() for k in sorted(known))}); remove it or fix its name."
            )
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key in env:
            origin = f"environment variable {key}"
            values[f.name], origins[f.name] = _coerce(f.name, env[key], origin), origin
    settings = replace(Settings(), **values)
    validate(settings, lambda name: origins.get(name, "the default"))
    return settings


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}.") from exc
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"Config file {path} is over {MAX_CONFIG_BYTES // 1024} KiB; a settings file is a few lines.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"Config file {path} is UTF-16 text; save it as UTF-8.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Config file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8.") from exc
    try:
        data = safe_yaml.load(text)
    except safe_yaml.YamlProblem as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise ConfigError(f"{where}: {exc.message}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"Config file {path} must be a mapping of setting: value.")
    known = {f.name for f in fields(Settings)}
    out = {}
    for key, value in data.items():
        if key in ("token", "discord_token"):
            raise ConfigError(f"{path}: never put the bot token in a file; set DISCORD_TOKEN in the environment.")
        if key not in known:
            raise ConfigError(f"{path}: unknown setting '{key}' (known: {', '.join(sorted(known))}).")
        out[key] = _coerce(key, value, f"{path}")
    return out


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Convert a file or env value to the field's type, with a message naming the origin."""
    hint = get_type_hints(Settings)[name]
    bad = ConfigError(f"{origin}: '{name}' has an invalid value {str(value)[:80]!r} (expected {_describe(hint)}).")
    if hint is not bool and (isinstance(value, (dict, bool)) or (value is None and hint != int | None)):
        raise bad
    if hint is bool:
        return _boolean(value, bad)
    text = str(value).strip() if not isinstance(value, (list, tuple)) else value
    try:
        if hint is str:
            if not isinstance(value, (str, int, float)):
                raise bad
            return str(value)
        if hint is int:
            return int(str(text))
        if hint is float:
            return float(str(text))
        if hint == int | None:
            return None if value is None or text in ("", "None", "null") else int(str(text))
        if hint == tuple[int, ...]:
            items = text if isinstance(text, (list, tuple)) else str(text).replace(",", " ").split()
            if any(isinstance(i, (bool, dict, list)) for i in items):
                raise bad
            return tuple(int(i) for i in items)
    except (TypeError, ValueError, OverflowError) as exc:
        raise bad from exc
    raise ConfigError(f"{origin}: '{name}' cannot be set.")  # pragma: no cover - every field type is handled


def _boolean(value: Any, bad: ConfigError) -> bool:
    """true/false from YAML, or true/false, yes/no, on/off, 1/0 from the environment."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    if word in ("true", "yes", "on", "1"):
        return True
    if word in ("false", "no", "off", "0"):
        return False
    raise bad


def _describe(hint: Any) -> str:
    return {str: "text", int: "a whole number", float: "a number", int | None: "a whole number or empty",
            tuple[int, ...]: "a list of ids", bool: "true or false"}.get(hint, str(hint))


def validate(settings: Settings, origin_of: Callable[[str], str] = lambda name: "the settings") -> None:
    """Refuse any value the bot could not run with; the message names the setting and its origin."""

    def need(ok: bool, name: str, what: str) -> None:
        if not ok:
            value = getattr(settings, name)
            raise ConfigError(f"{origin_of(name)}: '{name}' is {value!r}; it must be {what}.")

    def finite(name: str) -> bool:
        return math.isfinite(getattr(settings, name))

    need(bool(settings.faq_dir.strip()), "faq_dir", "a folder path")
    need(bool(settings.database_url.strip()), "database_url", "a SQLite path or a postgresql:// URL")
    for name in ("answer_threshold", "clarify_threshold"):
        need(finite(name) and 0 <= getattr(settings, name) <= 100, name, "a number from 0 to 100")
    need(settings.clarify_threshold <= settings.answer_threshold, "clarify_threshold",
         f"at most answer_threshold ({settings.answer_threshold:g})")
    need(finite("margin") and 0 <= settings.margin <= 100, "margin", "a number from 0 to 100")
    need(1 <= settings.max_choices <= MAX_CHOICES, "max_choices",
         f"from 1 to {MAX_CHOICES} (one button per choice)")
    need(1 <= settings.max_question_chars <= QUESTION_CHARS, "max_question_chars", f"from 1 to {QUESTION_CHARS}")
    need(settings.max_open_tickets_per_user >= 1, "max_open_tickets_per_user", "at least 1")
    need(settings.cooldown_messages >= 1, "cooldown_messages", "at least 1")
    need(finite("cooldown_seconds") and settings.cooldown_seconds > 0, "cooldown_seconds", "a number above 0")
    need(finite("retry_interval_seconds") and settings.retry_interval_seconds > 0, "retry_interval_seconds",
         "a number of seconds above 0")
    need(finite("standby_takeover_seconds") and settings.standby_takeover_seconds > 0, "standby_takeover_seconds",
         "a number of seconds above 0")
    for name in ("guild_id", "staff_channel_id"):
        value = getattr(settings, name)
        need(value is None or 0 < value < 2**63, name, "a Discord id (a positive number) or empty")
    for name in ("staff_role_ids", "help_channel_ids"):
        need(all(0 < i < 2**63 for i in getattr(settings, name)), name, "a list of Discord ids")
    if settings.guild_id is not None and settings.guild_id in settings.staff_role_ids:
        raise ConfigError(
            f"{origin_of('staff_role_ids')}: 'staff_role_ids' contains the server id {settings.guild_id}, which is "
            "the @everyone role: every member would be staff. Use 'Copy Role ID' on the staff role instead."
        )
    need(settings.log_level.upper() in LOG_LEVELS, "log_level", f"one of {', '.join(LOG_LEVELS)}")
    need(1 <= settings.tour_days_ahead <= 366, "tour_days_ahead", "a number of days from 1 to 366")
    need(finite("tour_reminder_hours") and 0 <= settings.tour_reminder_hours <= 336, "tour_reminder_hours",
         "a number of hours from 0 (no reminders) to 336")
    for name in ("release_after_hours", "remind_unclaimed_minutes", "remind_unanswered_hours"):
        need(finite(name) and 0 <= getattr(settings, name) <= 10**6, name, "a number from 0 (off) to 1000000")
    need(0 <= settings.retention_days <= 100_000, "retention_days", "a whole number of days, 0 (keep) or more")
    try:
        OfficeHours.parse(settings.office_hours, settings.office_days, settings.timezone)
    except OfficeHoursError as exc:
        name = next((n for n in ("timezone", "office_days") if str(exc).startswith(n)), "office_hours")
        raise ConfigError(f"{origin_of(name)}: {exc}") from exc
    try:
        parse_schedule(settings.digest_day, settings.digest_time, settings.timezone)
    except ScheduleError as exc:
        name = str(exc).split(" ", 1)[0]
        raise ConfigError(f"{origin_of(name)}: {exc}.") from exc

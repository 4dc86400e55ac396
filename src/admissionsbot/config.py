"""Settings: defaults, an optional YAML file, then ADMISSIONSBOT_* environment overrides.

Every field below is documented in README "Configuration" with its default.
The Discord token is deliberately NOT a setting: it comes only from the
DISCORD_TOKEN environment variable so it never lands in a file in the repo.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from .core.decide import DecisionSettings
from .core.errors import AdmissionsError

ENV_PREFIX = "ADMISSIONSBOT_"
DEFAULT_CONFIG_FILE = "admissionsbot.yaml"


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
    # office hours: shown to students when a ticket is filed outside them
    office_hours: str = "09:00-17:00"
    office_days: str = "mon-fri"
    timezone: str = "UTC"
    log_level: str = "INFO"

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
    """Defaults <- YAML file (explicit path, $ADMISSIONSBOT_CONFIG, or ./admissionsbot.yaml) <- env."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    explicit = path or env.get(ENV_PREFIX + "CONFIG")
    config_path = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    if explicit or config_path.exists():
        values.update(_read_file(config_path))
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key in env:
            values[f.name] = _coerce(f.name, env[key], f"environment variable {key}")
    return replace(Settings(), **values)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"Config file {path} is not valid YAML: {exc}") from exc
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
    text = str(value).strip() if not isinstance(value, (list, tuple)) else value
    try:
        if hint == str:
            return str(value)
        if hint == int:
            return int(text)
        if hint == float:
            return float(text)
        if hint == int | None:
            return None if text in ("", "None", "null") else int(text)
        if hint == tuple[int, ...]:
            items = text if isinstance(text, (list, tuple)) else [t for t in str(text).replace(",", " ").split()]
            return tuple(int(i) for i in items)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: '{name}' has an invalid value {value!r} ({hint}).") from exc
    raise ConfigError(f"{origin}: '{name}' cannot be set.")  # pragma: no cover - every field type is handled

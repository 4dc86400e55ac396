"""Settings: defaults, the YAML file, environment overrides, and clear errors."""

import pytest

from admissionsbot.cli import main
from admissionsbot.config import ConfigError, Settings, load_settings

README_EXAMPLE = """\
faq_dir: faq
database_url: sqlite:////var/lib/admissionsbot/tickets.sqlite3
guild_id: 123456789012345678
staff_channel_id: 234567890123456789
staff_role_ids: [345678901234567890]
help_channel_ids: [456789012345678901]
timezone: America/Los_Angeles
"""


def test_defaults_without_file_or_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert s == Settings()
    assert (s.faq_dir, s.database_url, s.guild_id, s.staff_role_ids) == ("faq", "sqlite:///admissionsbot.sqlite3", None, ())
    d = s.decision_settings()
    assert (d.answer_threshold, d.clarify_threshold, d.margin) == (s.answer_threshold, s.clarify_threshold, s.margin)


def test_readme_example_file_then_env_overrides(tmp_path):
    path = tmp_path / "admissionsbot.yaml"
    path.write_text(README_EXAMPLE)
    env = {"ADMISSIONSBOT_STAFF_ROLE_IDS": "11, 22 33", "ADMISSIONSBOT_ANSWER_THRESHOLD": "55.5",
           "ADMISSIONSBOT_GUILD_ID": "", "ADMISSIONSBOT_TIMEZONE": "Europe/Paris"}
    s = load_settings(path, env)
    assert s.staff_channel_id == 234567890123456789 and s.help_channel_ids == (456789012345678901,)
    assert s.staff_role_ids == (11, 22, 33)  # env wins over the file
    assert s.answer_threshold == 55.5 and s.guild_id is None and s.timezone == "Europe/Paris"


def test_config_file_found_through_env_and_cwd(tmp_path, monkeypatch):
    (tmp_path / "other.yaml").write_text("max_choices: 2\n")
    assert load_settings(env={"ADMISSIONSBOT_CONFIG": str(tmp_path / "other.yaml")}).max_choices == 2
    monkeypatch.chdir(tmp_path)
    (tmp_path / "admissionsbot.yaml").write_text("cooldown_seconds: 10\n")
    assert load_settings(env={}).cooldown_seconds == 10.0


@pytest.mark.parametrize("text, message", [
    ("token: abc\n", "never put the bot token in a file"),
    ("staff_role: 1\n", "unknown setting 'staff_role'"),
    ("guild_id: twelve\n", "'guild_id' has an invalid value"),
    ("- a\n- b\n", "must be a mapping"),
    ("faq_dir: [unclosed\n", "is not valid YAML"),
])
def test_bad_config_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path, {})
    assert str(path) in str(info.value)


def test_bad_env_value_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="ADMISSIONSBOT_MARGIN"):
        load_settings(None, {"ADMISSIONSBOT_MARGIN": "wide"})


def test_inconsistent_thresholds_are_a_config_error():
    s = Settings(answer_threshold=20, clarify_threshold=50)
    with pytest.raises(ConfigError, match="Invalid matching settings"):
        s.decision_settings()


def test_cli_reports_config_errors_without_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text("token: abc\n")
    code = main(["--config", str(tmp_path / "bad.yaml"), "queue", "list"])
    err = capsys.readouterr().err
    assert code == 2 and "DISCORD_TOKEN" in err and "Traceback" not in err

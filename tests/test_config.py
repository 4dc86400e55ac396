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
    assert (s.faq_dir, s.database_url, s.guild_id, s.staff_role_ids) == (
        "faq", "sqlite:///admissionsbot.sqlite3", None, ())
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
    ("faq_dir: [unclosed\n", r"c.yaml:2: YAML syntax"),
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


# -- every setting validated at load (issue 11) -----------------------------------------------
BOMB = 'a: &a ["lol","lol","lol"]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\n'


@pytest.mark.parametrize(("content", "message"), [
    ("faq_dir: !include other.yaml\n", r"c.yaml:1: tags such as '!include'"),
    ("max_choices: !!int abc\n", r"tags such as '!!int'"),
    ("faq_dir: !!python/name:os.system\n", r"tags such as '!!python/name:os.system'"),
    (BOMB, r"anchors \(&a\) are not allowed"),
    ("? [a, b]\n: c\n", "a key must be plain text"),
    ("faq_dir: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than"),
    ("faq_dir: " + "x" * (300 * 1024) + "\n", "over 256 KiB"),
    ("cooldown_messages: 0\n", "'cooldown_messages' is 0; it must be at least 1"),
    ("cooldown_seconds: -1\n", "'cooldown_seconds' is -1.0; it must be a number above 0"),
    ("cooldown_seconds: .nan\n", "'cooldown_seconds' is nan"),
    ("log_level: loud\n", "'log_level' is 'loud'; it must be one of DEBUG"),
    ("log_level: basic_format\n", "'log_level' is 'basic_format'"),
    ("retry_interval_seconds: 0\n", "'retry_interval_seconds' is 0.0"),
    ("retry_interval_seconds: .nan\n", "'retry_interval_seconds' is nan"),
    ("margin: .nan\n", "'margin' is nan"),
    ("margin: .inf\n", "'margin' is inf"),
    ("max_open_tickets_per_user: 0\n", "'max_open_tickets_per_user' is 0"),
    ("max_open_tickets_per_user: -3\n", "'max_open_tickets_per_user' is -3"),
    ("max_choices: 4\n", "'max_choices' is 4; it must be from 1 to 3"),
    ("database_url:\n", "'database_url' has an invalid value"),
    ("database_url: {host: x}\n", "'database_url' has an invalid value"),
    ("cooldown_messages: true\n", "'cooldown_messages' has an invalid value"),
    ("office_hours: 25:00-26:00\n", "office_hours"),
    ("timezone: Mars/Olympus\n", "Mars/Olympus"),
    ("office_days: someday\n", "office_days"),
    ("guild_id: 42\nstaff_role_ids: [42, 7]\n", "contains the server id 42, which is the @everyone role"),
    ("staff_role_ids: [-5]\n", "'staff_role_ids'"),
])
def test_every_setting_is_validated_at_load(tmp_path, content, message):
    path = tmp_path / "c.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path, env={})
    assert str(path) in str(info.value)


def test_config_file_encodings(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes("faq_dir: faq\n".encode("utf-16"))
    with pytest.raises(ConfigError, match="UTF-16"):
        load_settings(path, env={})
    path.write_bytes(b"faq_dir: caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(path, env={})
    path.write_bytes("\ufefffaq_dir: café\n".encode())  # a UTF-8 BOM is fine
    assert load_settings(path, env={}).faq_dir == "café"


def test_env_values_are_validated_and_unknown_names_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="environment variable ADMISSIONSBOT_MARGIN: 'margin' is nan"):
        load_settings(env={"ADMISSIONSBOT_MARGIN": "nan"})
    with pytest.raises(ConfigError, match="ADMISSIONSBOT_COOLDOWN_SECS names no setting"):
        load_settings(env={"ADMISSIONSBOT_COOLDOWN_SECS": "5"})
    ok = load_settings(env={"ADMISSIONSBOT_TEST_POSTGRES_URL": "postgresql://x", "ADMISSIONSBOT_CONFIG": ""})
    assert ok == Settings()


def test_a_bad_setting_stops_every_command_with_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMISSIONSBOT_COOLDOWN_MESSAGES", "0")
    for argv in (["queue", "list"], ["ask", "hi"], ["faq", "check"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "'cooldown_messages' is 0" in err and "Traceback" not in err

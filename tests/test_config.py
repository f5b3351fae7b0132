"""The config is strict: each problem is one line naming the key and what was expected."""

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.policy import Clock
from bot.domain.priority import Priority
from config import ConfigError, load_config, parse_config, read_environment

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "desk.example.toml"


def base() -> dict:
    return tomllib.loads(EXAMPLE.read_text())


def problems(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return caught.value.problems


def test_the_shipped_example_is_valid_and_complete():
    config = load_config(EXAMPLE)
    assert config.staff.teams[0].triage == "C0123TRIAGE"
    assert config.sla[Priority.P3].clock is Clock.BUSINESS
    assert config.sla[Priority.P1].first_response == timedelta(minutes=15)
    assert config.escalation.check_every == timedelta(seconds=60)
    assert config.staff.is_agent("U0AGENT01") and config.staff.is_lead("U0LEAD001")
    assert config.store_url == "tinydb://data/desk.json"


def test_a_minimal_config_gets_the_documented_defaults():
    config = parse_config({"desk": {"triage_channel": "C0TRIAGE1", "agents": ["U0BOB0001"]}})
    assert config.desk.categories == ("Hardware", "Software", "Access", "Other")
    assert config.sla[Priority.P2].resolution == timedelta(hours=8)
    assert config.escalation.warn_at == 0.8 and config.escalation.leads_at == 2.0
    assert config.digest.channel == "" and config.ask_after_resolve is True
    assert config.survey_lasts == timedelta(days=7)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["desk"].update(nmae="x"), "desk.nmae: unknown key (did you mean “name”?)"),
        (lambda d: d["sla"]["P1"].update(first_response="15"), "sla.P1.first_response: expected a duration"),
        (lambda d: d["desk"].update(timezone="Mars/Olympus"), "desk.timezone: expected an IANA time zone"),
        (lambda d: d["sla"].update(P5={"resolution": "1d"}), "sla.P5: unknown priority; expected P1, P2"),
        (lambda d: d["desk"].pop("triage_channel"), "desk.triage_channel: missing; expected a channel ID"),
        (lambda d: d["desk"].update(triage_channel="#help"), "desk.triage_channel: expected a channel ID"),
        (lambda d: d["escalation"].update(warn_at=1.5), "escalation.warn_at: expected a fraction between 0"),
        (lambda d: d["escalation"].update(leads_at=0.5), "escalation.leads_at: expected a fraction of 1"),
        (lambda d: d["desk"].update(agents=[]), "desk.agents: expected at least one agent"),
        (lambda d: d["desk"].update(leads=["bob"]), "desk.leads: expected Slack user IDs"),
        (
            lambda d: d["desk"].update(business_hours="17:00-09:00"),
            "desk.business_hours: expected the opening",
        ),
        (lambda d: d["desk"].update(work_days=["monday"]), "desk.work_days: expected day names"),
        (lambda d: d["desk"].update(holidays=["25.12.2026"]), "desk.holidays: expected dates"),
        (lambda d: d["sla"]["P1"].update(clock="24x7"), 'sla.P1.clock: expected "always" or "business"'),
        (lambda d: d["digest"].update(time="9am"), "digest.time: expected a time of day"),
        (
            lambda d: d["csat"].update(ask_after_resolve="yes"),
            "csat.ask_after_resolve: expected true or false",
        ),
        (lambda d: d["csat"].update(expire_after="a week"), "csat.expire_after: "),
        (
            lambda d: d["store"].update(url="mysql://x"),
            "store.url: expected tinydb://PATH, postgresql://HOST/DB",
        ),
        (lambda d: d.update(extra={}), "extra: unknown key"),
        (lambda d: d["sla"]["P2"].update(first_response="9h"), "sla.P2.first_response: expected no longer"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(change, expected):
    data = base()
    change(data)
    found = problems(data)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_every_problem_is_listed_at_once():
    data = base()
    data["desk"]["timezone"] = "Nowhere/Town"
    data["sla"]["P1"]["resolution"] = "4 hours"
    data["escalation"]["chek_every"] = "60s"
    assert len(problems(data)) == 3


def test_holidays_may_be_toml_dates():
    data = tomllib.loads(EXAMPLE.read_text().replace('["2026-12-25", "2027-01-01"]', "[2026-12-25]"))
    assert [d.isoformat() for d in parse_config(data).desk.calendar.holidays] == ["2026-12-25"]


def test_desk_store_overrides_the_config():
    assert parse_config(base(), store_override="memory://").store_url == "memory://"


def test_unreadable_files_are_one_line(tmp_path):
    with pytest.raises(ConfigError, match="no config file here"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[desk\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)


def test_environment_needs_tokens_and_names_them():
    with pytest.raises(ConfigError) as caught:
        read_environment({"PORT": "eighty"})
    text = "\n".join(caught.value.problems)
    assert "SLACK_BOT_TOKEN: not set" in text
    assert "SLACK_SIGNING_SECRET: not set" in text
    assert "PORT: expected a port number" in text


def test_environment_socket_mode_needs_no_signing_secret_and_hides_secrets():
    env = read_environment({"SLACK_BOT_TOKEN": "xoxb-123-hush", "SLACK_APP_TOKEN": "xapp-1-hush"})
    assert env.socket_mode and env.api_url == "https://slack.com/api/" and env.port == 3000
    assert "hush" not in repr(env)

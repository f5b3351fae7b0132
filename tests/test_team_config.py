"""Teams in the config (SPEC §9): `[[team]]` tables checked as strictly as the rest, a single
team from `[desk]`'s keys as before, and what a ticket's team decides (its targets, its
triage channel, its leads)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.priority import Priority
from bot.domain.roles import Assign
from config import ConfigError, parse_config, read_environment
from config.describe import describe
from tests.factories import make_ticket


def teams(**first) -> dict:
    return {
        "desk": {"name": "Help", "timezone": "UTC"},
        "sla": {"P1": {"first_response": "30m", "resolution": "8h"}},
        "team": [
            {
                "name": "IT",
                "triage_channel": "C0ITTRIAG",
                "agents": ["U0BOB0001", "U0DAVE001"],
                "leads": ["U0CAROL01"],
                "categories": ["Hardware", "Access"],
                "request_channels": ["C0ITHELP1"],
                "assign": "round_robin",
                "sla": {"P1": {"first_response": "10m", "resolution": "2h"}},
                **first,
            },
            {
                "name": "People",
                "triage_channel": "C0PPLTRIA",
                "agents": ["U0FRAN001", "U0BOB0001"],  # an agent may work in several teams
                "categories": ["Payroll"],
            },
        ],
    }


def problems(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return caught.value.problems


def test_teams_are_read_with_their_own_targets_and_the_desks_where_they_have_none():
    config = parse_config(teams())
    it, people = config.staff.teams
    assert (it.name, it.triage, it.request_channels, it.assign) == (
        "IT",
        "C0ITTRIAG",
        ("C0ITHELP1",),
        Assign.ROUND_ROBIN,
    )
    assert (people.leads, people.assign, people.request_channels) == ((), Assign.NONE, ())
    assert config.desk.categories == ("Hardware", "Access", "Payroll")
    assert config.desk.agents == ("U0BOB0001", "U0DAVE001", "U0FRAN001")
    hardware, payroll = (
        make_ticket(1, priority=Priority.P1, category="Hardware"),
        make_ticket(2, priority=Priority.P1, category="Payroll"),
    )
    assert config.sla_clock(hardware).policy.first_response == timedelta(minutes=10)  # IT's own
    assert config.sla_clock(payroll).policy.first_response == timedelta(minutes=30)  # the desk's [sla]
    assert config.team_of(payroll).triage == "C0PPLTRIA"
    assert config.staff.serving("C0ITHELP1") is it and config.staff.named("people") is people
    assert [t.name for t in config.staff.agent_of("U0BOB0001")] == ["IT", "People"]


def test_check_config_shows_each_team():
    env = read_environment({"SLACK_BOT_TOKEN": "xoxb-1-hush", "SLACK_APP_TOKEN": "xapp-1-hush"})
    shown = describe(parse_config(teams()), env)
    assert '[[team]]  # 2 agents, 1 lead\nname = "IT"\ntriage_channel = "C0ITTRIAG"' in shown
    assert 'request_channels = ["C0ITHELP1"]\nassign = "round_robin"\n\n[team.sla.P1]' in shown
    assert 'name = "People"' in shown and 'assign = "none"' in shown


def test_a_wave_1_config_is_one_team_named_after_the_desk():
    config = parse_config(
        {"desk": {"name": "IT Help", "triage_channel": "C0TRIAGE1", "agents": ["U0BOB0001"]}}
    )
    [team] = config.staff.teams
    assert (team.name, team.triage, team.agents, team.assign) == (
        "IT Help",
        "C0TRIAGE1",
        ("U0BOB0001",),
        Assign.NONE,
    )
    assert not config.staff.several and team.sla == config.sla


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["desk"].update(triage_channel="C0TRIAGE1"),
            "desk.triage_channel: belongs in each [[team]]",
        ),
        (lambda d: d["desk"].update(agents=["U0BOB0001"]), "desk.agents: belongs in each [[team]]"),
        (lambda d: d["team"][0].pop("name"), "team[1].name: missing; expected a name"),
        (lambda d: d["team"][1].pop("categories"), "team[2].categories: missing"),
        (lambda d: d["team"][0].update(agents=["bob"]), "team[1].agents: expected Slack user IDs"),
        (
            lambda d: d["team"][0].update(request_channels=["#it-help"]),
            "team[1].request_channels: expected channel IDs",
        ),
        (
            lambda d: d["team"][0].update(assign="random"),
            'team[1].assign: expected "none", "round_robin" or "least_busy"',
        ),
        (
            lambda d: d["team"][0].update(triage="C0X"),
            "team[1].triage: unknown key (did you mean “triage_channel”?)",
        ),
        (
            lambda d: d["team"][1].update(categories=["Access"]),
            "team: expected categories to be unique across teams; more than once: access",
        ),
        (lambda d: d["team"][1].update(name="it"), "team: expected team names to be unique across teams"),
        (
            lambda d: d["team"][1].update(triage_channel="C0ITHELP1"),
            "team: expected channels (triage and request) to be unique",
        ),
        (lambda d: d["team"][0]["sla"].update(P9={}), "team[1].sla.P9: unknown priority"),
        (lambda d: d.update(team={"name": "IT"}), "team: expected [[team]] tables"),
    ],
)
def test_a_bad_team_is_one_clear_line(change, expected):
    data = teams()
    change(data)
    found = problems(data)
    assert any(p.startswith(expected) for p in found), found


def test_a_single_teams_request_channel_must_not_be_its_triage_channel():
    found = problems(
        {"desk": {"triage_channel": "C0TRIAGE1", "agents": ["U0BOB0001"], "request_channels": ["C0TRIAGE1"]}}
    )
    assert found == [
        "team: expected channels (triage and request) to be unique across teams; more than once: C0TRIAGE1"
    ]

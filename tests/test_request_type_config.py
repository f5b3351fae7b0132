"""`[[team.request_type]]` in the config (SPEC §13): read strictly, one line per problem naming
the key; configs without request types stay valid."""

from __future__ import annotations

import pytest

from bot.domain.approval import Kind, Need
from config import ConfigError, parse_config
from tests.harness import CAROL, demo_config, two_teams

ACCESS = {
    "name": "Access to a system",
    "description": "Get into a system you need for your work",
    "fields": [
        {"key": "system", "label": "Which system?", "kind": "select", "options": ["VPN", "Payroll"]},
        {"key": "reason", "label": "Why do you need it?", "kind": "long_text"},
        {"key": "manager", "label": "Your manager", "kind": "person"},
    ],
    "area": "Access",
    "priority": "P3",
    "approval": [{"approvers": [CAROL]}, {"field": "manager", "need": "one"}],
}


def problems(kind: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(demo_config(team=two_teams(it={"request_type": [kind]})))
    return caught.value.problems


def test_a_team_reads_its_request_types_and_chains():
    config = parse_config(demo_config(team=two_teams(it={"request_type": [ACCESS, {"name": "New laptop"}]})))
    access, laptop = config.request_types["IT"]
    assert [f.kind for f in access.fields] == [Kind.SELECT, Kind.LONG_TEXT, Kind.PERSON]
    assert access.approval[0].approvers == (CAROL,) and access.approval[1].field == "manager"
    assert access.approval[1].need is Need.ONE and access.area == "Access"
    assert laptop.fields == () and laptop.approval == () and laptop.area == "Hardware"
    assert "People" not in config.request_types


def test_a_desk_of_one_team_may_have_types_and_old_configs_stay_valid():
    data = demo_config()
    assert parse_config(data).request_types == {}
    data["desk"]["request_type"] = [{"name": "New laptop"}]
    assert [k.name for k in parse_config(data).request_types["IT Help"]] == ["New laptop"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"fields": [{"key": "colour", "label": "Colour", "kind": "colour"}]},
            "team[1].request_type[1].fields[1].kind: unknown field kind 'colour'; expected one of: "
            "short_text, long_text, select, person, date, number",
        ),
        (
            {"approval": [{"need": "all"}]},
            'team[1].request_type[1].approval[1]: names nobody; expected approvers = ["U…"], '
            'usergroup = "S…" or field = "manager"',
        ),
        (
            {"approval": [{"field": "reason"}]},
            "team[1].request_type[1].approval[1].field: expected the key of a person field (manager); "
            "got 'reason'",
        ),
        (
            {"fields": [{"key": f"f{i}", "label": "F"} for i in range(9)]},
            "team[1].request_type[1].fields: expected at most 8 fields (what one form holds); got 9",
        ),
        (
            {"area": "Payroll"},
            "team[1].request_type[1].area: expected one of this team's categories "
            "(Hardware, Software, Access); got 'Payroll'",
        ),
        (
            {"approval": [{"approvers": [CAROL], "need": "most"}]},
            'team[1].request_type[1].approval[1].need: expected "one" or "all"; got \'most\'',
        ),
        ({"aproval": []}, "team[1].request_type[1].aproval: unknown key (did you mean “approval”?)"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(change, expected):
    found = problems({**ACCESS, **change})
    assert any(p.startswith(expected) for p in found), found


def test_the_readme_example_is_a_valid_config():
    import tomllib

    config = parse_config({**tomllib.loads(readme_example()), "desk": {}})
    access, laptop = config.request_types["IT"]
    assert len(access.fields) == 4 and access.approval[1].field == "manager"
    assert laptop.approval == () and laptop.priority.value == "P4"


def readme_example() -> str:
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "approvals.md").read_text()
    part = page[page.index("# Request types and approvals") :]
    found = re.search(r"```toml\n(.*?)```", part, re.S)
    assert found is not None
    return found.group(1)


def test_check_config_lists_the_types_and_reports_a_mistake_with_its_key(tmp_path):
    from tests.test_cli import run_cli

    good = run_cli(["check-config"], readme_example(), tmp_path)
    assert good.returncode == 0, good.stderr
    assert (
        '# request type "Access to a system": 4 fields, P3, Access; one of U0LEAD001, U0AGENT02'
        in good.stdout
    )
    assert "then one of the manager field" in good.stdout
    bad = run_cli(
        ["check-config"], readme_example().replace('kind = "long_text"', 'kind = "essay"'), tmp_path
    )
    assert bad.returncode != 0
    assert "team[1].request_type[1].fields[2].kind: unknown field kind 'essay'" in bad.stdout + bad.stderr

"""The documentation: a README that fits on a screen or two, pages the site's nav reaches, and a
configuration reference that names every key the config reader accepts (issue 41)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.reference import MEANINGS, accepted_keys, documented_as, reference_markdown
from config.settings import ConfigError, parse_config
from tools.docs_hooks import MARK, fill

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README_LIMIT = 200


def configuration_page() -> str:
    """docs/configuration.md as the site shows it: the hook's tables drawn in."""
    return fill((DOCS / "configuration.md").read_text(encoding="utf-8"))


def documented_keys(page: str) -> set[str]:
    """The config keys in the first column of the page's tables (not the environment's)."""
    return set(re.findall(r"^\| `([a-z][^`]*)` \|", page, flags=re.MULTILINE))


def shown(path: str) -> str:
    """A key as the reference writes it: priorities as `Px`, `[[team]]` tables as `team`."""
    return re.sub(r"\.P[1-4](?=\.|$)", ".Px", re.sub(r"\[\d+\]", "", path))


def flat_keys(table: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, value in table.items():
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            keys |= flat_keys(value, path)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                keys |= flat_keys(item, path)
        else:
            keys.add(shown(path))
    return keys


def test_the_readme_fits_on_a_screen_or_two() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_LIMIT, f"README.md has {len(lines)} lines; keep it to about {README_LIMIT}"


def test_the_readme_keeps_the_commands_ci_and_newcomers_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\npython -m pytest\n" in readme  # .ci/run runs the README's test command
    assert "pip install -e . && python -m bot sandbox" in readme
    assert "mkdocs serve" in readme
    assert "](docs/sandbox.png)" in readme


@pytest.mark.parametrize(
    "document", ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in DOCS.glob("*.md"))]
)
def test_relative_links_lead_to_files_that_exist(document: str) -> None:
    path = ROOT / document
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    broken = [
        t for t in targets if not re.match(r"^[a-z]+:|^#", t) and not (path.parent / t.split("#")[0]).exists()
    ]
    assert not broken, f"{document} links to files that do not exist: {broken}"


def test_every_page_is_in_the_sites_nav_and_every_nav_entry_is_a_page() -> None:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    site = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)

    def pages(entries: list[Any]) -> list[str]:
        found: list[str] = []
        for entry in entries:
            for value in entry.values():
                found += pages(value) if isinstance(value, list) else [value]
        return found

    in_nav = pages(site["nav"])
    assert sorted(in_nav) == sorted(p.name for p in DOCS.glob("*.md"))
    assert site["theme"]["name"] == "material"
    assert all("privacy" not in str(p) and "social" not in str(p) for p in site["plugins"]), (
        "those plugins fetch from the network at build time"
    )


def test_the_configuration_reference_names_every_key_the_reader_accepts() -> None:
    page = configuration_page()
    assert MARK not in page
    keys = {key.path for key in accepted_keys()}
    # the reader's own keys, as its "unknown key" answers list them, a few of each kind
    assert {
        "desk.name",
        "team.agents",
        "team.sla.Px.clock",
        "sla.Px.first_response",
        "replies.<name>",
        "team.request_type.fields.kind",
        "desk.request_type.approval.need",
    } <= keys
    undocumented = {key for key in keys if documented_as(key) not in documented_keys(page)}
    assert not undocumented


def test_every_key_of_the_example_config_is_in_the_reference() -> None:
    """A second witness besides the reader's answers: the example config, which has every key."""
    example = tomllib.loads((ROOT / "config" / "desk.example.toml").read_text(encoding="utf-8"))
    page = documented_keys(configuration_page())
    missing = {key for key in flat_keys(example) if documented_as(key) not in page}
    assert not missing, f"keys of config/desk.example.toml missing from the reference: {missing}"


def test_every_documented_key_is_one_the_reader_takes() -> None:
    """Each key in the reference, set to a value of the wrong kind, is answered about that key,
    never as an unknown key: the reference names nothing the reader would refuse."""
    arrays = {"team", "request_type", "fields", "approval"}  # [[…]] arrays of tables
    for path in documented_keys(configuration_page()):
        parts = path.replace(".Px", ".P2").replace("<name>", "vpn").replace(".*", ".name").split(".")
        data: dict[str, Any] = {}
        node = data
        for part in parts[:-1]:
            table: dict[str, Any] = {}
            node[part] = [table] if part in arrays else table
            node = table
        node[parts[-1]] = {"a": "table where a value belongs"}
        with pytest.raises(ConfigError) as raised:
            parse_config(data)
        about = [line for line in raised.value.problems if "unknown" in line]
        assert not about, f"{path}: {about}"


def test_the_reference_refuses_a_key_with_no_meaning() -> None:
    without = {k: v for k, v in MEANINGS.items() if k != "digest.channel"}
    with pytest.raises(ValueError, match=r"no meaning in MEANINGS: digest\.channel"):
        reference_markdown(without)
    drawn = reference_markdown({**MEANINGS, "desk.colour": "a key the reader does not take"})
    assert "desk.colour" not in drawn


def test_defaults_in_the_reference_are_those_check_config_prints() -> None:
    page = configuration_page()
    assert '| `desk.timezone` | IANA zone for business hours, digests, "today" | `"UTC"` |' in page
    assert re.search(r"\| `desk.agents` \| .* \| required: a list of Slack user IDs", page)
    assert '`P1: "15m", P2: "1h", P3: "4h", P4: "1d"`' in page

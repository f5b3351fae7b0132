"""The line under the sandbox's box: what the person picked can try, in their own teams'
channels (a People agent is not sent to #it-help). Pure: the desk's staff and the channels'
names in, words out."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.roles import Staff


def _listed(names: list[str], last: str = "or") -> str:
    """`#a`, `#a or #b`, `#a, #b or #c` (or with `and`)."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def tip(person: str, role: str, staff: Staff, channels: Mapping[str, str], desk: str) -> str:
    """The tip for `person` (by `role` as the page shows it), naming only channels of the
    teams they work in or lead; requesters are offered every team's request channels."""

    def named(ids: list[str]) -> list[str]:
        return [f"#{channels[c]}" for c in dict.fromkeys(ids) if c in channels]

    everyone = named([c for team in staff.teams for c in team.request_channels])
    if role == "agent":
        teams = staff.agent_of(person)
        triage = named([t.triage for t in teams])
        asked = named([c for t in teams for c in t.request_channels])
        words = (
            f"You are an agent in {_listed([t.name for t in teams], 'and')}. New tickets arrive in "
            f"{_listed(triage)}: Claim them, Reply, Resolve, or ask the requester with Waiting on requester."
        )
        if asked:
            words += f" Words in a request's own thread in {_listed(asked)} reach the requester."
        return words + (
            " Try /desk queue, /desk reply T-1 :restart (a saved reply), /desk wait T-1 Which room?, "
            "/desk away 2h and /desk back; /desk help lists every verb."
        )
    if role == "lead":
        teams = staff.led_by(person)
        return (
            f"You lead {_listed([t.name for t in teams], 'and')}. Escalations and the daily digest arrive in "
            "your DM. Try /desk quality, and fast-forward the clock to watch targets slip."
        )
    where = f", or just write in {_listed(everyone)}: every new message there is a ticket" if everyone else ""
    return (
        f"You are an employee. Tell {desk} what is wrong in your DM{where}. Put 🎫 on any message "
        'to make it one. Rate the help once it is resolved. Try "status T-1", "my tickets" or /ticket.'
    )

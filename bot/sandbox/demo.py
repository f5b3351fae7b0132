"""The sandbox's cast and settings: a small company, and SLA targets short enough to watch.

The config is written to `sandbox-data/desk.toml` on the first run, so a newcomer can read
(and change) what the desk runs with; `--reset` writes it afresh.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.localslack.workspace import BOT_USER, Channel, Message, Person, Workspace

ALICE, ERIN, BOB, DAVE, CAROL = "U0ALICE01", "U0ERIN001", "U0BOB0001", "U0DAVE001", "U0CAROL01"
FRAN = "U0FRAN001"
TRIAGE, GENERAL = "C0TRIAGE1", "C0GENERAL"
IT_HELP, PEOPLE_TRIAGE, PEOPLE_HELP = "C0ITHELP1", "C0PEOPLE1", "C0PPLHELP"  # the teams' channels

# Who is who, in the order the page lists them, with the role the page shows.
CAST = [
    (ALICE, "alice", "Alice Archer", "employee"),
    (ERIN, "erin", "Erin Eads", "employee"),
    (BOB, "bob", "Bob Baker", "agent"),
    (DAVE, "dave", "Dave Diaz", "agent"),
    (FRAN, "fran", "Fran Fisher", "agent"),
    (CAROL, "carol", "Carol Chen", "lead"),
]
ROLES = {user: role for user, _, _, role in CAST}


def demo_workspace() -> Workspace:
    people = [Person(user, name, real) for user, name, real, _ in CAST]
    everyone = {user for user, *_ in CAST} | {BOT_USER}
    channels = [
        Channel(TRIAGE, "it-triage", {BOB, DAVE, CAROL, BOT_USER}),
        Channel(IT_HELP, "it-help", everyone),
        Channel(PEOPLE_TRIAGE, "people-triage", {FRAN, DAVE, CAROL, BOT_USER}),
        Channel(PEOPLE_HELP, "people-help", everyone),
        Channel(GENERAL, "general", everyone),
    ]
    return Workspace(people, channels)


# What #general holds on a first run: messages to hover and make a ticket of (*Create ticket*,
# or the 🎫 reaction), as the walkthrough asks. #general is no request channel: they open nothing.
GENERAL_CHAT = [
    (ERIN, "Is the VPN dropping for anyone else? Mine disconnects every few minutes since this morning."),
    (CAROL, "Reminder: the 3rd floor kitchen is closed on Friday for the new coffee machine."),
]


def seed_general(workspace: Workspace) -> None:
    """Put the first run's chat in #general (a restart keeps what is there instead)."""
    for user, text in GENERAL_CHAT:
        workspace.add_message(Message(GENERAL, workspace.next_ts(), user, text))


def local_zone() -> str:
    """This machine's IANA time zone (so the desk's times read as the newcomer's), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).split("zoneinfo/", 1)[-1])
    for name in candidates:
        try:
            if name:
                ZoneInfo(name)
                return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


def demo_config(store: Path, zone: str) -> str:
    """The sandbox's config as TOML, commented for whoever opens the file."""
    return f'''# The sandbox's desk. Change it and restart `python -m bot sandbox` to try other settings;
# `python -m bot sandbox --reset` puts this file back (and empties the desk).

[desk]
name = "IT Help"
timezone = "{zone}"

# Two teams, each with its triage channel, agents, areas and a request channel where every
# new message is a ticket. Dave works in both; Carol leads both.
[[team]]
name = "IT"
triage_channel = "{TRIAGE}"          # #it-triage
agents = ["{BOB}", "{DAVE}"]   # Bob Baker, Dave Diaz
leads = ["{CAROL}"]                 # Carol Chen
categories = ["Hardware", "Software", "Access", "Other"]
request_channels = ["{IT_HELP}"]    # #it-help
assign = "none"                     # tickets wait in #it-triage for a Claim

# Request types: /ticket and a DM to the desk ask which, then the type's own form. "Access to a system"
# waits for Carol's approval, then the manager's named in the form, before it is a ticket.
[[team.request_type]]
name = "Access to a system"
description = "Get into a system you need for your work"
area = "Access"
priority = "P3"
fields = [
  {{ key = "system", label = "Which system?", kind = "select", options = ["VPN", "Payroll", "CRM"] }},
  {{ key = "reason", label = "Why do you need it?", kind = "long_text" }},
  {{ key = "manager", label = "Your manager", kind = "person" }},
]
approval = [
  {{ approvers = ["{CAROL}"] }},        # Carol Chen first
  {{ field = "manager", need = "one" }},   # then the manager named in the form
]
self_approval = false
approval_reminder = "10m"   # minutes here, so it can be watched; days in a real desk
approval_limit = "30m"

[[team.request_type]]
name = "New laptop"
description = "A new or replacement laptop"
area = "Hardware"
priority = "P4"
fields = [
  {{ key = "model", label = "Which model?", kind = "select", options = ["13-inch", "15-inch"] }},
  {{ key = "needed_by", label = "Needed by", kind = "date", required = false }},
]

[[team]]
name = "People"
triage_channel = "{PEOPLE_TRIAGE}"          # #people-triage
agents = ["{FRAN}", "{DAVE}"]   # Fran Fisher, Dave Diaz
leads = ["{CAROL}"]
categories = ["Payroll", "Leave"]
request_channels = ["{PEOPLE_HELP}"]    # #people-help
assign = "round_robin"              # Fran and Dave in turn (not while /desk away)

# Minutes, not hours, so escalations can be watched (or fast-forwarded on the page).
[sla.P1]
first_response = "2m"
resolution = "15m"

[sla.P2]
first_response = "5m"
resolution = "1h"

[sla.P3]
first_response = "15m"
resolution = "4h"

[sla.P4]
first_response = "1h"
resolution = "1d"

[escalation]
check_every = "15s"
warn_at = 0.8     # at risk at 80% of a target
leads_at = 2.0    # Carol hears at twice the target

[digest]
time = "09:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
channel = ""      # a DM to Carol

[csat]
ask_after_resolve = true

# Waiting on the requester (/desk wait or the card's button): a reminder, then closed.
[pending]
remind_after = "10m"
close_after = "30m"

# Saved replies: `/desk reply T-1 :restart`, or pick one in the Reply form.
[replies]
restart = "Hi {{requester}}, please restart the laptop, then tell us in {{ref}}'s thread if it still fails."
vpn = "Hi {{requester}}, to reset the VPN: Settings → VPN → Reset, then sign in again."

[store]
url = "tinydb://{store}"
'''

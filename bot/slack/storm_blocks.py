"""The storm card: the new tickets of an incident storm, grouped, in one message kept up to date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.storm import Group, Storm
from bot.slack.blocks import action_button, context, section
from bot.slack.card import MARKS, CardIds
from bot.slack.mrkdwn import escape, fit
from bot.slack.when import slack_at

Blocks = list[dict[str, Any]]
SHOWN_GROUPS = 45  # Slack takes 50 blocks in a message; the rest is head and small print
SHOWN_REFS = 5
INCIDENT = "storm_incident"  # the button that links the storm's waiting tickets to the oldest


def storm_card(
    storm: Storm, groups: list[Group], ref: Callable[[int], str], zone: ZoneInfo
) -> tuple[str, Blocks]:
    """Head, what the card is, one line per group (with a Claim button for its longest-waiting
    ticket), and the totals."""
    count = len(storm.tickets)
    waiting = sum(len(g.waiting) for g in groups)
    head = f":rotating_light: *Incident storm: {_tickets(count)} since {slack_at(storm.started_at, zone)}*"
    top = section(head)
    if waiting > 1:  # issue 39: one incident, its replies reaching every requester
        top["accessory"] = action_button("Make these one incident", INCIDENT, storm.key)
    blocks: Blocks = [
        top,
        context(
            "They came in faster than this channel can show a card for each, so they are grouped"
            " here, and this message keeps up as they are handled. A ticket gets its own card"
            " once someone claims it."
        ),
    ]
    for group in groups[:SHOWN_GROUPS]:
        blocks.append(_group(group, ref))
    totals = [
        f"{count:,} ticket{'s' if count != 1 else ''}",
        f"{waiting:,} waiting for an agent",
        f"{sum(g.taken for g in groups):,} claimed",
        f"{sum(g.resolved for g in groups):,} resolved",
    ]
    hidden = len(groups) - SHOWN_GROUPS
    if hidden > 0:
        totals.append(f"{hidden} smaller group{'s' if hidden != 1 else ''} not shown")
    example = next((g.waiting[0] for g in groups if g.waiting), None)
    how = f" To take one, press Claim or type `/desk claim {ref(example)}`." if example is not None else ""
    blocks.append(context(" · ".join(totals) + "." + how))
    text = f"Incident storm: {_tickets(count)}, {waiting:,} waiting for an agent"
    return text, blocks


def _group(group: Group, ref: Callable[[int], str]) -> dict[str, Any]:
    name = f"{MARKS[group.priority]} *{group.priority.label} · {escape(group.category)}*"
    counts = [f"{group.total:,} ticket{'s' if group.total != 1 else ''}", f"*{len(group.waiting):,} waiting*"]
    if group.taken:
        counts.append(f"{group.taken:,} claimed")
    if group.resolved:
        counts.append(f"{group.resolved:,} resolved")
    if group.missed:
        counts.append(f":rotating_light: {group.missed:,} missed a target")
    if group.at_risk:
        counts.append(f":hourglass_flowing_sand: {group.at_risk:,} at risk")
    lines = [f"{name}: {' · '.join(counts)}"]
    if group.waiting:
        refs = ", ".join(ref(n) for n in group.waiting[:SHOWN_REFS])
        more = len(group.waiting) - SHOWN_REFS
        lines.append(f"Waiting longest: {refs}" + (f" and {more:,} more" if more > 0 else ""))
    block = section(fit("\n".join(lines), 2900))
    if group.waiting:
        oldest = group.waiting[0]
        block["accessory"] = action_button(f"Claim {ref(oldest)}", CardIds.CLAIM, str(oldest), "primary")
    return block


def _tickets(count: int) -> str:
    return f"{count:,} new ticket{'s' if count != 1 else ''}"

"""The storm card: the new tickets of an incident storm, grouped, in one message kept up to date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.storm import Group, Storm
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import action_button, context, section
from bot.slack.card import MARKS, CardIds
from bot.slack.labels import priority_label
from bot.slack.mrkdwn import escape, fit
from bot.slack.when import slack_at

Blocks = list[dict[str, Any]]
SHOWN_GROUPS = 45  # Slack takes 50 blocks in a message; the rest is head and small print
SHOWN_REFS = 5
INCIDENT = "storm_incident"  # the button that links the storm's waiting tickets to the oldest


def storm_card(
    storm: Storm, groups: list[Group], ref: Callable[[int], str], zone: ZoneInfo, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """Head, what the card is, one line per group (with a Claim button for its longest-waiting
    ticket), and the totals."""
    w = words
    count = len(storm.tickets)
    waiting = sum(len(g.waiting) for g in groups)
    since = slack_at(storm.started_at, zone, words=w)
    head = w.t("Incident storm: {tickets} since {since}", tickets=_tickets(count, w), since=since)
    top = section(f":rotating_light: *{head}*")
    if waiting > 1:  # issue 39: one incident, its replies reaching every requester
        top["accessory"] = action_button(w.t("Make these one incident"), INCIDENT, storm.key)
    blocks: Blocks = [
        top,
        context(
            w.t(
                "They came in faster than this channel can show a card for each, so they are grouped"
                " here, and this message keeps up as they are handled. A ticket gets its own card"
                " once someone claims it."
            )
        ),
    ]
    for group in groups[:SHOWN_GROUPS]:
        blocks.append(_group(group, ref, w))
    totals = [
        w.tn("{count} ticket", "{count} tickets", count, count=_n(count)),
        w.tn("{count} waiting for an agent", "{count} waiting for an agent", waiting, count=_n(waiting)),
        w.tn(
            "{count} claimed",
            "{count} claimed",
            sum(g.taken for g in groups),
            count=_n(sum(g.taken for g in groups)),
        ),
        w.tn(
            "{count} resolved",
            "{count} resolved",
            sum(g.resolved for g in groups),
            count=_n(sum(g.resolved for g in groups)),
        ),
    ]
    hidden = len(groups) - SHOWN_GROUPS
    if hidden > 0:
        totals.append(
            w.tn(
                "{count} smaller group not shown",
                "{count} smaller groups not shown",
                hidden,
                count=_n(hidden),
            )
        )
    example = next((g.waiting[0] for g in groups if g.waiting), None)
    how = ""
    if example is not None:
        how = " " + w.t(
            "To take one, press Claim or type {command}.", command=f"`/desk claim {ref(example)}`"
        )
    blocks.append(context(" · ".join(totals) + w.t(".") + how))
    waits = w.tn("{count} waiting for an agent", "{count} waiting for an agent", waiting, count=_n(waiting))
    text = w.t("Incident storm: {tickets}, {waiting}", tickets=_tickets(count, w), waiting=waits)
    return text, blocks


def _group(group: Group, ref: Callable[[int], str], w: Words) -> dict[str, Any]:
    name = f"{MARKS[group.priority]} *{priority_label(group.priority, w)} · {escape(group.category)}*"
    waits = w.tn("{count} waiting", "{count} waiting", len(group.waiting), count=_n(len(group.waiting)))
    counts = [w.tn("{count} ticket", "{count} tickets", group.total, count=_n(group.total)), f"*{waits}*"]
    if group.taken:
        counts.append(w.tn("{count} claimed", "{count} claimed", group.taken, count=_n(group.taken)))
    if group.resolved:
        counts.append(w.tn("{count} resolved", "{count} resolved", group.resolved, count=_n(group.resolved)))
    if group.missed:
        counts.append(
            ":rotating_light: "
            + w.tn("{count} missed a target", "{count} missed a target", group.missed, count=_n(group.missed))
        )
    if group.at_risk:
        counts.append(
            ":hourglass_flowing_sand: "
            + w.tn("{count} at risk", "{count} at risk", group.at_risk, count=_n(group.at_risk))
        )
    lines = [f"{name}: {' · '.join(counts)}"]
    if group.waiting:
        refs = ", ".join(ref(n) for n in group.waiting[:SHOWN_REFS])
        more = len(group.waiting) - SHOWN_REFS
        if more > 0:
            lines.append(
                w.tn(
                    "Waiting longest: {refs} and {count} more",
                    "Waiting longest: {refs} and {count} more",
                    more,
                    count=_n(more),
                    refs=refs,
                )
            )
        else:
            lines.append(w.t("Waiting longest: {refs}", refs=refs))
    block = section(fit("\n".join(lines), 2900))
    if group.waiting:
        oldest = group.waiting[0]
        claim = w.t("Claim {ref}", ref=ref(oldest))
        block["accessory"] = action_button(claim, CardIds.CLAIM, str(oldest), "primary")
    return block


def _n(count: int) -> str:
    """A count as the card writes it in every language: `1,234`."""
    return f"{count:,}"


def _tickets(count: int, w: Words) -> str:
    return w.tn("{count} new ticket", "{count} new tickets", count, count=_n(count))

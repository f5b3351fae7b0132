"""The triage card: one message per ticket in the triage channel, updated in place as it changes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.priority import Priority
from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.i18n import ENGLISH, Words
from bot.slack.approval_blocks import field_lines
from bot.slack.blocks import context, section
from bot.slack.intake_blocks import Areas, area_options, flat, option, quote, select_of
from bot.slack.labels import priority_label
from bot.slack.links import linked
from bot.slack.mrkdwn import escape, fit, moved_in_from, who
from bot.slack.when import slack_at, target_line, target_name

Blocks = list[dict[str, Any]]
CARD_TEXT_LIMIT = 2900
INTERNAL = ":lock: This card's thread is internal: notes written here are never sent to the requester."


def internal(words: Words = ENGLISH) -> str:
    said = words.t("This card's thread is internal: notes written here are never sent to the requester.")
    return f":lock: {said}"


MARKS = {
    Priority.P1: ":red_circle:",
    Priority.P2: ":large_orange_circle:",
    Priority.P3: ":large_blue_circle:",
    Priority.P4: ":white_circle:",
}
VIA = {
    "dm": "by direct message",
    "mention": "by mentioning the desk",
    "command": "with /ticket",
    "form": "with the /ticket form",
    "shortcut": "from a message",
}


def via_words(via: str, words: Words = ENGLISH) -> str:
    """How a ticket was raised, in the reader's language ("" for a way not named here)."""
    said = {
        "dm": words.t("by direct message"),
        "mention": words.t("by mentioning the desk"),
        "command": words.t("with /ticket"),
        "form": words.t("with the /ticket form"),
        "shortcut": words.t("from a message"),
    }
    return said.get(via, "")


class CardIds(StrEnum):
    CLAIM = "claim"
    REPLY = "reply"
    RESOLVE = "resolve"
    REOPEN = "reopen"  # on the requester's resolution message
    WAIT = "wait"  # Waiting on requester: opens the form for the question
    DETAILS = "details"  # the whole ticket in a modal (agents)
    PRIORITY = "set_priority"  # the card's priority select
    AREA = "set_area"  # the card's area select


def button(text: str, action_id: str, number: int, style: str | None = None) -> dict[str, Any]:
    """A button acting on ticket `number`."""
    found: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": str(number),
    }
    if style:
        found["style"] = style
    return found


def changes(ticket: Ticket, areas: Areas, words: Words = ENGLISH) -> list[dict[str, Any]]:
    """The card's selects for its priority and (with more than one) its area: with several
    teams the areas are grouped by team, and one in another team moves the ticket there."""
    priorities = {"options": [option(priority_label(p, words), p.value) for p in Priority]}
    selects = [select_of(CardIds.PRIORITY, words.t("Priority"), priorities, ticket.priority.value)]
    if len(flat(areas)) > 1:
        selects.append(select_of(CardIds.AREA, words.t("Area"), area_options(areas), ticket.category))
    return selects


def raised(ticket: Ticket, source: str | None, words: Words = ENGLISH) -> str:
    """Who raised the ticket and how: `from @Alice by direct message`, or for a message raised
    by someone else, `from @Alice, raised by @Erin from a message` (linked to the message)."""
    w = words
    via = via_words(ticket.origin.via, w)
    message = w.t("a message")
    if ticket.origin.via == "shortcut":
        via = w.t("from {message}", message=linked(source, message))
    elif ticket.origin.via == "reaction":
        via = w.t("with :ticket: on {message}", message=linked(source, message))
    elif ticket.origin.via == "channel":
        via = w.t(
            "in {message} in {channel}",
            message=linked(source, message),
            channel=f"<#{ticket.origin.channel}>",
        )
    elif ticket.origin.via == "import" and ticket.imported_from:
        via = w.t("(moved in from {source})", source=moved_in_from(ticket.imported_from))
    if ticket.raised_by:
        return w.t(
            "From {person}, raised by {by} {via}",
            person=f"<@{ticket.requester}>",
            by=f"<@{ticket.raised_by}>",
            via=via,
        )
    return w.t("From {person} {via}", person=who(ticket.requester), via=via)


def ticket_card(
    ticket: Ticket,
    ref: str,
    states: list[TargetState],
    zone: ZoneInfo,
    *,
    business: bool,
    warn_at: float,
    source: str | None = None,
    areas: Areas = (),
    team: str | None = None,
    words: Words = ENGLISH,
) -> tuple[str, Blocks]:
    """The card for `ticket` as it stands: who raised it, what they said, its targets (flagged
    when at risk or missed), and the buttons for what can be done next. `source`: the link to
    the message it was made from; `areas`: the desk's categories by team, offered in a select;
    `team`: the ticket's team, named when the desk has several. In the desk's language."""
    w = words
    label = priority_label(ticket.priority, w)
    area = f"{escape(team)} · {escape(ticket.category)}" if team else escape(ticket.category)
    head = (
        f"{MARKS[ticket.priority]} *{ref}* · *{label}* · {area}\n"
        f"{raised(ticket, source, w)}, {slack_at(ticket.opened_at, zone, words=w)}"
    )
    targets = " · ".join(target_line(state, zone, business=business, words=w) for state in states)
    heading = section(head)
    heading["accessory"] = button(w.t("Details"), CardIds.DETAILS, ticket.number)  # the text whole, the trail
    blocks: Blocks = [
        heading,
        section(quote(ticket.text, CARD_TEXT_LIMIT)),
        *([section(fit(field_lines(ticket.fields), 2900))] if ticket.fields else []),
        context(fit(targets[:1].upper() + targets[1:], 2900)),
    ]
    if ticket.is_open:  # notes in its thread say they are internal: the requester never sees them
        blocks[-1]["elements"].append({"type": "mrkdwn", "text": internal(w)})
    flag = _flag(states, warn_at, w)
    if flag:
        blocks.insert(1, section(flag))
    n = ticket.number
    agent = f"<@{ticket.assignee}>"
    reply = button(w.t("Reply"), CardIds.REPLY, n)
    resolve = button(w.t("Resolve"), CardIds.RESOLVE, n, "primary")
    if ticket.status is Status.OPEN:
        if ticket.assignee:  # the desk gave it to them; the first-response clock runs on
            blocks.append(
                section(":inbox_tray: " + w.t("Assigned to {agent}, not taken up yet", agent=agent))
            )
        buttons = [button(w.t("Claim"), CardIds.CLAIM, n, "primary"), reply]
        blocks.append(
            {"type": "actions", "block_id": f"ticket:{n}", "elements": buttons + changes(ticket, areas, w)}
        )
    elif ticket.status is Status.CLAIMED:
        blocks.append(section(":raising_hand: " + w.t("Claimed by {agent}", agent=agent)))
        buttons = [reply, button(w.t("Waiting on requester"), CardIds.WAIT, n), resolve]
        blocks.append(
            {"type": "actions", "block_id": f"ticket:{n}", "elements": buttons + changes(ticket, areas, w)}
        )
    elif ticket.status is Status.WAITING:
        since = slack_at(ticket.waiting_since or ticket.opened_at, zone, words=w)
        waits = w.t(
            "{agent} is waiting on {person} since {since}: the resolution clock is paused",
            agent=agent,
            person=who(ticket.requester),
            since=since,
        )
        blocks.append(section(f":hourglass: {waits}"))
        buttons = [reply, resolve]
        blocks.append(
            {"type": "actions", "block_id": f"ticket:{n}", "elements": buttons + changes(ticket, areas, w)}
        )
    else:
        note = w.t(": ") + escape(ticket.resolution_note) if ticket.resolution_note else ""
        done = w.t("Resolved by {agent}", agent=agent)
        blocks.append(section(fit(f":white_check_mark: {done}{note}", 2900)))
    fallback = f"{ref} ({label}, {ticket.category}): {ticket.text}"
    return fit(escape(fallback), 200, "…"), blocks


def _flag(states: list[TargetState], warn_at: float, words: Words = ENGLISH) -> str:
    """A line that stands out while a running target is missed or close to it."""
    w = words
    running = [state for state in states if state.running]
    missed = [target_name(state.target, w) for state in running if state.breached]
    if missed:
        return ":rotating_light: " + w.t("*Target missed:* {targets}", targets=w.listing(missed))
    close = [target_name(state.target, w) for state in running if state.at_risk(warn_at)]
    if close:
        return ":hourglass_flowing_sand: " + w.t("*At risk:* {targets} due soon", targets=w.listing(close))
    return ""

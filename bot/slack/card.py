"""The triage card: one message per ticket in the triage channel, updated in place as it changes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.priority import Priority
from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.slack.approval_blocks import field_lines
from bot.slack.blocks import context, section
from bot.slack.intake_blocks import Areas, area_options, flat, option, quote, select_of
from bot.slack.links import linked
from bot.slack.mrkdwn import escape, fit, moved_in_from, who
from bot.slack.when import slack_at, target_line

Blocks = list[dict[str, Any]]
CARD_TEXT_LIMIT = 2900
INTERNAL = ":lock: This card's thread is internal: notes written here are never sent to the requester."

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


def changes(ticket: Ticket, areas: Areas) -> list[dict[str, Any]]:
    """The card's selects for its priority and (with more than one) its area: with several
    teams the areas are grouped by team, and one in another team moves the ticket there."""
    priorities = {"options": [option(p.label, p.value) for p in Priority]}
    selects = [select_of(CardIds.PRIORITY, "Priority", priorities, ticket.priority.value)]
    if len(flat(areas)) > 1:
        selects.append(select_of(CardIds.AREA, "Area", area_options(areas), ticket.category))
    return selects


def raised(ticket: Ticket, source: str | None) -> str:
    """Who raised the ticket and how: `from @Alice by direct message`, or for a message raised
    by someone else, `from @Alice, raised by @Erin from a message` (linked to the message)."""
    via = VIA.get(ticket.origin.via, "")
    if ticket.origin.via == "shortcut":
        via = f"from {linked(source, 'a message')}"
    elif ticket.origin.via == "reaction":
        via = f"with :ticket: on {linked(source, 'a message')}"
    elif ticket.origin.via == "channel":
        via = f"in {linked(source, 'a message')} in <#{ticket.origin.channel}>"
    elif ticket.origin.via == "import" and ticket.imported_from:
        via = f"(moved in from {moved_in_from(ticket.imported_from)})"
    if ticket.raised_by:
        return f"From <@{ticket.requester}>, raised by <@{ticket.raised_by}> {via}"
    return f"From {who(ticket.requester)} {via}"


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
) -> tuple[str, Blocks]:
    """The card for `ticket` as it stands: who raised it, what they said, its targets (flagged
    when at risk or missed), and the buttons for what can be done next. `source`: the link to
    the message it was made from; `areas`: the desk's categories by team, offered in a select;
    `team`: the ticket's team, named when the desk has several."""
    area = f"{escape(team)} · {escape(ticket.category)}" if team else escape(ticket.category)
    head = (
        f"{MARKS[ticket.priority]} *{ref}* · *{ticket.priority.label}* · {area}\n"
        f"{raised(ticket, source)}, {slack_at(ticket.opened_at, zone)}"
    )
    targets = " · ".join(target_line(state, zone, business=business) for state in states)
    heading = section(head)
    heading["accessory"] = button("Details", CardIds.DETAILS, ticket.number)  # the text whole, the trail
    blocks: Blocks = [
        heading,
        section(quote(ticket.text, CARD_TEXT_LIMIT)),
        *([section(fit(field_lines(ticket.fields), 2900))] if ticket.fields else []),
        context(fit(targets[:1].upper() + targets[1:], 2900)),
    ]
    if ticket.is_open:  # notes in its thread say they are internal: the requester never sees them
        blocks[-1]["elements"].append({"type": "mrkdwn", "text": INTERNAL})
    flag = _flag(states, warn_at)
    if flag:
        blocks.insert(1, section(flag))
    n = ticket.number
    if ticket.status is Status.OPEN:
        if ticket.assignee:  # the desk gave it to them; the first-response clock runs on
            blocks.append(section(f":inbox_tray: Assigned to <@{ticket.assignee}>, not taken up yet"))
        buttons = [button("Claim", CardIds.CLAIM, n, "primary"), button("Reply", CardIds.REPLY, n)]
        blocks.append(
            {"type": "actions", "block_id": f"ticket:{n}", "elements": buttons + changes(ticket, areas)}
        )
    elif ticket.status is Status.CLAIMED:
        blocks.append(section(f":raising_hand: Claimed by <@{ticket.assignee}>"))
        buttons = [
            button("Reply", CardIds.REPLY, n),
            button("Waiting on requester", CardIds.WAIT, n),
            button("Resolve", CardIds.RESOLVE, n, "primary"),
        ]
        blocks.append(
            {"type": "actions", "block_id": f"ticket:{n}", "elements": buttons + changes(ticket, areas)}
        )
    elif ticket.status is Status.WAITING:
        since = slack_at(ticket.waiting_since or ticket.opened_at, zone)
        blocks.append(
            section(
                f":hourglass: <@{ticket.assignee}> is waiting on {who(ticket.requester)} since {since}: "
                "the resolution clock is paused"
            )
        )
        buttons = [button("Reply", CardIds.REPLY, n), button("Resolve", CardIds.RESOLVE, n, "primary")]
        blocks.append(
            {"type": "actions", "block_id": f"ticket:{n}", "elements": buttons + changes(ticket, areas)}
        )
    else:
        note = f": {escape(ticket.resolution_note)}" if ticket.resolution_note else ""
        blocks.append(section(fit(f":white_check_mark: Resolved by <@{ticket.assignee}>{note}", 2900)))
    fallback = f"{ref} ({ticket.priority.label}, {ticket.category}): {ticket.text}"
    return fit(escape(fallback), 200, "…"), blocks


def _flag(states: list[TargetState], warn_at: float) -> str:
    """A line that stands out while a running target is missed or close to it."""
    running = [state for state in states if state.running]
    missed = [state.target.words for state in running if state.breached]
    if missed:
        return f":rotating_light: *Target missed:* {' and '.join(missed)}"
    close = [state.target.words for state in running if state.at_risk(warn_at)]
    if close:
        return f":hourglass_flowing_sand: *At risk:* {' and '.join(close)} due soon"
    return ""

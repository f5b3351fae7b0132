"""What agents and requesters see as tickets are worked: the queue, replies, the resolution
message with its reopen button, and the reply and resolve forms. Pure builders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.sla import TargetState
from bot.domain.ticket import Status, Ticket
from bot.i18n import ENGLISH, Words
from bot.slack.approval_blocks import fields_inline
from bot.slack.blocks import context, section
from bot.slack.card import MARKS, CardIds, button
from bot.slack.intake_blocks import quote
from bot.slack.labels import priority_label
from bot.slack.mrkdwn import escape, modal_title, plain, safe
from bot.slack.mrkdwn import who as mention
from bot.slack.when import age, slack_at, target_line

Blocks = list[dict[str, Any]]
QUEUE_LIMIT = 15
NOTE_LIMIT = 2900


class AgentIds(StrEnum):
    REPLY_FORM = "reply_form"
    RESOLVE_FORM = "resolve_form"
    WAIT_FORM = "wait_form"
    TEXT = "text"  # the block id of each form's text input
    SAVED = "saved"  # the Reply form's choice of a saved reply
    VALUE = "value"


@dataclass(frozen=True)
class QueueRow:
    ref: str
    ticket: Ticket
    upcoming: TargetState | None
    at_risk: bool
    business: bool


def queue_answer(
    rows: list[QueueRow], zone: ZoneInfo, now: datetime, *, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """Unclaimed and at-risk tickets, most urgent and oldest first, with Claim buttons."""
    w = words
    if not rows:
        text = w.t("The queue is empty: nothing is waiting for an agent and nothing is at risk.") + " :tada:"
        return text, [section(text)]
    count = len(rows)
    head = w.tn("*{n} ticket needs attention*", "*{n} tickets need attention*", count)
    blocks: Blocks = [section(head)]
    for row in rows[:QUEUE_LIMIT]:
        ticket = row.ticket
        summary = escape(plain(" ".join(ticket.text.split()), 100))
        agent = f"<@{ticket.assignee}>"
        who = w.t("unclaimed") if ticket.status is Status.OPEN else w.t("with {agent}", agent=agent)
        if ticket.assigned_only:
            who = w.t("assigned to {agent}, not yet taken up", agent=agent)
        if ticket.status is Status.WAITING:
            who += w.t(", waiting on the requester")
        risk = " · :warning: " + w.t("*at risk*") if row.at_risk else ""
        label = priority_label(ticket.priority, w)
        opened = w.t(
            "From {person}, opened {ago}",
            person=mention(ticket.requester),
            ago=age(ticket.opened_at, now, words=w),
        )
        lines = [
            f"{MARKS[ticket.priority]} *{row.ref}* · {label} · {escape(ticket.category)} · {who}{risk}",
            f"_{summary}_",
            *([fields_inline(ticket.fields)] if ticket.fields else []),
            opened,
        ]
        if row.upcoming is not None:
            lines[-1] += " · " + target_line(row.upcoming, zone, business=row.business, words=w)
        block = section("\n".join(lines))
        if ticket.status is Status.OPEN:
            block["accessory"] = button(w.t("Claim"), CardIds.CLAIM, ticket.number, "primary")
        blocks.append(block)
    if count > QUEUE_LIMIT:
        left = w.number(count - QUEUE_LIMIT)
        rest = w.t(
            "…and {left} more, less urgent or newer: claim some and `/desk queue` shows the next.", left=left
        )
        blocks.append(section(rest))
    return w.t("{n} tickets need attention", n=w.number(count)), blocks  # the notification


def reply_message(ref: str, signature: str, text: str, *, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """An agent's words to the requester, in the ticket's thread, signed."""
    blocks = [
        section(safe(text, NOTE_LIMIT)),
        context(f"{escape(signature)} · {ref}"),
    ]
    return words.t("{signature} replied on {ref}", signature=signature, ref=ref), blocks


def handover_message(
    ref: str,
    ticket: Ticket,
    by: str | None,
    states: list[TargetState],
    zone: ZoneInfo,
    *,
    business: bool,
    words: Words = ENGLISH,
) -> tuple[str, Blocks]:
    """The DM to an agent handed a ticket (`by` someone, or by the desk's assignment when
    None): what it is, how urgent, when it is due, and the buttons to act on it right there."""
    w = words
    summary = quote(plain(" ".join(ticket.text.split()), 300))
    running = [target_line(state, zone, business=business, words=w) for state in states if state.running]
    due = " · ".join(running) or w.t("no target running")
    n = ticket.number
    label = priority_label(ticket.priority, w)
    buttons = [
        button(w.t("Reply"), CardIds.REPLY, n),
        button(w.t("Waiting on requester"), CardIds.WAIT, n),
        button(w.t("Resolve"), CardIds.RESOLVE, n, "primary"),
        button(w.t("Details"), CardIds.DETAILS, n),
    ]
    if by is None:  # the requester waits for a first answer: taking it up is the first thing
        yours = w.t("{ref} is yours: the desk assigned it to you.", ref=f"*{ref}*")
        heading = f":inbox_tray: {yours}\n{summary}"
        buttons = [
            button(w.t("I'm on it"), CardIds.CLAIM, n, "primary"),
            button(w.t("Reply"), CardIds.REPLY, n),
            button(w.t("Resolve"), CardIds.RESOLVE, n),
            button(w.t("Details"), CardIds.DETAILS, n),
        ]
        text = w.t("{ref} ({priority}) was assigned to you", ref=ref, priority=label)
    else:
        handed = w.t("{person} handed {ref} to you.", person=f"<@{by}>", ref=f"*{ref}*")
        heading = f":inbox_tray: {handed}\n{summary}"
        text = w.t("{ref} ({priority}) was handed to you", ref=ref, priority=label)
    origin = w.t("from {person}", person=mention(ticket.requester))
    blocks: Blocks = [
        section(heading),
        context(
            f"{MARKS[ticket.priority]} *{label}* · {escape(ticket.category)} · "
            f"{origin} · {due[:1].upper() + due[1:]}"
        ),
        {"type": "actions", "block_id": f"ticket:{n}", "elements": buttons},
    ]
    if by is None:
        blocks.insert(2, context(w.t("Its first-response clock runs until you press *I'm on it* or reply.")))
    return text, blocks


def _reopen(number: int, words: Words = ENGLISH) -> dict[str, Any]:
    """The requester's way back to a resolved ticket."""
    elements = [button(words.t("The problem is back"), CardIds.REOPEN, number)]
    return {"type": "actions", "block_id": f"ticket:{number}", "elements": elements}


def resolution_message(
    ref: str, number: int, agent: str, note: str, *, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """Tells the requester their ticket is resolved, with a way back if the problem returns."""
    w = words
    said = f"\n{quote(note, 2000)}" if note.strip() else ""
    done = w.t("{agent} resolved {ref}.", agent=f"<@{agent}>", ref=f"*{ref}*")
    blocks: Blocks = [
        section(f":white_check_mark: {done}{said}"),
        _reopen(number, w),
        context(w.t("If it comes back within 7 days, press the button to reopen it.")),
    ]
    return w.t("{ref} is resolved", ref=ref), blocks


def reopened_message(
    ref: str, resolver: str | None, note: str, ticket: Ticket, zone: ZoneInfo, *, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """The resolution message once its ticket is reopened: the button gone, saying so."""
    w = words
    if resolver and resolver != "desk":
        by = w.t("{agent} resolved {ref}.", agent=f"<@{resolver}>", ref=f"*{ref}*")
    else:
        by = w.t("{ref} was closed.", ref=f"*{ref}*")
    said = f"\n{quote(note, 2000)}" if note.strip() else ""
    when = slack_at(ticket.reopened_at or ticket.opened_at, zone, words=w)
    if ticket.assignee:
        back = w.t(
            "You reopened it {when}. {agent} has it again; updates will come in this thread.",
            when=when,
            agent=f"<@{ticket.assignee}>",
        )
    else:
        back = w.t(
            "You reopened it {when}. The desk's agents have been told; updates will come in this thread.",
            when=when,
        )
    blocks: Blocks = [
        section(f":white_check_mark: {by}{said}"),
        context(f":arrows_counterclockwise: {back}"),
    ]
    return w.t("{ref} is open again", ref=ref), blocks


def waiting_message(ref: str, agent: str, question: str, *, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The agent's question to the requester; the ticket waits for the answer."""
    w = words
    asks = w.t("{agent} asks about {ref}:", agent=f"<@{agent}>", ref=f"*{ref}*")
    blocks: Blocks = [
        section(f":speech_balloon: {asks}\n{quote(question, 2000)}"),
        context(w.t("Answer here in this thread: the ticket waits for you.")),
    ]
    return w.t("{ref}: a question for you", ref=ref), blocks


def reminder_message(
    ref: str, agent: str | None, question: str, closes: str, *, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    w = words
    who = f"<@{agent}>" if agent else w.t("The desk")
    asked = w.t("A reminder about {ref}: {who} asked", ref=f"*{ref}*", who=who)
    blocks: Blocks = [
        section(f":wave: {asked}\n{quote(question, 2000)}"),
        context(w.t("Answer here in this thread. If we don't hear back, it closes {closes}.", closes=closes)),
    ]
    return w.t("{ref}: we are still waiting for your answer", ref=ref), blocks


def closed_unanswered_message(
    ref: str, number: int, waited: str, *, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    w = words
    closed = w.t(
        "{ref} is closed: we asked a question {waited} ago and heard nothing back.",
        ref=f"*{ref}*",
        waited=waited,
    )
    blocks: Blocks = [
        section(f":zzz: {closed}"),
        _reopen(number, w),
        context(w.t("Still need help? Press the button within 7 days to reopen it.")),
    ]
    return w.t("{ref} is closed for lack of an answer", ref=ref), blocks


def looking_at(agent: str, ref: str, *, words: Words = ENGLISH) -> str:
    """Told to the requester in their ticket's thread when an agent claims it."""
    return ":raising_hand: " + words.t(
        "{agent} is looking at {ref} now.", agent=f"<@{agent}>", ref=f"*{ref}*"
    )


def looking_after(agent: str, ref: str, *, words: Words = ENGLISH) -> str:
    """Told to the requester when the ticket is handed to another agent."""
    said = words.t("{agent} is now looking after {ref}.", agent=f"<@{agent}>", ref=f"*{ref}*")
    return f":raising_hand: {said}"


def with_team(ref: str, team: str, *, words: Words = ENGLISH) -> str:
    """Told to the requester when their ticket moves to another team."""
    return ":arrow_right: " + words.t("{ref} is with the {team} team now.", ref=f"*{ref}*", team=team)


def you_reopened(ref: str, assignee: str | None, *, words: Words = ENGLISH) -> str:
    """The requester's answer when they press "The problem is back"."""
    if assignee:
        said = words.t("You reopened {ref}. {agent} has been told.", ref=ref, agent=f"<@{assignee}>")
    else:
        said = words.t("You reopened {ref}. The desk's agents have been told.", ref=ref)
    return f":arrows_counterclockwise: {said}"


def visible_to(origin_channel: str) -> str | None:
    """Where a reply to the requester can be read by others: the channel of a ticket raised by
    mentioning the desk there (its thread is public to the channel); None for a DM."""
    return origin_channel if origin_channel[:1] in ("C", "G") else None


def public_note(channel: str, words: Words = ENGLISH) -> str:
    return words.t(
        "It goes in the ticket's thread in {channel}, where everyone in the channel can see it.",
        channel=f"<#{channel}>",
    )


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def forms(words: Words = ENGLISH) -> dict[AgentIds, tuple[str, str, str, bool]]:
    """Each form's title, its input's label, its submit button, and whether it may be empty."""
    w = words
    return {
        AgentIds.REPLY_FORM: (
            w.t("Reply on"),
            w.t("Your reply to the requester of {ref}"),
            w.t("Send"),
            False,
        ),
        AgentIds.RESOLVE_FORM: (
            w.t("Resolve"),
            w.t("Resolution note (the requester sees it)"),
            w.t("Resolve"),
            True,
        ),
        AgentIds.WAIT_FORM: (
            w.t("Wait on"),
            w.t("Your question for the requester of {ref}"),
            w.t("Ask and wait"),
            True,
        ),
    }


FORMS = {  # callback -> (title, the input's label, submit, optional)
    AgentIds.REPLY_FORM: ("Reply on", "Your reply to the requester of {ref}", "Send", False),
    AgentIds.RESOLVE_FORM: ("Resolve", "Resolution note (the requester sees it)", "Resolve", True),
    AgentIds.WAIT_FORM: ("Wait on", "Your question for the requester of {ref}", "Ask and wait", True),
}


def text_form(
    callback_id: str,
    number: int,
    ref: str,
    channel: str,
    *,
    public_in: str | None = None,
    saved: tuple[str, ...] = (),
    words: Words = ENGLISH,
    initial: str = "",
    note: str = "",
) -> dict[str, Any]:
    """The modal behind the card's Reply, Waiting on requester and Resolve buttons.
    `public_in`: the channel whose members will read what is written (the requester's thread
    is there), said in the form. `initial`: the text the input starts with (a draft reply to
    edit, `/desk draft`); `note`: a line of small print above the input."""
    title, label, submit, optional = forms(words)[AgentIds(callback_id)]
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": AgentIds.VALUE,
        "multiline": True,
        "max_length": 3000,
    }
    if initial:
        element["initial_value"] = initial[:3000]
    block: dict[str, Any] = {
        "type": "input",
        "block_id": AgentIds.TEXT,
        "label": {"type": "plain_text", "text": label.format(ref=ref)},
        "element": element,
    }
    blocks: list[dict[str, Any]] = [block]
    if note:
        blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    if saved and callback_id == AgentIds.REPLY_FORM:  # or send one of the saved replies
        optional = True
        options = [_option(f":{name}", name) for name in saved[:100]]
        blocks.append(
            {
                "type": "input",
                "block_id": AgentIds.SAVED,
                "label": {"type": "plain_text", "text": words.t("…or send a saved reply")},
                "element": {"type": "static_select", "action_id": AgentIds.VALUE, "options": options},
                "optional": True,
            }
        )
    if optional:
        block["optional"] = True
    if public_in is not None:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": public_note(public_in, words)}]}
        )
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": f"{number}:{channel}",  # the ticket, and where to answer the agent
        "title": {"type": "plain_text", "text": modal_title(title, ref)},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": words.t("Cancel")},
        "blocks": blocks,
    }

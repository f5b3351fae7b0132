"""The intake conversation's messages: questions with buttons, the confirmation, the form.

Pure builders: a draft or ticket in, `(text, blocks)` out. `text` is the notification and
screen-reader fallback; `blocks` is what people see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.intake import OTHER_TYPE, Draft, Stage
from bot.domain.priority import Priority
from bot.domain.ticket import Status, Ticket
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import action_button, context, section
from bot.slack.labels import priority_label, priority_word
from bot.slack.mrkdwn import escape, fit, plain
from bot.slack.when import slack_at

Blocks = list[dict[str, Any]]
QUOTE_LIMIT = 2500
FORM_TEXT_LIMIT = 3000  # Slack's most for a plain_text_input


def urgency_hint(priority: Priority, words: Words = ENGLISH) -> str:
    return {
        Priority.P1: words.t("work has stopped for many people"),
        Priority.P2: words.t("you are blocked and there is no way around it"),
        Priority.P3: words.t("it is in the way, but you can carry on"),
        Priority.P4: words.t("whenever someone has time"),
    }[priority]


class IntakeIds(StrEnum):
    """Block, action and callback ids of the intake, in one place."""

    CATEGORY = "intake_category"  # + "_<n>": one button per category
    URGENCY = "intake_urgency"  # + "_P1".."_P4"
    CANCEL = "intake_cancel"
    BLOCK = "intake"  # + ":<draft id>": the actions block of one draft's question
    FORM = "intake_form"  # the /ticket modal's callback id
    FORM_TEXT = "description"
    FORM_CATEGORY = "category"
    FORM_URGENCY = "urgency"
    FORM_VALUE = "value"  # the action id of each form input
    SHORTCUT = "create_ticket"  # the message shortcut's callback id (see manifest.yml)
    TYPE = "intake_type"  # + "_<n>" (a request type) or "_other": which type it is
    TYPE_FORM = "intake_type_form"  # "Open the form" of the chosen type, again


CATEGORY_ACTION = re.compile(rf"^{IntakeIds.CATEGORY}_\d+$")
URGENCY_ACTION = re.compile(rf"^{IntakeIds.URGENCY}_P[1-4]$")
TYPE_ACTION = re.compile(rf"^{IntakeIds.TYPE}_(\d+|{OTHER_TYPE})$")
TYPE_BUTTONS = 22  # an actions block holds 25 elements: the types, "Something else", Cancel


@dataclass(frozen=True)
class Offered:
    """A request type the conversation offers: its value (see `Draft.kind`), name, description."""

    value: str
    name: str
    description: str = ""


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Someone's words as a mrkdwn quote, escaped and cut to fit (the quote marks count too:
    many short lines would otherwise push it past Slack's limit)."""
    return fit("\n".join("> " + line for line in escape(text).splitlines() or [""]), limit)


def _cancel(words: Words = ENGLISH) -> dict[str, Any]:
    return action_button(words.t("Cancel"), IntakeIds.CANCEL, "cancel")


Areas = tuple[tuple[str, tuple[str, ...]], ...]  # the categories, grouped by team: (team, its areas)


def flat(areas: Areas) -> tuple[str, ...]:
    return tuple(c for _, categories in areas for c in categories)


def question(
    draft: Draft, areas: Areas, *, words: Words = ENGLISH, types: tuple[Offered, ...] = ()
) -> tuple[str, Blocks]:
    """The question the draft is waiting on, with its buttons. With several teams the area
    buttons come in a row per team, under its name (SPEC §9). `types`: the request types
    offered (a desk with types asks which first)."""
    w = words
    rows: list[tuple[str | None, list[dict[str, Any]]]]
    if draft.stage is Stage.TYPE:
        text = w.t("What kind of request is it? Pick one below.")
        intro = w.t("Thanks, I'll raise this for you:")
        offered = types[:TYPE_BUTTONS]
        buttons = [action_button(o.name, f"{IntakeIds.TYPE}_{o.value}", o.value) for o in offered]
        other = w.t("Something else")
        buttons.append(action_button(other, f"{IntakeIds.TYPE}_{OTHER_TYPE}", OTHER_TYPE))
        rows = [(None, buttons)]
        described = [f"*{escape(o.name)}*: {escape(o.description)}" for o in types if o.description]
        hint = fit("\n".join(described), 1900) if described else ""
        said = w.t("Changed your mind? Press Cancel or say “cancel”.")
        hint = f"{hint}\n{said}" if hint else said
    elif draft.stage is Stage.FORM:
        name = next((o.name for o in types if o.value == draft.kind), "")
        text = w.t("Please fill in the form for {kind}.", kind=name)
        intro = w.t("Thanks. Request type: {kind}. Your request:", kind=f"*{escape(name)}*")
        rows = [(None, [action_button(w.t("Open the form"), IntakeIds.TYPE_FORM, "open", "primary")])]
        hint = w.t(
            "Its questions are in a form, opened when you chose the type. "
            "Closed it by mistake? Press “Open the form”."
        )
    elif draft.stage is Stage.CATEGORY:
        text = w.t("Which area is it about? Pick one below.")
        intro = w.t("Thanks, I'll open a ticket for this:")
        numbered = {name: i for i, name in enumerate(flat(areas))}
        rows = [
            (
                team if len(areas) > 1 else None,
                [action_button(name, f"{IntakeIds.CATEGORY}_{numbered[name]}", name) for name in names],
            )
            for team, names in areas
        ]
        hint = w.t(
            "Anything else to add? Just type it here. Changed your mind? Press Cancel or say “cancel”."
        )
    else:
        text = w.t("How urgent is it? Pick one below.")
        intro = w.t("Thanks. Area: {area}. Your request:", area=f"*{escape(draft.category or '')}*")
        buttons = [
            action_button(priority_label(p, w), f"{IntakeIds.URGENCY}_{p.value}", p.value) for p in Priority
        ]
        rows = [(None, buttons)]
        hint = " · ".join(f"*{priority_word(p, w)}*: {urgency_hint(p, w)}" for p in Priority)
    blocks: Blocks = [section(f"{intro}\n{quote(draft.text)}"), section(f"*{text}*")]
    by_team = rows[-1][0] is not None  # a row per team: Cancel belongs to none of them
    for n, (team, buttons) in enumerate(rows):
        if team is not None:
            blocks.append(context(f"*{escape(team)}*"))
        last = n == len(rows) - 1 and not by_team
        block_id = f"{IntakeIds.BLOCK}:{draft.id}" + ("" if n == 0 else f":{n}")
        blocks.append(
            {"type": "actions", "block_id": block_id, "elements": [*buttons, *([_cancel(w)] if last else [])]}
        )
    if by_team:  # in a row of its own, under the teams'
        block_id = f"{IntakeIds.BLOCK}:{draft.id}:{len(rows)}"
        blocks.append({"type": "actions", "block_id": block_id, "elements": [_cancel(w)]})
    blocks.append(context(hint))
    return text, blocks


def draft_of_block(block_id: str) -> str:
    """The draft a question's button belongs to, from its block's id."""
    return block_id.removeprefix(f"{IntakeIds.BLOCK}:").partition(":")[0]


def added_note(words: Words = ENGLISH) -> str:
    return words.t("Added that to your request. Pick an option above to carry on, or say “cancel”.")


def ended(draft: Draft, *, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The question replaced once the draft ended without a ticket."""
    if draft.stage is Stage.CANCELLED:
        text = words.t("Cancelled: nothing was opened. Send me a message whenever you need help.")
    else:
        text = words.t(
            "This request waited a day without an answer, so I closed it and opened nothing. "
            "Send me a message to start again."
        )
    blocks: Blocks = [
        section(f"{quote(draft.text, 500)}\n{text}"),
    ]
    return text, blocks


@dataclass(frozen=True)
class Standing:
    """How the ticket stands once it has moved, for its confirmation (redrawn as it moves):
    `head` replaces "is open. Thanks!", `first` the promise of a first response, `done` is a
    field saying when it was resolved (and how the requester rated it)."""

    head: str
    headline: str  # the notification text
    first: str | None = None
    done: str | None = None


def standing(ticket: Ticket, ref: str, zone: ZoneInfo, *, words: Words = ENGLISH) -> Standing | None:
    """Where the ticket is now, in the requester's words; None while nobody has answered
    (the confirmation as it was first sent)."""
    w = words
    who = f"<@{ticket.assignee}>" if ticket.assignee else w.t("An agent")
    first = f"{slack_at(ticket.first_response_at, zone, words=w)}" if ticket.first_response_at else None
    answered = first and w.t("{when}, by {agent}", when=first, agent=who)
    strong = f"*{ref}*"
    if ticket.status is Status.RESOLVED:
        rated = ticket.rating.score if ticket.rating else None
        thanks = " " + w.t("You rated the help {score} / 5: thank you.", score=rated) if rated else ""
        head = ":white_check_mark: " + w.t("{ref} is resolved.", ref=strong) + thanks
        resolved = w.t("*Resolved*")
        done = f"{resolved}\n{slack_at(ticket.resolved_at, zone, words=w)}" if ticket.resolved_at else None
        return Standing(head, w.t("{ref} is resolved.", ref=ref), answered, done)
    if ticket.status is Status.WAITING:
        said = w.t(
            "{ref}: {agent} asked you something in this thread and waits for your answer.",
            ref=strong,
            agent=who,
        )
        return Standing(f":question: {said}", w.t("{ref} waits for your answer.", ref=ref), answered)
    if ticket.status is Status.CLAIMED:
        if ticket.reopened_at:
            head = w.t("{ref}: {agent} is on it again.", ref=strong, agent=who)
            headline = w.t("{ref}: {agent} is on it again.", ref=ref, agent=who)
        else:
            head = w.t("{ref}: {agent} is on it.", ref=strong, agent=who)
            headline = w.t("{ref}: {agent} is on it.", ref=ref, agent=who)
        return Standing(f":raising_hand: {head}", headline, answered)
    if ticket.reopened_at is not None:
        head = w.t("{ref} is open again: an agent will pick it up.", ref=strong)
        return Standing(f":arrows_counterclockwise: {head}", w.t("{ref} is open again.", ref=ref), answered)
    return None


def confirmation(
    ref: str,
    category: str,
    priority: Priority,
    text: str,
    promise: str,
    raised_by: str | None = None,
    now: Standing | None = None,
    *,
    words: Words = ENGLISH,
) -> tuple[str, Blocks]:
    """The requester's confirmation; its thread is where the ticket is talked about.
    `raised_by`: the line saying who raised it for them, when someone else did. `now`: how the
    ticket stands once it has moved (the confirmation is redrawn as it moves)."""
    w = words
    label = priority_label(priority, w)
    headline = w.t(
        "{ref} is open ({priority}). First response {promise}.", ref=ref, priority=label, promise=promise
    )
    head = ":white_check_mark: " + w.t("{ref} is open. Thanks!", ref=f"*{ref}*")
    first = promise
    area, urgency, first_response = w.t("*Area*"), w.t("*Urgency*"), w.t("*First response*")
    fields = [
        {"type": "mrkdwn", "text": f"{area}\n{escape(category)}"},
        {"type": "mrkdwn", "text": f"{urgency}\n{label}"},
    ]
    if now is not None:
        headline, head, first = now.headline, now.head, now.first or promise
    fields.append({"type": "mrkdwn", "text": f"{first_response}\n{first}"})
    if now is not None and now.done:
        fields.append({"type": "mrkdwn", "text": now.done})
    blocks: Blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{head}\n{quote(text)}"}},
        {"type": "section", "fields": fields},
        context(
            w.t(
                "Reply in this thread to add details; I'll post updates here. Say `status {ref}` any time.",
                ref=ref,
            )
        ),
    ]
    if raised_by:
        blocks.insert(1, context(raised_by))
    return headline, blocks


def raised_for(ref: str, requester: str, *, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """What the person who raised a ticket for someone else sees in place of the question."""
    said = words.t(
        "{ref} is open for {person}. They'll hear about it in their "
        "direct messages with me, and can rate the help when it is resolved.",
        ref=f"*{ref}*",
        person=f"<@{requester}>",
    )
    return words.t("{ref} is open", ref=ref), [section(f":white_check_mark: {said}")]


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": plain(text, 75)}, "value": value[:150]}


def area_options(areas: Areas) -> dict[str, Any]:
    """A select's choices of area: with several teams, an option group per team (Block Kit's
    `option_groups`, each with a label of at most 75 characters)."""
    if len(areas) == 1:
        return {"options": [option(name, name) for name in areas[0][1]]}
    groups = [
        {"label": {"type": "plain_text", "text": plain(team, 75)}, "options": [option(n, n) for n in names]}
        for team, names in areas
    ]
    return {"option_groups": groups}


def form(areas: Areas, channel: str, *, words: Words = ENGLISH) -> dict[str, Any]:
    """The /ticket modal: description, area, urgency."""
    w = words

    def select(block_id: str, label: str, choices: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "input",
            "block_id": block_id,
            "label": {"type": "plain_text", "text": label},
            "element": {
                "type": "static_select",
                "action_id": IntakeIds.FORM_VALUE,
                "placeholder": {"type": "plain_text", "text": w.t("Choose one")},
                **choices,
            },
        }

    urgencies = [option(f"{priority_label(p, w)}: {urgency_hint(p, w)}", p.value) for p in Priority]
    return {
        "type": "modal",
        "callback_id": IntakeIds.FORM,
        "private_metadata": channel,
        "title": {"type": "plain_text", "text": w.t("New ticket")},
        "submit": {"type": "plain_text", "text": w.t("Open ticket")},
        "close": {"type": "plain_text", "text": w.t("Cancel")},
        "blocks": [
            {
                "type": "input",
                "block_id": IntakeIds.FORM_TEXT,
                "label": {"type": "plain_text", "text": w.t("What's wrong?")},
                "hint": {"type": "plain_text", "text": w.t("What happened, and what you were trying to do.")},
                "element": {
                    "type": "plain_text_input",
                    "action_id": IntakeIds.FORM_VALUE,
                    "multiline": True,
                    "max_length": FORM_TEXT_LIMIT,
                },
            },
            select(IntakeIds.FORM_CATEGORY, w.t("Area"), area_options(areas)),
            select(IntakeIds.FORM_URGENCY, w.t("Urgency"), {"options": urgencies}),
        ],
    }


def read_form(
    values: dict[str, str], categories: tuple[str, ...], *, words: Words = ENGLISH
) -> tuple[str, str, Priority] | dict[str, str]:
    """The form's description, area and urgency, or an error message per field to fix."""
    w = words
    text = values.get(IntakeIds.FORM_TEXT, "").strip()
    category = values.get(IntakeIds.FORM_CATEGORY, "")
    urgency = values.get(IntakeIds.FORM_URGENCY, "")
    errors: dict[str, str] = {}
    if not text:
        errors[IntakeIds.FORM_TEXT] = w.t("Tell us what's wrong: a sentence or two is enough.")
    elif len(text) > FORM_TEXT_LIMIT:
        errors[IntakeIds.FORM_TEXT] = w.t("Please keep it under {limit} characters.", limit=FORM_TEXT_LIMIT)
    if category not in categories:
        errors[IntakeIds.FORM_CATEGORY] = w.t("Choose the area it is about.")
    if urgency not in Priority.__members__:
        errors[IntakeIds.FORM_URGENCY] = w.t("Choose how urgent it is.")
    if errors:
        return errors
    return text, category, Priority(urgency)


def select_of(action_id: str, label: str, choices: dict[str, Any], current: str) -> dict[str, Any]:
    """A select showing the current choice; picking another changes the ticket.
    `choices`: its `options`, or its `option_groups` (Block Kit's two forms)."""
    found: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": {"type": "plain_text", "text": label},
        **choices,
    }
    options = choices.get("options") or [o for g in choices.get("option_groups", []) for o in g["options"]]
    chosen = next((o for o in options if o["value"] == current), None)
    if chosen is not None:
        found["initial_option"] = chosen
    return found

"""Request types and approvals in Slack: the type chooser and each type's form, the approver's
DM with Approve / Deny, the deny form, and what the requester and the leads are told. Pure
builders; every word of the feature is here."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.approval import REASON_LIMIT, Approval, ApprovalFigures, Kind, RequestType
from bot.domain.errors import Phrase
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import action_button, context, section
from bot.slack.intake_blocks import option, quote
from bot.slack.mrkdwn import escape, fit, modal_title, plain
from bot.slack.when import slack_at

Blocks = list[dict[str, Any]]
USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
OTHER = "other"  # the chooser's value for a request of no particular type: the usual form
TEXT_LIMIT = 3000


class ApprovalIds(StrEnum):
    CHOOSER = "request_type_choice"  # the first view of /ticket when a desk has types
    TYPE = "request_type"  # the chooser's select
    FORM = "request_type_form"  # a type's form
    FIELD = "field_"  # + the field's key: one input per field
    VALUE = "value"  # the action id of every input
    APPROVE = "approval_approve"
    DENY = "approval_deny"
    DENY_FORM = "approval_deny_form"
    NOTE = "approval_note"  # Approve with a note: a form whose note is optional
    NOTE_FORM = "approval_note_form"
    REASON = "reason"
    LOCKED = "approval_change"  # the requester's "Change details" on a pending request
    FILL = "request_type_fill"  # + "_<n>": a request channel's ticket takes a type ("<ticket>:<n>")


Choice = tuple[str, RequestType]  # (team, type)
FILL_ACTION = re.compile(rf"^{ApprovalIds.FILL}_\d+$")  # action ids are unique in a block (Block Kit)


def person(value: str) -> str:
    """A field's value as shown: a person mentioned, anything else escaped."""
    return f"<@{value}>" if USER.match(value) else escape(value)


def labelled(label: str) -> str:
    """`label` followed by a colon, unless it ends in its own mark already ("Which system?",
    "为什么？"): a question asked on the form reads as one, not as "Which system?:"."""
    return label if label.rstrip()[-1:] in tuple("?:!？：！") else f"{label}:"


def field_lines(fields: tuple[tuple[str, str], ...]) -> str:
    """A request's fields, a line each: *Label:* value."""
    return "\n".join(f"*{labelled(escape(label))}* {person(value)}" for label, value in fields)


def fields_inline(fields: tuple[tuple[str, str], ...], limit: int = 300) -> str:
    """A request's fields on one line, for lists: Label: value · Label: value."""
    parts = [f"{labelled(escape(plain(label, 40)))} {person(plain(value, 80))}" for label, value in fields]
    return " · ".join(parts)[:limit]


def chooser(choices: list[Choice], channel: str, words: Words = ENGLISH) -> dict[str, Any]:
    """The first view of /ticket on a desk with request types: what kind of request is it?"""
    w = words
    options = [option(kind.name, str(i)) for i, (_, kind) in enumerate(choices)]
    options.append(option(w.t("Something else"), OTHER))
    hints = [f"*{escape(kind.name)}*: {escape(kind.description)}" for _, kind in choices if kind.description]
    blocks: Blocks = [
        {
            "type": "input",
            "block_id": ApprovalIds.TYPE,
            "label": {"type": "plain_text", "text": w.t("What do you need?")},
            "element": {
                "type": "static_select",
                "action_id": ApprovalIds.VALUE,
                "placeholder": {"type": "plain_text", "text": w.t("Choose one")},
                "options": options[:100],
            },
        }
    ]
    if hints:
        blocks.append(context(fit("\n".join(hints), 2900)))
    return {
        "type": "modal",
        "callback_id": ApprovalIds.CHOOSER,
        "private_metadata": channel,
        "title": {"type": "plain_text", "text": w.t("New request")},
        "submit": {"type": "plain_text", "text": w.t("Next")},
        "close": {"type": "plain_text", "text": w.t("Cancel")},
        "blocks": blocks,
    }


def _input(field_key: str, label: str, element: dict[str, Any], required: bool) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": f"{ApprovalIds.FIELD}{field_key}",
        "label": {"type": "plain_text", "text": plain(label, 2000)},
        "optional": not required,
        "element": {"action_id": ApprovalIds.VALUE, **element},
    }


def type_form(
    choice: int,
    kind: RequestType,
    channel: str,
    draft: tuple[str, str] | None = None,
    *,
    ticket: int | None = None,
    words: Words = ENGLISH,
) -> dict[str, Any]:
    """A request type's form: its fields, each as the input its kind asks for. `draft`: the
    (key, id) of the DM conversation it was opened from (its words go with the request)."""
    w = words
    blocks: Blocks = []
    meta: dict[str, Any] = {"type": choice, "name": kind.name, "channel": channel}
    if draft is not None:
        meta["draft"] = list(draft)
    if ticket is not None:  # a request channel's ticket whose fields it fills
        meta["ticket"] = ticket
    if kind.description:
        blocks.append(context(escape(kind.description)))
    for f in kind.fields:
        element: dict[str, Any]
        if f.kind is Kind.SELECT:
            element = {"type": "static_select", "options": [option(o, o) for o in f.options]}
        elif f.kind is Kind.PERSON:
            element = {"type": "users_select"}
        elif f.kind is Kind.DATE:
            element = {"type": "datepicker"}
        else:  # texts, and a number typed (checked when submitted)
            element = {"type": "plain_text_input", "multiline": f.kind is Kind.LONG_TEXT}
            element["max_length"] = TEXT_LIMIT if f.kind is Kind.LONG_TEXT else 150
        blocks.append(_input(f.key, f.label, element, f.required))
    if not kind.fields:
        blocks.append(
            _input(
                "details",
                w.t("Anything we should know?"),
                {"type": "plain_text_input", "multiline": True, "max_length": TEXT_LIMIT},
                False,
            )
        )
    submit = w.t("Save") if ticket is not None else w.t("Open ticket")
    return {
        "type": "modal",
        "callback_id": ApprovalIds.FORM,
        "private_metadata": json.dumps(meta),
        "title": {"type": "plain_text", "text": modal_title(kind.name)},
        "submit": {
            "type": "plain_text",
            "text": w.t("Send for approval") if kind.approval else submit,
        },
        "close": {"type": "plain_text", "text": w.t("Cancel")},
        "blocks": blocks,
    }


def form_state(view: dict[str, Any]) -> dict[str, str]:
    """The inputs of a submitted type form, by field key: text typed, option, person or date."""
    values = (view.get("state") or {}).get("values") or {}
    found: dict[str, str] = {}
    for block_id, actions in values.items() if isinstance(values, dict) else ():
        if not str(block_id).startswith(ApprovalIds.FIELD) or not isinstance(actions, dict):
            continue
        entry = actions.get(ApprovalIds.VALUE)
        if not isinstance(entry, dict):
            continue
        chosen = entry.get("selected_option")
        value = (
            (chosen or {}).get("value")
            if isinstance(chosen, dict)
            else entry.get("selected_user") or entry.get("selected_date") or entry.get("value")
        )
        if isinstance(value, str) and value.strip():
            found[str(block_id)[len(ApprovalIds.FIELD) :]] = value.strip()
    return found


def form_errors(kind: RequestType, values: dict[str, str], words: Words = ENGLISH) -> dict[str, str]:
    """What to fix in a type's form, by block id: a required field left empty, a number that
    is not one, a choice not offered, a date that is not a date."""
    errors: dict[str, str] = {}
    for f in kind.fields:
        value, block = values.get(f.key, ""), f"{ApprovalIds.FIELD}{f.key}"
        if not value:
            if f.required:
                errors[block] = words.t("Please fill this in.")
        elif f.kind is Kind.NUMBER and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            errors[block] = words.t("Please write a number, like 2.")
        elif f.kind is Kind.SELECT and value not in f.options:
            errors[block] = words.t("Please choose one of the options.")
        elif f.kind is Kind.PERSON and not USER.match(value):
            errors[block] = words.t("Please choose a person.")
        elif f.kind is Kind.DATE and not _is_date(value):
            errors[block] = words.t("Please choose a date.")
    return errors


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def summary(kind: RequestType, values: dict[str, str]) -> str:
    """The request's words on its ticket: the type, and what the first text field says."""
    texts = [
        values[f.key]
        for f in kind.fields
        if f.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT) and values.get(f.key)
    ]
    extra = texts[0] if texts else values.get("details", "")
    return f"{kind.name}: {extra}" if extra else kind.name


def _request_blocks(a: Approval, zone: ZoneInfo, words: Words = ENGLISH) -> Blocks:
    head = words.t(
        "{ref} for {who}, {when}",
        ref=f"*{a.ref}* · *{escape(a.type_name)}*",
        who=f"<@{a.requester}>",
        when=slack_at(a.requested_at, zone, words=words),
    )
    blocks: Blocks = [
        section(head),
        section(quote(a.text, 2900)),
    ]
    if a.fields:
        blocks.append(section(fit(field_lines(a.fields), 2900)))
    return blocks


def _level(a: Approval, w: Words) -> str:
    return w.t("level {level} of {levels}", level=a.level + 1, levels=len(a.chain))


def approver_request(
    a: Approval, zone: ZoneInfo, *, reminder: bool = False, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """The approver's DM: the request, its fields, and Approve / Deny."""
    w = words
    level = (
        w.t("level {level} of {levels}", level=a.level + 1, levels=len(a.chain))
        if len(a.chain) > 1
        else w.t("your approval")
    )
    if reminder:
        lead = w.t(":bell: Still waiting for your decision ({level}).", level=level)
        text = w.t(
            "Reminder: {who} asks for your approval: {kind}", who=f"<@{a.requester}>", kind=a.type_name
        )
    else:
        lead = w.t(":ballot_box_with_check: Your approval is asked ({level}).", level=level)
        text = w.t("{who} asks for your approval: {kind}", who=f"<@{a.requester}>", kind=a.type_name)
    blocks = [
        section(lead),
        *_request_blocks(a, zone, w),
        {
            "type": "actions",
            "block_id": f"approval:{a.id}",
            "elements": [
                action_button(w.t("Approve"), ApprovalIds.APPROVE, a.id, "primary"),
                action_button(w.t("Deny"), ApprovalIds.DENY, a.id, "danger"),
                action_button(w.t("Approve with a note"), ApprovalIds.NOTE, a.id),
            ],
        },
    ]
    return fit(text, 200, "…"), blocks


def decided(
    a: Approval, by: str, approved: bool, zone: ZoneInfo, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """The approver's DM once they decided: the buttons give way to what they said."""
    w = words
    note = a.trail[-1].detail.partition(": ")[2]
    who = f"<@{a.requester}>"
    if approved and note:
        said = w.t(":white_check_mark: You approved this request: {note}.", note=escape(note))
    elif approved:
        said = w.t(":white_check_mark: You approved this request.")
    else:
        said = w.t(":no_entry: You denied this request: {reason}", reason=escape(a.reason))
    text = (
        w.t("You approved {kind} for {who}", kind=a.type_name, who=who)
        if approved
        else w.t("You denied {kind} for {who}", kind=a.type_name, who=who)
    )
    return fit(text, 200, "…"), [*_request_blocks(a, zone, w), section(fit(said, 2900))]


def type_note(kind: str, words: Words = ENGLISH) -> str:
    """The trail's note when a request channel's ticket takes a request type."""
    return words.t("Request type: {kind}", kind=kind)


def channel_types(number: int, offered: list[tuple[int, RequestType]], words: Words = ENGLISH) -> Blocks:
    """Under a request channel's ticket (its confirmation): the team's request types. One
    without approval can be this ticket's type (its form fills the ticket's fields); one that
    needs approval cannot hold a ticket already in the queue, so it is raised with /ticket."""
    fills = [(i, k) for i, k in offered if not k.approval][:5]
    held = [k.name for _, k in offered if k.approval]
    found: Blocks = []
    if fills:
        found.append(context(words.t("Is it one of these? Choose one to add its details to this ticket.")))
        found.append(
            {
                "type": "actions",
                "block_id": f"request_type:{number}",
                "elements": [
                    action_button(k.name, f"{ApprovalIds.FILL}_{i}", f"{number}:{i}") for i, k in fills
                ],
            }
        )
    if held:
        said = words.tn(
            "{kinds} needs approval first: ask for it with /ticket.",
            "{kinds} need approval first: ask for them with /ticket.",
            len(held),
            kinds=", ".join(held),
        )
        found.append(context(escape(said)))
    return found


def settled(
    a: Approval, by: str, approved: bool, at: datetime, zone: ZoneInfo, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """Another approver's DM once the level was decided by `by`: the buttons give way to who
    decided, and when (approved) or why (denied)."""
    when = slack_at(at, zone, words=words)
    if approved:
        said = words.t(":white_check_mark: Approved by {who} on {when}.", who=f"<@{by}>", when=when)
        text = words.t("Approved by {who}: {kind}", who=f"<@{by}>", kind=a.type_name)
    else:
        said = words.t(":no_entry: Denied by {who}: {reason}", who=f"<@{by}>", reason=escape(a.reason))
        text = words.t("Denied by {who}: {kind}", who=f"<@{by}>", kind=a.type_name)
    return fit(text, 200, "…"), [*_request_blocks(a, zone, words), section(fit(said, 2900))]


def waiting(a: Approval, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The requester's DM: the request went for approval, to whom. It names the request by its
    reference (`R-…`): it has no ticket number until it is approved."""
    first = ", ".join(f"<@{p}>" for p in a.chain[0])
    text = words.t("Your request {ref} “{kind}” is waiting for approval.", ref=a.ref, kind=a.type_name)
    line = words.t(
        ":hourglass: Your request *{ref}* · *{kind}* is waiting for approval from {who}.",
        ref=a.ref,
        kind=escape(a.type_name),
        who=first,
    )
    locked = words.t(
        "Its details are locked while it waits, so approvers approve what they saw. "
        "Once it is approved it becomes a ticket and you'll hear from the desk."
    )
    blocks = [
        section(line),
        section(quote(a.text, 2900)),
        *([section(fit(field_lines(a.fields), 2900))] if a.fields else []),
        context(locked),
        {
            "type": "actions",
            "block_id": f"approval:{a.id}",
            "elements": [action_button(words.t("Change details"), ApprovalIds.LOCKED, a.id)],
        },
    ]
    return text, blocks


def outcome(a: Approval, ref: str | None, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The requester's waiting DM once the request was decided: its button gives way to how it
    ended (approved: the ticket it became, `ref`; denied: by whom and why)."""
    if ref is not None:
        line = words.t(
            ":white_check_mark: Your request *{ref}* · *{kind}* was approved: it is {ticket} now.",
            ref=a.ref,
            kind=escape(a.type_name),
            ticket=ref,
        )
    else:
        by = next((s.actor for s in reversed(a.trail) if s.action == "denied"), "")
        line = _denied_line(a, by, words)
    blocks = [
        section(fit(line, 2900)),
        section(quote(a.text, 2900)),
        *([section(fit(field_lines(a.fields), 2900))] if a.fields else []),
    ]
    return fit(line, 200, "…"), blocks


def _denied_line(a: Approval, by: str, words: Words) -> str:
    """The requester's line on a denial: which request, by whom, and why."""
    return words.t(
        ":no_entry: Your request *{ref}* · *{kind}* was denied by {who}: {reason}",
        ref=a.ref,
        kind=escape(a.type_name),
        who=f"<@{by}>",
        reason=escape(a.reason),
    )


def denied(a: Approval, by: str, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The requester's DM: the request was denied, by whom and why."""
    w = words
    text = w.t("Your request {ref} “{kind}” was denied.", ref=a.ref, kind=a.type_name)
    line = _denied_line(a, by, w)
    return text, [
        section(fit(line, 2900)),
        context(w.t("Nothing was opened. You can raise a new request with /ticket.")),
    ]


def overdue(a: Approval, now: datetime, zone: ZoneInfo, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The leads' DM: a request has waited for approval longer than its type allows."""
    w = words
    who = ", ".join(f"<@{p}>" for p in a.deciders)
    text = w.t("A request has waited too long for approval: {kind}", kind=a.type_name)
    line = w.t(
        ":rotating_light: {ref} for {requester} has waited for approval since {since}; "
        "it waits on {who} (level {level} of {levels}).",
        ref=f"*{a.ref}* · *{escape(a.type_name)}*",
        requester=f"<@{a.requester}>",
        since=slack_at(a.requested_at, zone, words=w),
        who=who,
        level=a.level + 1,
        levels=len(a.chain),
    )
    return fit(text, 200, "…"), [section(line), *_request_blocks(a, zone, w)[1:]]


def decision_form(approval: str, *, approve: bool, words: Words = ENGLISH) -> dict[str, Any]:
    """Deny asks why (the requester is told); an approval may carry a note (in the trail)."""
    w = words
    return {
        "type": "modal",
        "callback_id": ApprovalIds.NOTE_FORM if approve else ApprovalIds.DENY_FORM,
        "private_metadata": approval,
        "title": {
            "type": "plain_text",
            "text": modal_title(w.t("Approve the request") if approve else w.t("Deny the request")),
        },
        "submit": {"type": "plain_text", "text": w.t("Approve") if approve else w.t("Deny")},
        "close": {"type": "plain_text", "text": w.t("Cancel")},
        "blocks": [
            {
                "type": "input",
                "block_id": ApprovalIds.REASON,
                "optional": approve,
                "label": {
                    "type": "plain_text",
                    "text": w.t("A note for the ticket's trail")
                    if approve
                    else w.t("Why? The requester will read this."),
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": ApprovalIds.VALUE,
                    "multiline": True,
                    "max_length": REASON_LIMIT,
                },
            }
        ],
    }


def _held_line(a: Approval, zone: ZoneInfo, words: Words) -> str:
    """One request awaiting approval, for a lead or an agent: who asked, who it waits on."""
    return words.t(
        "• *{ref}* · *{kind}* for {requester}, waiting on {who} (level {level} of {levels}) since {since}",
        ref=a.ref,
        kind=escape(a.type_name),
        requester=f"<@{a.requester}>",
        who=", ".join(f"<@{p}>" for p in a.deciders),
        level=a.level + 1,
        levels=len(a.chain),
        since=slack_at(a.since, zone, words=words),
    )


def team_waiting_block(held: list[Approval], zone: ZoneInfo, words: Words = ENGLISH) -> dict[str, Any]:
    """A lead's Home: their teams' requests awaiting approval (not tickets yet: no SLA runs)."""
    head = words.t(
        "*Awaiting approval in your team* ({n}): not tickets yet, so in no queue and on no SLA clock",
        n=len(held),
    )
    return section(fit("\n".join([head, *(_held_line(a, zone, words) for a in held[:10])]), 2900))


def queue_block(held: list[Approval], zone: ZoneInfo, words: Words = ENGLISH) -> dict[str, Any]:
    """The end of /desk queue: requests awaiting approval in the agent's teams, named so the
    agent knows what is coming, but not work yet (no Claim, no SLA)."""
    head = words.tn(
        ":hourglass: {n} request is awaiting approval (not work yet: it becomes a ticket once approved)",
        ":hourglass: {n} requests are awaiting approval (not work yet: each becomes a ticket once approved)",
        len(held),
    )
    return context(fit("\n".join([head, *(_held_line(a, zone, words) for a in held[:5])]), 2900))


def home_blocks(
    for_them: list[Approval],
    theirs: list[Approval],
    zone: ZoneInfo,
    words: Words = ENGLISH,
    team_held: list[Approval] | None = None,
) -> Blocks:
    """A person's Home: the requests waiting for their decision (Approve / Deny are in their
    DMs with the desk), their own requests waiting for approval, and (a lead) what awaits
    approval in their teams."""
    w = words
    found: Blocks = []
    if for_them:
        lines = [
            "• "
            + w.t(
                "{kind} for {requester}, since {since}",
                kind=f"*{a.ref}* · *{escape(a.type_name)}*",
                requester=f"<@{a.requester}>",
                since=slack_at(a.since, zone, words=w),
            )
            for a in for_them[:10]
        ]
        head = w.t(
            "{heading} ({count}): Approve or Deny in our direct messages",
            heading="*" + w.t("Waiting for your approval") + "*",
            count=len(for_them),
        )
        found.append(section(fit("\n".join([head, *lines]), 2900)))
    if theirs:
        lines = [
            "• "
            + w.t(
                "{kind}, waiting on {who} ({level})",
                kind=f"*{a.ref}* · *{escape(a.type_name)}*",
                who=", ".join(f"<@{p}>" for p in a.deciders),
                level=_level(a, w),
            )
            for a in theirs[:10]
        ]
        mine = "*" + w.t("Your requests waiting for approval") + "*"
        found.append(section(fit("\n".join([mine, *lines]), 2900)))
    if team_held:
        found.append(team_waiting_block(team_held, zone, words))
    return found


def figures_block(figures: ApprovalFigures, words: Words = ENGLISH) -> dict[str, Any]:
    """Approvals, for /quality and the digest: time to a decision and what waits."""
    w = words
    if figures.p50 is not None and figures.p90 is not None:
        times = w.tn(
            "decided in {p50} (p50), {p90} (p90) over {n} request",
            "decided in {p50} (p50), {p90} (p90) over {n} requests",
            figures.decided,
            p50=w.duration(figures.p50),
            p90=w.duration(figures.p90),
        )
    else:
        times = w.t("none decided")
    if figures.pending:
        waiting = w.tn("{n} waiting for approval", "{n} waiting for approval", figures.pending)
    else:
        waiting = w.t("none waiting")
    heading = w.t("Approvals:")
    return context(f":ballot_box_with_check: *{heading}* {times} · {waiting}")


# Said through `words.t` where they are used (the reader's language); Phrase marks them for the catalogue.
ONLY_REQUESTER = Phrase("Only the person who asked can choose what kind of request it is.")
TYPE_GONE = Phrase("That request type is no longer offered. Please start again with a new message.")


def group_unknown(words: Words = ENGLISH) -> str:
    return words.t("Slack did not tell us who approves this right now. Please try again in a moment.")


def not_found(words: Words = ENGLISH) -> str:
    return words.t("I can't find that request any more, so nothing changed.")


def decided_already(ref: str | None, words: Words = ENGLISH) -> str:
    """The answer to "Change details" once the request was decided."""
    if ref is not None:
        return words.t("It was approved and is {ref} now: reply in its thread to add anything.", ref=ref)
    return words.t("It was denied, so there is nothing to change. You can raise a new request with /ticket.")


def need_reason(words: Words = ENGLISH) -> str:
    return words.t("Please say why: the requester will read it.")


GROUP_UNKNOWN, NOT_FOUND, NEED_REASON = group_unknown(), not_found(), need_reason()  # as English says them

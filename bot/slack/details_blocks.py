"""The Details modal (SPEC §10): a ticket whole, for agents: all of its text (with its
attachments), both targets, the notices raised and the trail. Pure."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.notices import Level, Notice
from bot.domain.sla import TargetState
from bot.domain.ticket import Action, Status, Ticket, TrailEntry
from bot.i18n import ENGLISH, Words
from bot.slack.approval_blocks import field_lines
from bot.slack.blocks import context, section, sections
from bot.slack.card import via_words
from bot.slack.labels import priority_label
from bot.slack.mrkdwn import escape, fit, modal_title, moved_in_from, plain
from bot.slack.mrkdwn import who as person
from bot.slack.when import slack_at, target_line, target_name

Block = dict[str, Any]
Blocks = list[Block]
TRAIL_SHOWN = 40  # the newest entries; the export has them all
TEXT_SECTIONS = 30  # 30 × 3000 characters: any request Slack lets a person write, and more


def _pieces(line: str, size: int = 2900) -> list[str]:
    """A line cut at spaces into pieces a section holds (a long line is never lost)."""
    pieces: list[str] = []
    while len(line) > size:
        cut = line.rfind(" ", 0, size)
        cut = cut if cut > size // 2 else size
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line or " ")
    return pieces


def details_view(
    ticket: Ticket,
    ref: str,
    states: list[TargetState],
    zone: ZoneInfo,
    *,
    business: bool,
    similar: list[str] | None = None,
    summary: Block | None = None,
    words: Words = ENGLISH,
) -> dict[str, Any]:
    """The Details modal; `similar`: lines on the closest resolved tickets (issue 39);
    `summary`: the block offering the thread's summary, under the head (summaries on)."""
    w = words
    status = status_word(ticket.status, w)
    taken = f" · {person(ticket.assignee)}" if ticket.assignee else ""
    when = slack_at(ticket.opened_at, zone, words=w)
    opened = w.t("From {person}, {when}", person=person(ticket.requester), when=when)
    label = priority_label(ticket.priority, w)
    head = f"*{ref}* · {label} · {escape(ticket.category)} · {status}{taken}\n{opened}"
    if ticket.imported_from:
        head += "\n" + w.t("Moved in from {source}", source=moved_in_from(ticket.imported_from))
    text_lines = [piece for line in ticket.text.splitlines() for piece in _pieces(escape(line))] or [" "]
    targets = [target_line(state, zone, business=business, words=w) for state in states]
    notices = [_notice_line(n, zone, w) for n in ticket.notices] or [w.t("None.")]
    trail = [f"• {slack_at(e.at, zone, words=w)} · {trail_words(e, w)}" for e in ticket.trail[-TRAIL_SHOWN:]]
    blocks: Blocks = [
        section(head),
        *([summary] if summary is not None else []),
        _header(w.t("The request")),
        *sections(text_lines)[:TEXT_SECTIONS],
        *([section(fit(field_lines(ticket.fields), 2900))] if ticket.fields else []),
        _header(w.t("Targets")),
        *sections(targets),
        _header(w.t("Escalations")),
        *sections(notices)[:5],
        _header(w.t("Trail")),
        *sections(trail)[:10],
    ]
    if similar:
        blocks += [_header(w.t("Similar resolved tickets"))]
        blocks += sections(similar)[:3]
    if len(ticket.trail) > TRAIL_SHOWN:
        newest = w.t(
            "The {shown} newest of {all}: {command} has them all.",
            shown=TRAIL_SHOWN,
            all=len(ticket.trail),
            command="`python -m bot export`",
        )
        blocks.append(context(newest))
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": modal_title(w.t("Details of"), ref)},
        "close": {"type": "plain_text", "text": w.t("Close")},
        "blocks": blocks[:100],
    }


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def status_word(status: Status, words: Words = ENGLISH) -> str:
    """A ticket's state in a word, as agents read it."""
    return {
        Status.OPEN: words.t("open"),
        Status.CLAIMED: words.t("claimed"),
        Status.WAITING: words.t("waiting"),
        Status.RESOLVED: words.t("resolved"),
    }.get(status) or status.value.replace("_", " ")


def _notice_line(notice: Notice, zone: ZoneInfo, words: Words) -> str:
    level = {
        Level.AT_RISK: words.t("at risk"),
        Level.BREACHED: words.t("breached"),
        Level.LEADS: words.t("leads told"),
    }[notice.level]
    due = slack_at(notice.due_at, zone, words=words)
    said = words.t("{target} {level}, {due}", target=target_name(notice.target, words), level=level, due=due)
    return f"• {said}" + (" " + words.t("(sent late)") if notice.late else "")


def _who(actor: str, words: Words) -> str:
    return words.t("The desk") if actor == "desk" else person(actor)


def _change(detail: str) -> str:
    before, _, after = detail.partition("->")
    return f"{escape(before)} → {escape(after)}" if after else escape(detail)


def _done(action: Action, words: Words) -> str:
    said = {
        Action.CLAIMED: words.t("claimed it"),
        Action.REPLIED: words.t("replied"),
        Action.NOTE: words.t("noted"),
        Action.FOLLOW_UP: words.t("added"),
        Action.RESOLVED: words.t("resolved it"),
        Action.REOPENED: words.t("reopened it"),
        Action.WAITING: words.t("asked the requester"),
        Action.REMINDED: words.t("reminded the requester of the question"),
    }
    return said.get(action) or action.value.replace("_", " ")


def _opened_how(via: str, words: Words) -> str:
    more = {"reaction": words.t("with :ticket: on a message"), "channel": words.t("in a request channel")}
    return via_words(via, words) or more.get(via, "")


def trail_words(entry: TrailEntry, words: Words = ENGLISH) -> str:
    """One line of the trail in words: `@Bob claimed it`, `@Alice opened it by direct
    message`, `The desk assigned it to @Dave`, `@Bob replied: …`."""
    w = words
    who, detail, action = _who(entry.actor, w), entry.detail, entry.action
    said = f": {escape(plain(' '.join(detail.split()), 200))}" if detail else ""
    if action is Action.OPENED:
        return w.t("{who} opened it {how}", who=who, how=_opened_how(detail, w)).rstrip()
    if action is Action.ASSIGNED:
        if detail:
            return w.t("{who} assigned it to {agent}", who=who, agent=person(detail))
        return w.t("{who} assigned it", who=who)
    if action is Action.REASSIGNED:
        before, _, after = detail.partition("->")
        handed = w.t("{who} handed it to {agent}", who=who, agent=person(after))
        return handed + (" " + w.t("(from {agent})", agent=person(before)) if before else "")
    if action is Action.PRIORITY:
        return w.t("{who} changed the priority: {change}", who=who, change=_change(detail))
    if action is Action.MOVED:
        return w.t("{who} moved it to another area: {change}", who=who, change=_change(detail))
    if action is Action.RATED:
        if detail.isdigit():
            return w.t("{who} rated it {score} / 5", who=who, score=detail)
        return w.t("{who} commented", who=who) + said
    return f"{who} {_done(action, w)}{said}"

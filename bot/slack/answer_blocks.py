"""Suggested answers (issue 39): what the requester sees before the ticket opens, what they
see once one solved it, the line left in the ticket's trail, and agents' similar tickets.

Pure builders, every word here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from bot.domain.intake import FOLLOW, SOLVED, STILL_NEED_HELP, Draft, Suggestion
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import action_button, context, section
from bot.slack.intake_blocks import IntakeIds, quote
from bot.slack.mrkdwn import escape, fit

Blocks = list[dict[str, Any]]
ANSWER_LIMIT = 700  # of each answer shown: enough to act on, short enough to scan three


class AnswerIds(StrEnum):
    SOLVED = "intake_answer_solved"
    HELP = "intake_answer_help"
    FOLLOW = "intake_answer_follow"


ANSWER_ACTION = re.compile(rf"^({AnswerIds.SOLVED}|{AnswerIds.HELP}|{AnswerIds.FOLLOW})$")


def _heading(s: Suggestion, w: Words) -> str:
    kind = s.id.partition(":")[0]
    if kind == "ticket":
        return "*" + w.t("A similar request ({title}) was solved like this:", title=escape(s.title)) + "*"
    if kind == "reply":
        return "*" + w.t("Our usual answer to this:") + "*"
    return "*" + w.t("From our help articles: {title}", title=escape(s.title)) + "*"


def suggestions(draft: Draft, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The answers found for the request, each with **This solved it** / **I still need help**."""
    w = words
    text = w.t("Before I open a ticket: one of these may already answer it.")
    yours = w.t("Your request:")
    blocks: Blocks = [section(f"{yours}\n{quote(draft.text, 500)}"), section(f"*{text}*")]
    for n, s in enumerate(draft.suggested):
        if s.id.startswith("incident:"):
            same = w.t("Is this the same as {title}?", title=escape(s.title))
            blocks.append(section(f"*{same}* " + w.t("Others reported it; we are on it.")))
            buttons = [
                action_button(w.t("Yes, follow it"), AnswerIds.FOLLOW, f"{FOLLOW}:{s.id}", style="primary"),
                action_button(w.t("No"), AnswerIds.HELP, STILL_NEED_HELP),
            ]
        else:
            blocks.append(section(f"{_heading(s, w)}\n{quote(s.answer, ANSWER_LIMIT)}"))
            buttons = [
                action_button(w.t("This solved it"), AnswerIds.SOLVED, f"{SOLVED}:{s.id}", style="primary"),
                action_button(w.t("I still need help"), AnswerIds.HELP, STILL_NEED_HELP),
            ]
        blocks.append(
            {"type": "actions", "block_id": f"{IntakeIds.BLOCK}:{draft.id}:s{n}", "elements": buttons}
        )
    blocks.append(
        context(
            w.t("None of these? Press *I still need help* and I'll open the ticket with what you told me.")
        )
    )
    return text, blocks


def answered(draft: Draft, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """In place of the suggestions, once one solved it."""
    text = words.t("Glad that solved it. I didn't open a ticket; send me a message whenever you need help.")
    return text, [section(f"{quote(draft.text, 500)}\n:white_check_mark: {text}")]


def suggested_note(suggested: Sequence[Suggestion], words: Words = ENGLISH) -> str:
    """The trail's line on a ticket opened after its suggestions did not help."""
    names = ", ".join(  # an incident shows as "T-12 (incident)"
        s.title if s.id.startswith("ticket:") else f"{s.title} ({s.id.partition(':')[0]})" for s in suggested
    )
    return words.t(
        "Suggested before the ticket opened, and the requester still needed help: {names}", names=names
    )


def similar(ref: str, found: Sequence[tuple[str, str, float]], words: Words = ENGLISH) -> tuple[str, Blocks]:
    """`/desk similar T-12`: the closest resolved tickets, each `(ref, how it was resolved, confidence)`."""
    w = words
    if not found:
        text = w.t("No resolved ticket is close to {ref} yet.", ref=ref)
        return text, [section(text)]
    text = w.t("Resolved tickets closest to {ref}:", ref=ref)
    lines = [f"*{escape(other)}* ({_match(score, w)})\n{quote(said, 400)}" for other, said, score in found]
    return text, [section(f"*{text}*"), *(section(fit(line, 2900)) for line in lines)]


def _match(score: float, w: Words) -> str:
    return w.t("{share}% match", share=round(score * 100))


def similar_lines(found: Sequence[tuple[str, str, float]]) -> list[str]:
    """The card's Details: one line per similar resolved ticket."""
    return [
        f"• *{escape(other)}*: {fit(escape(words.replace(chr(10), ' ')), 150)}" for other, words, _ in found
    ]


def deflection_line(answered: int, rate: float | None, words: Words = ENGLISH) -> str:
    """`/quality` and the digest: how many requests a suggested answer solved."""
    w = words
    share = " " + w.t("({share}% of requests)", share=round(rate * 100)) if rate is not None else ""
    return w.tn(
        "Answered without a ticket: *{n}* request{share}, by a suggested answer.",
        "Answered without a ticket: *{n}* requests{share}, by a suggested answer.",
        answered,
        share=share,
    )

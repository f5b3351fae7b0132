"""The rating request the requester gets when a ticket is resolved, and its comment form.

The same message changes in place: five score buttons, then the chosen score with a way to
change it. Pure builders.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.domain.ticket import SCORES, Rating
from bot.i18n import ENGLISH, Words
from bot.slack.blocks import action_button, context, section
from bot.slack.intake_blocks import quote
from bot.slack.mrkdwn import escape, fit, modal_title, plain

Blocks = list[dict[str, Any]]
COMMENT_LIMIT = 2000

FACES = {
    1: ":disappointed:",
    2: ":slightly_frowning_face:",
    3: ":neutral_face:",
    4: ":slightly_smiling_face:",
    5: ":star-struck:",
}
SCORE_ACTION = re.compile(r"^rate_[1-5]$")


class RatingIds(StrEnum):
    CHANGE = "rate_change"
    COMMENT = "rate_comment"
    FORM = "rating_comment"  # the comment form's callback_id
    TEXT = "comment"
    VALUE = "value"


def score_word(score: int, words: Words = ENGLISH) -> str:
    return {
        1: words.t("Very poor"),
        2: words.t("Poor"),
        3: words.t("OK"),
        4: words.t("Good"),
        5: words.t("Great"),
    }[score]


def label(score: int, words: Words = ENGLISH) -> str:
    return f"{score} · {score_word(score, words)}"


def rating_request(
    ref: str,
    number: int,
    request: str,
    agent: str | None,
    note: str,
    rating: Rating | None,
    *,
    choosing: bool,
    words: Words = ENGLISH,
) -> tuple[str, Blocks]:
    """The DM: what was resolved and by whom, then either the score buttons (`choosing`) or
    the score given with a way to change it; the comment button in both."""
    w = words
    summary = escape(plain(" ".join(request.split()), 150))
    if agent:
        done = w.t("{ref} was resolved by {agent}:", ref=f"*{ref}*", agent=f"<@{agent}>")
    else:
        done = w.t("{ref} was resolved:", ref=f"*{ref}*")
    asked = w.t("How did we do?")
    head = f":white_check_mark: {done} _{summary}_\n*{asked}*"
    blocks: Blocks = [section(head)]
    if note:
        blocks.append(section(quote(note, 1000)))
    block_id = f"rating:{number}"
    commented = rating is not None and bool(rating.comment)
    comment = action_button(
        w.t("Edit comment") if commented else w.t("Add a comment"), RatingIds.COMMENT, "comment"
    )
    if choosing or rating is None or rating.score is None:
        buttons = [action_button(f"{FACES[s]} {label(s, w)}", f"rate_{s}", str(s)) for s in SCORES]
        blocks.append({"type": "actions", "block_id": block_id, "elements": buttons})
        blocks.append({"type": "actions", "block_id": f"{block_id}:more", "elements": [comment]})
        if rating is not None and rating.score is not None:
            blocks.append(
                context(w.t("You chose {score}. Pick again to change it.", score=label(rating.score, w)))
            )
    else:
        thanks = w.t("Thanks! You rated {ref} {score}.", ref=ref, score=f"*{label(rating.score, w)}*")
        blocks.append(section(f"{FACES[rating.score]} {thanks}"))
        change = action_button(w.t("Change rating"), RatingIds.CHANGE, "change")
        blocks.append({"type": "actions", "block_id": block_id, "elements": [change, comment]})
    if rating is not None and rating.comment:
        yours = w.t("Your comment: {comment}", comment=escape(plain(rating.comment, 300)))
        blocks.append(context(fit(yours, 2000)))
    text = w.t("{ref} was resolved. How did we do?", ref=ref)
    return text, blocks


CLOSED_REOPENED = "reopened"
CLOSED_LATE = "late"


def survey_closed(
    ref: str, why: str, *, span: timedelta | None = None, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """The rating request once it can no longer be answered: no buttons left. `why` is
    CLOSED_REOPENED, or CLOSED_LATE after `span` (the survey's life)."""
    w = words
    if why == CLOSED_LATE:
        lasted = w.duration(span or timedelta(0))
        text = w.t("This survey about {ref} has closed: it was open for {span}.", ref=ref, span=lasted)
    else:
        text = w.t("This survey about {ref} has closed: it was reopened.", ref=ref)
    again = w.t("If it is resolved again, we'll ask once more.")
    return text, [section(f":lock: {text} {again}")]


def comment_form(
    number: int, ref: str, where: str, current: str, *, words: Words = ENGLISH
) -> dict[str, Any]:
    """The modal for a comment on the help; `where` is the rating message (`channel:ts`)."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": RatingIds.VALUE,
        "multiline": True,
        "max_length": COMMENT_LIMIT,
        "placeholder": {"type": "plain_text", "text": words.t("What went well, what could be better?")},
    }
    if current:
        element["initial_value"] = current[:COMMENT_LIMIT]
    return {
        "type": "modal",
        "callback_id": RatingIds.FORM,
        "private_metadata": f"{number}:{where}",
        "title": {"type": "plain_text", "text": modal_title(words.t("Comment on"), ref)},
        "submit": {"type": "plain_text", "text": words.t("Save")},
        "close": {"type": "plain_text", "text": words.t("Cancel")},
        "blocks": [
            {
                "type": "input",
                "block_id": RatingIds.TEXT,
                "label": {"type": "plain_text", "text": words.t("Your comment")},
                "element": element,
            }
        ],
    }

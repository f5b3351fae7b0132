"""The rating request the requester gets when a ticket is resolved, and its comment form.

The same message changes in place: five score buttons, then the chosen score with a way to
change it. Pure builders.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from bot.domain.ticket import SCORES, Rating
from bot.slack.blocks import action_button, context, section
from bot.slack.intake_blocks import quote
from bot.slack.mrkdwn import escape, fit, modal_title, plain

Blocks = list[dict[str, Any]]
COMMENT_LIMIT = 2000

WORDS = {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Great"}
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


def label(score: int) -> str:
    return f"{score} · {WORDS[score]}"


def rating_request(
    ref: str,
    number: int,
    request: str,
    agent: str | None,
    note: str,
    rating: Rating | None,
    *,
    choosing: bool,
) -> tuple[str, Blocks]:
    """The DM: what was resolved and by whom, then either the score buttons (`choosing`) or
    the score given with a way to change it; the comment button in both."""
    by = f" by <@{agent}>" if agent else ""
    summary = escape(plain(" ".join(request.split()), 150))
    head = f":white_check_mark: *{ref}* was resolved{by}: _{summary}_\n*How did we do?*"
    blocks: Blocks = [section(head)]
    if note:
        blocks.append(section(quote(note, 1000)))
    block_id = f"rating:{number}"
    commented = rating is not None and bool(rating.comment)
    comment = action_button("Edit comment" if commented else "Add a comment", RatingIds.COMMENT, "comment")
    if choosing or rating is None or rating.score is None:
        buttons = [action_button(f"{FACES[s]} {label(s)}", f"rate_{s}", str(s)) for s in SCORES]
        blocks.append({"type": "actions", "block_id": block_id, "elements": buttons})
        blocks.append({"type": "actions", "block_id": f"{block_id}:more", "elements": [comment]})
        if rating is not None and rating.score is not None:
            blocks.append(context(f"You chose {label(rating.score)}. Pick again to change it."))
    else:
        thanks = f"{FACES[rating.score]} Thanks! You rated {ref} *{label(rating.score)}*."
        blocks.append(section(thanks))
        change = action_button("Change rating", RatingIds.CHANGE, "change")
        blocks.append({"type": "actions", "block_id": block_id, "elements": [change, comment]})
    if rating is not None and rating.comment:
        blocks.append(context(fit(f"Your comment: {escape(plain(rating.comment, 300))}", 2000)))
    text = f"{ref} was resolved. How did we do?"
    return text, blocks


def survey_closed(ref: str, why: str) -> tuple[str, Blocks]:
    """The rating request once it can no longer be answered: no buttons left."""
    text = f"This survey about {ref} has closed: {why}."
    return text, [section(f":lock: {text} If it is resolved again, we'll ask once more.")]


def comment_form(number: int, ref: str, where: str, current: str) -> dict[str, Any]:
    """The modal for a comment on the help; `where` is the rating message (`channel:ts`)."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": RatingIds.VALUE,
        "multiline": True,
        "max_length": COMMENT_LIMIT,
        "placeholder": {"type": "plain_text", "text": "What went well, what could be better?"},
    }
    if current:
        element["initial_value"] = current[:COMMENT_LIMIT]
    return {
        "type": "modal",
        "callback_id": RatingIds.FORM,
        "private_metadata": f"{number}:{where}",
        "title": {"type": "plain_text", "text": modal_title("Comment on", ref)},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": RatingIds.TEXT,
                "label": {"type": "plain_text", "text": "Your comment"},
                "element": element,
            }
        ],
    }

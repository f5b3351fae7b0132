"""The requester's rating buttons and comment form on the rating request DM, each read once into
a typed command (`bot.domain.rating`) and carried out by `bot.flows.rating.Ratings`. A refusal
ends at `handlers.errors`: through the click's response URL, or by DM after a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.delivery.places import place
from bot.desk import Desk
from bot.domain import rating as rules
from bot.flows.rating import Ratings
from bot.slack.payloads import Click, click, submitted, trigger_of
from bot.slack.rating_blocks import SCORE_ACTION, RatingIds
from bot.slack.said_blocks import comment_missing
from handlers.table import table

# -- the edge: each click read once into a typed command (the click, its ticket, where it is) ---
BUTTONS: dict[str, Callable[[Click, int, str], rules.Request | None]] = {
    RatingIds.CHANGE: lambda pressed, number, where: rules.ChangeRating(pressed.user, number, where),
    RatingIds.COMMENT: lambda pressed, number, where: rules.AskComment(pressed.user, number, where),
}


def rating_click(body: dict[str, Any]) -> rules.Request | None:
    """A click on a rating request, typed: its ticket from the block id (`rating:<n>` or
    `rating:<n>:more`) and where the message is; None for anything else."""
    pressed = click(body)
    if pressed is None:
        return None
    parts = pressed.block_id.split(":")
    if len(parts) < 2 or parts[0] != "rating" or not parts[1].isdigit():
        return None
    read = BUTTONS.get(pressed.action_id, _score if SCORE_ACTION.search(pressed.action_id) else _nothing)
    return read(pressed, int(parts[1]), place(pressed.channel, pressed.message_ts))


def _score(pressed: Click, number: int, where: str) -> rules.Rate | None:
    """A score pressed (`rate_1` … `rate_5`), its value the score."""
    return rules.Rate(pressed.user, number, int(pressed.value), where) if pressed.value.isdigit() else None


def _nothing(pressed: Click, number: int, where: str) -> None:
    return None


def register(app: AsyncApp, desk: Desk, ratings: Ratings) -> None:
    @table(app).action(SCORE_ACTION, acks_first=True)
    @table(app).action(RatingIds.CHANGE, acks_first=True)
    async def on_score(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        command = rating_click(body)
        if command is not None:
            await ratings.carry(command)

    @table(app).action(RatingIds.COMMENT, acks_first=True)
    async def on_comment_button(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        command = rating_click(body)
        if isinstance(command, rules.AskComment):
            view = await ratings.comment_form(command)
            await desk.slack.open_view(trigger_of(body), view)

    @table(app).view(RatingIds.FORM)
    async def on_comment(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = submitted(body, view)
        words = form.values.get(RatingIds.TEXT, "").strip()
        number, _, where = form.metadata.partition(":")
        if not number.isdigit() or ":" not in where:
            await ack()
            return
        user = form.user
        if not words:
            missing = comment_missing(await desk.words_for(user))
            await ack(response_action="errors", errors={RatingIds.TEXT: missing})
            return
        await ack()
        await ratings.carry(rules.Comment(user, int(number), words, where))  # refused: by DM

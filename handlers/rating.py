"""The requester's rating buttons and comment form on the rating request DM. A refusal ends at
`handlers.errors`: through the click's response URL, or by DM after a form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.delivery.places import place
from bot.desk import Desk
from bot.flows.rating import Ratings
from bot.slack.payloads import Click, click, submitted, trigger_of
from bot.slack.rating_blocks import SCORE_ACTION, RatingIds
from bot.slack.said_blocks import comment_missing
from handlers.table import table


def _rating_click(body: dict[str, Any]) -> tuple[Click, int, str] | None:
    """A click on a rating request: the click, its ticket (from the block id, `rating:<n>` or
    `rating:<n>:more`) and where the message is; None for anything else."""
    pressed = click(body)
    if pressed is None:
        return None
    parts = pressed.block_id.split(":")
    if len(parts) < 2 or parts[0] != "rating" or not parts[1].isdigit():
        return None
    return pressed, int(parts[1]), place(pressed.channel, pressed.message_ts)


def register(app: AsyncApp, desk: Desk, ratings: Ratings) -> None:
    @table(app).action(SCORE_ACTION)
    @table(app).action(RatingIds.CHANGE)
    async def on_score(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = _rating_click(body)
        if found is None:
            return
        pressed, number, where = found
        if pressed.action_id == RatingIds.CHANGE:
            await ratings.change(pressed.user, number, where)
        elif pressed.value.isdigit():
            await ratings.rate(pressed.user, number, int(pressed.value), where)

    @table(app).action(RatingIds.COMMENT)
    async def on_comment_button(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        found = _rating_click(body)
        if found is None:
            return
        pressed, number, where = found
        view = await ratings.comment_form(pressed.user, number, where)
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
        await ratings.comment(user, int(number), words, where)  # refused: by DM (no response URL)

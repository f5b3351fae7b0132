"""Summaries and draft replies (issue 39): what the agent reads. Pure builders, every word here."""

from __future__ import annotations

from typing import Any

from bot.i18n import ENGLISH, Words
from bot.slack.blocks import action_button, context, section
from bot.slack.mrkdwn import modal_title, safe

Blocks = list[dict[str, Any]]
SUMMARISE = "details_summary"  # the Details modal's button, and the block it is in


def summarise_button(number: int, words: Words = ENGLISH) -> dict[str, Any]:
    """In the Details modal (summaries on): ask for the thread's summary there."""
    button = action_button(words.t("Summarise the thread"), SUMMARISE, str(number))
    return {"type": "actions", "block_id": SUMMARISE, "elements": [button]}


def summary_in_details(
    ref: str, paragraph: str | None, replies: int, words: Words = ENGLISH
) -> dict[str, Any]:
    """What takes the button's place in the Details modal: the summary, or why there is none."""
    if paragraph is None:
        return {"block_id": SUMMARISE, **section(":warning: " + did_not_answer(ref, words))}
    _, blocks = summary(ref, paragraph, replies, words)
    head, source = blocks[0]["text"]["text"], blocks[1]["elements"][0]["text"]
    return {"block_id": SUMMARISE, **section(f"{head}\n_{source}_")}


def summarising(ref: str, words: Words = ENGLISH) -> dict[str, Any]:
    """While the summary is written."""
    text = words.t("Summarising {ref}…", ref=ref)
    return {"block_id": SUMMARISE, **section(f":hourglass_flowing_sand: {text}")}


def not_set_up(words: Words = ENGLISH) -> str:
    """`/desk summary` or `/desk draft` on a desk whose owner has not configured an endpoint."""
    return words.t(
        "Summaries are not set up on this desk: its owner can turn them on with `[summaries]` "
        "in the config (an endpoint of their own choosing). Nothing was sent anywhere."
    )


def did_not_answer(ref: str, words: Words = ENGLISH) -> str:
    """The endpoint was down, slow or answered nonsense: the agent works on as usual."""
    return words.t(
        "The summary service did not answer, so there is nothing from it for {ref} this time. "
        "The desk works as usual; try again in a while.",
        ref=ref,
    )


def summary(ref: str, paragraph: str, replies: int, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The summary, shown to the agent who asked, with where it came from."""
    head = words.t("Summary of {ref}", ref=ref)
    source = words.tn(
        "Written by the summary service from the request and {n} reply. Check it against the thread.",
        "Written by the summary service from the request and {n} replies. Check it against the thread.",
        replies,
    )
    blocks = [section(f"*{head}*\n{safe(paragraph, 2800)}"), context(source)]
    return f"{head}: {paragraph[:200]}", blocks


def drafting(ref: str, words: Words = ENGLISH) -> dict[str, Any]:
    """The modal opened at once (a trigger lasts 3 seconds), while the draft is written."""
    text = words.t("Writing a draft reply for {ref}…", ref=ref)
    return {
        "type": "modal",
        "callback_id": "draft_waiting",
        "title": {"type": "plain_text", "text": modal_title(words.t("Draft for"), ref)},
        "close": {"type": "plain_text", "text": words.t("Cancel")},
        "blocks": [section(f":hourglass_flowing_sand: {text}")],
    }


def form_missed(ref: str, words: Words = ENGLISH) -> str:
    """Slack did not open the form (its trigger lasts 3 seconds): nothing was asked or sent."""
    return words.t("Slack did not open the draft's form in time. Try `/desk draft {ref}` again.", ref=ref)


def draft_note(words: Words = ENGLISH) -> str:
    """Above the draft in the Reply form: it is a draft, and the agent's to send."""
    return ":memo: " + words.t(
        "A draft from the desk's summary service: edit it as you like. Nothing is sent until you press Send."
    )


def no_draft_note(ref: str, words: Words = ENGLISH) -> str:
    """Above an empty Reply form, when the endpoint failed."""
    return ":warning: " + did_not_answer(ref, words) + " " + words.t("Write your reply here yourself.")

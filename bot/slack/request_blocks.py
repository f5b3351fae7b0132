"""The buttons under a channel ticket's confirmation: its urgency and area, for the requester
or an agent to set (SPEC §9: a request channel's ticket starts as P3 in the team's first area)."""

from __future__ import annotations

from typing import Any

from bot.domain.priority import Priority
from bot.i18n import ENGLISH, Words
from bot.slack.intake_blocks import Areas, area_options, flat, option, select_of
from bot.slack.labels import priority_label

BLOCK = "request"  # + ":<ticket number>"


class RequestIds:
    URGENCY = "request_urgency"
    AREA = "request_area"


def change_hint(words: Words = ENGLISH) -> str:
    return words.t("Wrong urgency or area? Change it here (an agent may too).")


def choices(
    number: int, priority: Priority, category: str, areas: Areas, *, words: Words = ENGLISH
) -> dict[str, Any]:
    """The urgency select and (with more than one area) the area select, as they stand."""
    urgencies = {"options": [option(priority_label(p, words), p.value) for p in Priority]}
    elements = [select_of(RequestIds.URGENCY, words.t("Urgency"), urgencies, priority.value)]
    if len(flat(areas)) > 1:
        elements.append(select_of(RequestIds.AREA, words.t("Area"), area_options(areas), category))
    return {"type": "actions", "block_id": f"{BLOCK}:{number}", "elements": elements}


def ticket_of_block(block_id: str) -> int | None:
    kind, _, number = block_id.partition(":")
    return int(number) if kind == BLOCK and number.isdigit() else None

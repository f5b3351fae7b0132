"""Why the desk refuses: each refusal a named reason and what fills it in, worded here.

A flow raises `NotPermitted(refusals.NOT_AN_AGENT, person=to)`: the reason is typed (a named
constant, also its id in the catalogue) and its values are parameters. Nothing is worded until
the one error path (`handlers/errors.py`, or an answer the flow owes) renders it with the
reader's `Words` (`DeskError.render`); `Phrase` values such as the things people may be refused
(`doing`) are translated then too.
"""

from __future__ import annotations

# the agents', away, linked tickets' and rating rules (bot.domain) name these themselves; kept here
# beside the others
from bot.domain.agents import (  # noqa: F401
    CLAIM,
    MOVE,
    NO_AREA,
    NOT_AN_AGENT,
    NOT_OF_TEAM,
    ONLY_REQUESTER_REOPENS,
    PRIORITY,
    REASSIGN,
    REPLY,
    REQUESTER_OR_AGENTS,
    RESOLVE,
    WAIT,
)
from bot.domain.away import BE_AWAY, BE_BACK  # noqa: F401
from bot.domain.errors import Phrase
from bot.domain.links import (  # noqa: F401
    LINK,
    LINK_ITSELF,
    LINK_OPEN_ONLY,
    LINK_PART_OF_ONE,
    LINKED_ELSEWHERE,
)
from bot.domain.rating import NOT_THIS_RATING  # noqa: F401

# -- what people may be refused (`doing` in "Only the desk's agents can {doing}.") -------------
SEE_QUEUE = Phrase("see the queue")
SEE_DETAILS = Phrase("see a ticket's details")
SEE_SIMILAR = Phrase("see similar tickets")
SEE_QUALITY = Phrase("see the quality summary")
SUMMARISE = Phrase("ask for summaries")

# -- the agents' commands -----------------------------------------------------------------------
NO_SAVED_REPLY = Phrase("There is no saved reply called `{name}`. Saved replies: {known}.")
NO_SAVED_REPLIES = Phrase("none yet (set them in `[replies]`)")

# -- `/desk quality` --------------------------------------------------------------------------
QUALITY_PERIOD = Phrase(
    "I can summarise the last 7, 30 or 90 days.\n"
    "Usage: `/desk quality [7d|30d|90d]` (the last 7 days when left out)"
)
QUALITY_PERIOD_TEAMS = Phrase(
    "I can summarise the last 7, 30 or 90 days.\n"
    "Usage: `/desk quality [team] [7d|30d|90d]` (the whole desk, and the last 7 days, when left out)"
)
NO_TEAM = Phrase(
    "There is no team called “{team}”. The teams: {teams}.\n"
    "Usage: `/desk quality [team] [7d|30d|90d]` (the whole desk, and the last 7 days, when left out)"
)

# -- forms ------------------------------------------------------------------------------------
CHOOSE_AGAIN = Phrase("Please choose again.")
FORM_OUT_OF_DATE = Phrase("This form is out of date: please open /ticket again.")

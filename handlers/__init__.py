"""Bolt listeners: thin adapters that ack, parse, call the desk and answer.

`register` attaches every listener to an app; the composition root calls it once. Slash
commands, block actions and view submissions go through the routing table (`handlers.table`):
one Bolt listener per kind, a dict behind it; events and the shortcut stay Bolt's own listeners.
"""

from slack_bolt.async_app import AsyncApp

from bot.desk import Desk
from bot.flows.agents import Agents
from bot.flows.intake import Intake
from bot.flows.rating import Ratings
from bot.flows.summaries import Summaries
from handlers import (
    agents,
    approvals,
    away,
    errors,
    events,
    home,
    intake,
    links,
    membership,
    messages,
    quality,
    rating,
    reactions,
    similar,
    summaries,
    ticket_command,
)
from handlers.table import table


def register(
    app: AsyncApp,
    desk: Desk,
    intake_flow: Intake,
    agents_flow: Agents,
    ratings: Ratings,
    summaries_flow: Summaries,
) -> None:
    errors.register(app, desk)
    events.register(app, desk)
    table(app)  # Bolt's first listeners: the commands', the block actions' and the views' (one each)
    home.register(app, desk)
    messages.register(app, desk, intake_flow)
    intake.register(app, desk, intake_flow)
    ticket_command.register(app, desk, intake_flow, agents_flow)
    agents.register(app, desk, agents_flow)
    rating.register(app, desk, ratings)
    quality.register(app, desk)
    reactions.register(app, desk)
    away.register(app, desk)
    approvals.register(app, desk, agents_flow)
    membership.register(app, desk)
    similar.register(app, desk)
    links.register(app, desk)
    summaries.register(app, desk, summaries_flow)

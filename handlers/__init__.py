"""Bolt listeners: thin adapters that ack, parse, call the desk and answer.

`register` attaches every listener to an app; the composition root calls it once.
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

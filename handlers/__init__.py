"""Bolt listeners: thin adapters that ack, parse, call the desk and answer.

`register` attaches every listener to an app; the composition root calls it once.
"""

from slack_bolt.async_app import AsyncApp

from bot.desk import Desk
from handlers import errors, home


def register(app: AsyncApp, desk: Desk) -> None:
    errors.register(app, desk)
    home.register(app, desk)

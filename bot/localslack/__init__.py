"""A local Slack: the Web API methods the desk uses, Socket Mode, and a driver that sends
events, slash commands and clicks to the bot exactly as Slack does.

It is part of the product: the sandbox and the end-to-end tests both run on it.
"""

from bot.localslack.server import ChannelPace, LocalSlack
from bot.localslack.tiers import MethodPace
from bot.localslack.workspace import Message, Workspace

__all__ = ["ChannelPace", "LocalSlack", "Message", "MethodPace", "Workspace"]

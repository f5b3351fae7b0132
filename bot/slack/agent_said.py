"""The agents' decisions (`bot.domain.agents`) worded: the answer for whoever acted and the
sentences owed to the people told. Every sentence comes from the catalogue (`t()`); the
flow only says where each one goes."""

from __future__ import annotations

from bot.domain import agents as rules
from bot.i18n import ENGLISH, Words
from bot.slack import said_blocks
from bot.slack.agent_blocks import looking_after, looking_at, public_note, visible_to, you_reopened


def said_where_seen(answer: str, channel: str, words: Words = ENGLISH) -> str:
    """The agent's answer, saying so when what they wrote is public to a channel (`channel`
    is where the ticket was raised)."""
    public = visible_to(channel)
    return f"{answer} {public_note(public, words)}" if public else answer


def answer(decided: rules.Answer, ref: str, words: Words = ENGLISH) -> str:
    """What whoever acted is told, privately."""
    if isinstance(decided, rules.Claimed):
        return said_blocks.claimed(ref, decided.requester, words=words)
    if isinstance(decided, rules.NowWith):
        return said_blocks.now_with(ref, decided.to, words=words)
    if isinstance(decided, rules.Reopened):
        return you_reopened(ref, decided.assignee, words=words)
    if isinstance(decided, rules.PriorityNow):
        return said_blocks.priority_now(ref, decided.priority, words=words)
    if isinstance(decided, rules.AlreadySent):
        return said_blocks.already_sent(decided.requester, words=words)
    if isinstance(decided, rules.Sent) and decided.outsider is not None:
        return said_blocks.kept_outside(ref, decided.outsider, words=words)
    if isinstance(decided, rules.Sent):
        return said_where_seen(said_blocks.sent(ref, decided.requester, words=words), decided.channel, words)
    if isinstance(decided, rules.WaitingOn):
        told = said_blocks.waiting_answer(ref, decided.requester, words=words)
        return said_where_seen(told, decided.channel, words)
    if isinstance(decided, rules.Moved):
        return said_blocks.moved_answer(ref, decided.area, decided.team, decided.triage, words=words)
    if decided.outsider is not None:
        return said_blocks.resolved_outside(ref, decided.outsider, words=words)
    told = said_blocks.resolved(ref, decided.requester, decided.noted, words=words)
    return said_where_seen(told, decided.channel, words)


def to_requester(message: rules.LookingAt | rules.LookingAfter, ref: str, words: Words = ENGLISH) -> str:
    """Told in the requester's ticket thread when an agent takes the ticket or is handed it."""
    if isinstance(message, rules.LookingAt):
        return looking_at(message.agent, ref, words=words)
    return looking_after(message.to, ref, words=words)


def by_dm(
    message: rules.TookYours | rules.HandedOn | rules.BackWithYou, ref: str, words: Words = ENGLISH
) -> str:
    """A DM to an agent whose ticket went to someone else, or came back to them."""
    if isinstance(message, rules.TookYours):
        return said_blocks.took_yours(message.agent, ref, words=words)
    if isinstance(message, rules.HandedOn):
        return said_blocks.handed_on(message.by, ref, message.to, words=words)
    back = said_blocks.problem_back(message.person, ref, words=words)
    return f"{back} {said_blocks.back_with_you(words)}"


def priority_changed(
    message: rules.PriorityTold | rules.PriorityNoted, ref: str, words: Words = ENGLISH
) -> str:
    """The requester, or the card's thread, told of a new priority."""
    return said_blocks.priority_changed(message.by, ref, message.was, message.now, words=words)


def problem_back(message: rules.ProblemBack, ref: str, words: Words = ENGLISH) -> str:
    """In the card's thread: the requester says the problem is back, and who has it."""
    back = said_blocks.problem_back(message.person, ref, words=words)
    if not message.assignee:
        return back
    return f"{back} {said_blocks.back_with(message.assignee, words=words)}"


def moved(message: rules.MoveNoted | rules.CardMoved, ref: str, words: Words = ENGLISH) -> str:
    """In the card's thread, the ticket moved; or, on the old card of a ticket moved to another
    team, where it went."""
    said = said_blocks.moved_note(message.by, ref, message.was, message.area, words=words)
    if isinstance(message, rules.MoveNoted):
        return said
    return said_blocks.card_moved(said, message.team, message.triage, words=words)


def signature(agent_name: str, desk_name: str) -> str:
    """How a reply is signed for the requester: the agent's name, then the desk's."""
    return f"{agent_name}, {desk_name}"


def saved_reply_names(names: list[str]) -> str:
    """The saved replies an agent may name (`:vpn`), listed for a refusal."""
    return ", ".join(f"`:{name}`" for name in sorted(names))


def with_usage(refusal: str, usage: str) -> str:
    """A refusal of what was typed, then how the command is written."""
    return f"{refusal}\n{usage}"

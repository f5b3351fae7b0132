"""The short sentences the desk says as work is done: the answer for whoever acted, the note in
the card's thread, the DM to an agent a change concerns. The flows decide who is told what;
these word it, in the reader's language. Pure builders."""

from __future__ import annotations

from bot.domain.priority import Priority
from bot.i18n import ENGLISH, Words
from bot.slack.intake_blocks import quote
from bot.slack.labels import priority_label
from bot.slack.links import linked
from bot.slack.mrkdwn import escape

# -- what an agent's command answers ----------------------------------------------------------


def claimed(ref: str, requester: str, *, words: Words = ENGLISH) -> str:
    return words.t(
        "You claimed {ref}. Use `/desk reply {ref} your answer` to talk to {requester}.",
        ref=ref,
        requester=f"<@{requester}>",
    )


def now_with(ref: str, agent: str, *, words: Words = ENGLISH) -> str:
    return words.t("{ref} is now with {agent}.", ref=ref, agent=f"<@{agent}>")


def resolved(ref: str, requester: str, noted: bool, *, words: Words = ENGLISH) -> str:
    if noted:
        return words.t(
            "Resolved {ref}. {requester} has been told with your note.", ref=ref, requester=f"<@{requester}>"
        )
    return words.t("Resolved {ref}. {requester} has been told.", ref=ref, requester=f"<@{requester}>")


def resolved_outside(ref: str, name: str, *, words: Words = ENGLISH) -> str:
    """Resolved for a requester an import kept by name (no Slack user): nobody was told."""
    return words.t(
        "Resolved {ref}. {name} has no Slack user here (moved in from another desk), so nobody was messaged.",
        ref=ref,
        name=escape(name),
    )


def kept_outside(ref: str, name: str, *, words: Words = ENGLISH) -> str:
    """A reply for a requester an import kept by name: on the trail, sent to nobody."""
    return words.t(
        "Kept on {ref}'s trail. {name} has no Slack user here (moved in from another desk), "
        "so nobody was messaged.",
        ref=ref,
        name=escape(name),
    )


def already_sent(requester: str, *, words: Words = ENGLISH) -> str:
    return words.t("Already sent to {requester}.", requester=f"<@{requester}>")


def sent(ref: str, requester: str, *, words: Words = ENGLISH) -> str:
    return words.t("Sent to {requester} in {ref}'s thread.", ref=ref, requester=f"<@{requester}>")


def priority_now(ref: str, priority: Priority, *, words: Words = ENGLISH) -> str:
    return words.t(
        "{ref} is now {priority}; its targets count from its opening under it.",
        ref=ref,
        priority=priority_label(priority, words),
    )


def moved_answer(ref: str, area: str, team: str | None, triage: str, *, words: Words = ENGLISH) -> str:
    """`team` when the ticket went to another team (its card is in that team's triage)."""
    if team is None:
        return words.t("{ref} is now in {area}.", ref=ref, area=area)
    return words.t(
        "{ref} is now in {area}, with the {team} team: its card is in {channel}.",
        ref=ref,
        area=area,
        team=team,
        channel=f"<#{triage}>",
    )


def waiting_answer(ref: str, requester: str, *, words: Words = ENGLISH) -> str:
    return words.t(
        "{ref} is waiting on {requester}; its resolution clock is paused until they answer.",
        ref=ref,
        requester=f"<@{requester}>",
    )


def default_question(words: Words = ENGLISH) -> str:
    """What `/desk wait` asks when the agent wrote nothing."""
    return words.t("Could you tell us a little more, so we can go on?")


def an_agent(words: Words = ENGLISH) -> str:
    """Who signs a reply when Slack cannot say the agent's name."""
    return words.t("An agent")


def no_saved_replies(words: Words = ENGLISH) -> str:
    return words.t("none yet (set them in `[replies]`)")


def priority_from_list(words: Words = ENGLISH) -> str:
    return words.t("Pick a priority from the list: P1, P2, P3 or P4.")


def reply_missing(saved: bool, words: Words = ENGLISH) -> str:
    """The Reply form's error when nothing was written (or chosen)."""
    if saved:
        return words.t("Write the reply to send, or pick a saved one.")
    return words.t("Write the reply to send.")


def comment_missing(words: Words = ENGLISH) -> str:
    return words.t("Write a comment to save.")


# -- what the agents read: the card's thread, their DMs ---------------------------------------


def took_yours(agent: str, ref: str, *, words: Words = ENGLISH) -> str:
    """To the agent the desk had given the ticket, when another claims it."""
    return words.t(
        "{agent} took {ref}, which the desk had given you: it is off your list.",
        agent=f"<@{agent}>",
        ref=f"*{ref}*",
    )


def handed_on(by: str, ref: str, to: str, *, words: Words = ENGLISH) -> str:
    """To the agent who had the ticket, when it is reassigned."""
    return words.t(
        "{by} handed {ref} to {to}: it is off your list.", by=f"<@{by}>", ref=f"*{ref}*", to=f"<@{to}>"
    )


def replied_note(agent: str, said: str, *, words: Words = ENGLISH) -> str:
    """In the card's thread: what an agent sent the requester (with `/desk reply`)."""
    head = words.t("{agent} replied to the requester:", agent=f"<@{agent}>")
    return f"{head}\n{quote(said)}"


def replied_in_thread(agent: str, said: str, *, words: Words = ENGLISH) -> str:
    """In the card's thread: what an agent wrote in a channel ticket's thread."""
    head = words.t("{agent} replied in the requester's thread:", agent=f"<@{agent}>")
    return f"{head}\n{quote(said)}"


def agent_replied(ref: str, *, words: Words = ENGLISH) -> str:
    """The notification text of the above."""
    return words.t("{ref}: an agent replied to the requester", ref=ref)


def requester_added(person: str, said: str, *, words: Words = ENGLISH) -> str:
    head = words.t("{person} added:", person=f"<@{person}>")
    return f"{head}\n{quote(said)}"


def requester_added_fallback(ref: str, *, words: Words = ENGLISH) -> str:
    return words.t("{ref}: the requester added to the ticket", ref=ref)


def answered_back(person: str, ref: str, said: str, *, words: Words = ENGLISH) -> str:
    """To the assignee, when the requester answered the question the ticket waited on."""
    head = words.t("{person} answered on {ref}; it is back with you:", person=f"<@{person}>", ref=f"*{ref}*")
    return f"{head}\n{quote(said)}"


def waiting_note(agent: str, asked: str, *, words: Words = ENGLISH) -> str:
    head = words.t("{agent} is waiting on the requester:", agent=f"<@{agent}>")
    return f"{head}\n{quote(asked)}"


def priority_changed(agent: str, ref: str, was: Priority, now: Priority, *, words: Words = ENGLISH) -> str:
    return words.t(
        "{agent} changed the priority of {ref} from {was} to {now}.",
        agent=f"<@{agent}>",
        ref=f"*{ref}*",
        was=priority_label(was, words),
        now=f"*{priority_label(now, words)}*",
    )


def moved_note(agent: str, ref: str, was: str, area: str, *, words: Words = ENGLISH) -> str:
    return words.t(
        "{agent} moved {ref} from {was} to {area}.",
        agent=f"<@{agent}>",
        ref=f"*{ref}*",
        was=was,
        area=f"*{area}*",
    )


def card_moved(said: str, team: str, triage: str, *, words: Words = ENGLISH) -> str:
    """The old card, once the ticket moved to another team's triage channel."""
    gone = words.t("It is {team}'s now: its card is in {channel}.", team=team, channel=f"<#{triage}>")
    return f":arrow_right: {said} {gone}"


def problem_back(person: str, ref: str, *, words: Words = ENGLISH) -> str:
    said = words.t(
        "{person} says the problem is back: {ref} is open again.", person=f"<@{person}>", ref=f"*{ref}*"
    )
    return f":arrows_counterclockwise: {said}"


def back_with(assignee: str, *, words: Words = ENGLISH) -> str:
    """Told in the card's thread after `problem_back`."""
    return words.t("{agent}, it's back with you.", agent=f"<@{assignee}>")


def back_with_you(words: Words = ENGLISH) -> str:
    """Told to the assignee by DM after `problem_back`."""
    return words.t("It is back with you.")


# -- away -------------------------------------------------------------------------------------


def away_answer(until: str | None, held: int, *, words: Words = ENGLISH) -> str:
    """The answer to `/desk away`: till when (`until`, a moment; None: till they say so), and
    the tickets the agent still holds."""
    if until:
        said = words.t("You're away until {until}: the desk won't assign you new tickets.", until=until)
    else:
        said = words.t("You're away until you say `/desk back`: the desk won't assign you new tickets.")
    if held:
        said += " " + words.tn(
            "You still hold {n} open ticket: hand it over with `/desk reassign` if it can't wait.",
            "You still hold {n} open tickets: hand them over with `/desk reassign` if they can't wait.",
            held,
        )
    return f":palm_tree: {said}"


def back_answer(was_away: bool, *, words: Words = ENGLISH) -> str:
    if not was_away:
        return words.t("You weren't away: the desk assigns you new tickets as usual.")
    return ":wave: " + words.t("Welcome back: the desk assigns you new tickets again.")


# -- the rest ---------------------------------------------------------------------------------


def closed_unanswered_note(span: str, *, words: Words = ENGLISH) -> str:
    """The resolution note of a ticket closed because its question went unanswered."""
    return words.t("Closed: no answer to the question in {span}.", span=span)


def no_text(words: Words = ENGLISH) -> str:
    """A request made of a message without words (a file alone)."""
    return words.t("(the message had no text)")


def thread_gone_line(words: Words = ENGLISH) -> str:
    return "_" + words.t("The thread this belongs in was deleted, so it is here instead.") + "_"


def open_in_triage(ref: str, words: Words = ENGLISH) -> str:
    return words.t("Open {ref} in the triage channel", ref=ref)


def linked_already(child: str, parent: str, *, words: Words = ENGLISH) -> str:
    return words.t("{child} is linked to {parent} already.", child=child, parent=parent)


def sorry(words: Words = ENGLISH) -> str:
    """Any failure that is not a refusal: nothing was changed."""
    return words.t("Something went wrong on our side; nothing was changed. Please try again in a moment.")


def not_saved(why: str, words: Words = ENGLISH) -> str:
    return words.t(
        "I couldn't save that ({why}), so nothing was changed. Please try again in a little while.", why=why
    )


# -- requests begun elsewhere, and cancelled ----------------------------------------------------


def started(words: Words = ENGLISH) -> str:
    """`/ticket <words>` in a channel: the request goes on in the DM."""
    return words.t(
        "Got it. I've started your ticket in our direct messages: pick an area there to finish it."
    )


def started_in_dm(words: Words = ENGLISH) -> str:
    """The "Create ticket" shortcut used in a channel."""
    return words.t(
        "I've started a ticket from that message in our direct messages. Pick an area there to finish it."
    )


def cancelled(done: bool, words: Words = ENGLISH) -> str:
    """`/ticket cancel`: whether there was a request being written."""
    if done:
        return words.t("Cancelled the request you were writing: nothing was opened.")
    return words.t("There is no request in progress to cancel.")


def nothing_to_cancel(words: Words = ENGLISH) -> str:
    """ "cancel" said to the desk with no request being written."""
    return words.t("There is no request in progress to cancel. Send me a message whenever you need help.")


def from_team(team: str, words: Words = ENGLISH) -> str:
    """Above a DM about a ticket, with several teams: which team it is from."""
    return words.t("{team} team", team=f"*{team}*")


def raised_for_you(by: str, source: str | None, words: Words = ENGLISH) -> str:
    """On a confirmation: who raised the ticket for its requester, and from which message."""
    message = linked(source, words.t("your message"))
    return words.t("{person} raised this for you from {message}.", person=f"<@{by}>", message=message)

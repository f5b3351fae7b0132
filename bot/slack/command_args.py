"""The words of a slash command, read into what the desk should do. Pure.

Every verb for agents and leads lives under one namespaced command, `/desk claim T-12`, and
may also be registered as a short alias, `/claim T-12` (manifest.yml says which are). Both
reach the same road: `route` reads the command's name and its words into a verb and the
words after it, whatever the command is called in a workspace:

- a name whose last part (after its last `-` or `_`) is `ticket` is `/ticket`
  (`/ticket`, `/it-ticket`);
- a name whose last part is a verb is that verb (`/claim`, `/it-claim`);
- any other name is the namespace, and its first word is the verb (`/desk claim T-12`,
  `/helpdesk claim T-12`); nothing after it asks for help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.errors import Phrase as P
from bot.i18n import ENGLISH, Words
from bot.slack.mrkdwn import people_as_names, tokens_as_words, unescape

# What `should_escape` makes of typed mentions, channels and links (docs.slack.dev,
# "Implementing slash commands": escaped users, channels and links arrive as <@U…|name>,
# <#C…|name>, <https://…>); anything else between < and > is left as it came.
SLACK_TOKEN = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|![a-z]+[^<>|]*|(?:https?|mailto):[^<>|]+)(?:\|[^<>]*)?>"
)
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
NAMESPACE = "/desk"  # the command every verb lives under, as manifest.yml registers it
TICKET = "ticket"  # `/ticket`: everyone's command, routed to its own listener
AGENT, LEAD, EVERYONE = "agent", "lead", "everyone"
VERB_SHOWN = 30  # an unknown verb is echoed back (to its writer only) at most this long


@dataclass(frozen=True)
class Verb:
    """One thing the namespaced command does: who may, what it takes, what it is for."""

    name: str
    role: str  # AGENT, LEAD or EVERYONE
    takes: str  # the words after the verb, as usage shows them (a `P` phrase: translated)
    does: str  # one line for help
    note: str = ""  # said after the usage line


VERBS = {
    v.name: v
    for v in (
        Verb("claim", AGENT, "T-4", P("take a ticket")),
        Verb("reply", AGENT, P("T-4 your message to the requester"), P("answer in the requester's thread")),
        Verb("reassign", AGENT, P("T-4 @someone"), P("hand a ticket to another agent")),
        Verb("resolve", AGENT, P("T-4 what fixed it"), P("resolve a ticket"), P("(the note is optional)")),
        Verb(
            "wait",
            AGENT,
            P("T-4 your question"),
            P("ask the requester; the clock pauses"),
            P("(the question is optional)"),
        ),
        Verb(
            "priority",
            AGENT,
            "T-4 P1",
            P("change a ticket's priority"),
            P("(P1 Critical, P2 High, P3 Normal, P4 Low)"),
        ),
        Verb("move", AGENT, "T-4 Access", P("move a ticket to another area"), P("(one of the desk's areas)")),
        Verb("queue", AGENT, "", P("unclaimed and at-risk tickets, most urgent first")),
        Verb("similar", AGENT, "T-4", P("resolved tickets close to this one, and what solved them")),
        Verb(
            "link", AGENT, "T-31 T-12", P("handle T-31 with T-12: T-12's replies and resolution reach both")
        ),
        Verb("summary", AGENT, "T-4", P("a ticket's thread in a paragraph (when the desk has summaries)")),
        Verb("draft", AGENT, "T-4", P("a draft reply to edit, then send (when the desk has summaries)")),
        Verb("away", AGENT, "[2h | 17:00 | fri | 2026-12-24]", P("be away: new tickets go to the others")),
        Verb("back", AGENT, "", P("be back: new tickets come to you again")),
        Verb("quality", LEAD, "[team] [7d|30d|90d]", P("how the desk is doing")),
        Verb("help", EVERYONE, "", P("the verbs you may use")),
    )
}
ALIASES = ("claim", "reassign", "resolve", "priority", "quality")  # also registered as `/claim` …
TICKET_VERBS = frozenset({"claim", "reply", "reassign", "resolve", "wait", "priority", "move"})


@dataclass(frozen=True)
class Routed:
    """A slash command read: its verb (`ticket`, one of VERBS, or what the person wrote
    instead), the words after it, and how they called it (`/desk claim`, `/claim`) for
    usage lines."""

    verb: str
    text: str
    called: str

    @property
    def known(self) -> bool:
        return self.verb == TICKET or self.verb in VERBS


def route(name: str, sent: str) -> Routed:
    """`("/desk", "claim T-4")` and `("/claim", "T-4")` are both `Routed("claim", "T-4", …)`.

    `sent` is the text as Slack sends it. `/desk` is declared with `should_escape` (reassign
    needs the mention as `<@U…|name>`), so for every other verb Slack's tokens are turned back
    into what the person typed (`@name`, `#channel`, the link), as if it were not."""
    name = name.strip().lower()
    last = re.split(r"[-_]", name.lstrip("/"))[-1]
    if last == TICKET or (last in VERBS and last != "help"):
        verb, rest, called = last, sent, name
    else:
        first, rest = ([*sent.split(maxsplit=1), "", ""])[:2]  # any whitespace after the verb
        verb = unescape(first).lower()[:VERB_SHOWN] or "help"
        called = f"{name} {verb}" if first else name
    if verb not in (TICKET, "reassign"):
        rest = SLACK_TOKEN.sub(lambda token: people_as_names(tokens_as_words(token.group(0)), {}), rest)
    return Routed(verb, unescape(rest).strip(), called)


def usage(verb: str, called: str | None = None, words: Words = ENGLISH) -> str:
    """The usage line, in the words the person called it with."""
    found = VERBS[verb]
    typed = f"{called or f'{NAMESPACE} {verb}'} {words.t(found.takes)}".rstrip()
    note = words.t(found.note) if found.note else ""
    said = words.t("Usage: {command}", command=f"`{typed}`")
    return f"{said} {note}".rstrip()


def may_use(verb: Verb, *, agent: bool, lead: bool) -> bool:
    return verb.role == EVERYONE or (verb.role == AGENT and agent) or (verb.role == LEAD and lead)


def help_text(*, agent: bool, lead: bool, called: str = NAMESPACE, words: Words = ENGLISH) -> str:
    """The verbs this person may use, one a line, and `/ticket` for everyone."""
    base = called.split(" ")[0]
    lines = [
        f"• `{f'{base} {v.name} {words.t(v.takes)}'.rstrip()}`: {words.t(v.does)}"
        for v in VERBS.values()
        if v.name != "help" and may_use(v, agent=agent, lead=lead)
    ]
    raise_it = words.t("raise a request")
    wrong = words.t("[what's wrong]")
    ticket = f"• `/ticket {wrong}`: {raise_it}; `/ticket status T-4`, `/ticket list`"
    if not lines:
        others = words.t(
            "The other verbs of {command} are for the desk's agents and leads.", command=f"`{base}`"
        )
        return f"{ticket}\n{others}"
    return "\n".join([words.t("What you can do with {command}:", command=f"`{base}`"), *lines, ticket])


def unknown_verb(routed: Routed, *, agent: bool, lead: bool, words: Words = ENGLISH) -> str:
    """A friendly answer to a verb the desk does not know, listing those the person may use."""
    unknown = words.t("I don't know {command}.", command=f"`{routed.called}`")
    return f"{unknown}\n{help_text(agent=agent, lead=lead, called=routed.called, words=words)}"


def split_reference(text: str) -> tuple[str, str]:
    """`"T-4 some words"` → `("T-4", "some words")`; empty strings when missing."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def mentioned_user(text: str) -> str | None:
    """The user ID in a mention as Slack escapes it (`<@U123|name>` or `<@U123>`), else None."""
    match = MENTION.match(text.strip())
    return match.group(1) if match else None


class BadCommand(Exception):
    """The command's words are not what it takes; the message says what is wrong and how to write it."""


def _wrong(what: str, usage_line: str) -> str:
    return f"{what}\n{usage_line}"


@dataclass(frozen=True)
class AgentCommand:
    """One of TICKET_VERBS, read: the ticket reference and the rest (the new assignee for
    reassign, the words for resolve, reply, wait, priority and move). `name` is the verb as
    `bot.flows.agents` keys it (`/claim`)."""

    name: str
    reference: str
    assignee: str | None
    words: str


def read_agent_command(routed: Routed, words: Words = ENGLISH) -> AgentCommand:
    verb, said = routed.verb, usage(routed.verb, routed.called, words)
    reference, rest = split_reference(routed.text)
    if not reference:
        raise BadCommand(said)
    assignee = mentioned_user(rest) if verb == "reassign" else None
    if verb == "reassign" and assignee is None:
        raise BadCommand(_wrong(words.t("Name the new assignee with an @mention."), said))
    if verb == "reply" and not rest:
        raise BadCommand(_wrong(words.t("Write the message after the reference."), said))
    if verb == "priority" and rest.strip().upper() not in ("P1", "P2", "P3", "P4"):
        raise BadCommand(_wrong(words.t("Name the new priority: P1, P2, P3 or P4."), said))
    if verb == "move" and not rest:
        raise BadCommand(_wrong(words.t("Name the area to move it to."), said))
    return AgentCommand(f"/{verb}", reference, assignee, rest)

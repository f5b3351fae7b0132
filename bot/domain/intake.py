"""The intake conversation, written as data (in the spirit of python-telegram-bot's
`ConversationHandler`): entry points, a step per state, fallbacks and a timeout.

Each step takes the draft and what the person did, and returns a `Turn`: the draft as it now
stands (its `stage` is the next state) and what the desk should say. Pure: no Slack, no store,
`now` passed in. The flow is drawn in `docs/intake.md`.

    entry (DM, @mention, /ticket text, shortcut) ──▶ CATEGORY ──▶ URGENCY ──▶ OPENED
    URGENCY ──(answers found, not P1)──▶ SUGGESTED ──▶ ANSWERED ("This solved it") | OPENED
    "cancel" / Cancel button, from any state ──▶ CANCELLED;  a day untouched ──▶ EXPIRED

With request types (`[[team.request_type]]`) the DM, a mention and `/ticket text` first ask
which type (TYPE): "Something else" goes on as above; a type with form fields waits for its
form (FORM, a modal opened from the button: Slack's inputs for a person, a date, a choice);
a type without fields, or its form sent, is raised at once (OPENED: a ticket, or a request
held for approval).

    entry ──(types)──▶ TYPE ──("Something else")──▶ CATEGORY …
                       TYPE ──(type with fields)──▶ FORM ──(form sent)──▶ OPENED
                       TYPE ──(type without fields)──▶ OPENED
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.priority import Priority

TIMEOUT = timedelta(days=1)
CANCEL_WORDS = frozenset({"cancel", "stop", "never mind", "nevermind", "forget it", "abort"})


class Stage(StrEnum):
    TYPE = "type"  # waiting for a request type button (a desk with types)
    FORM = "form"  # waiting for the chosen type's form to be sent
    CATEGORY = "category"  # waiting for a category button
    URGENCY = "urgency"  # waiting for an urgency button
    SUGGESTED = "suggested"  # answers shown (issue 39): waiting for "This solved it" or "I still need help"
    OPENED = "opened"  # over: the ticket is open
    ANSWERED = "answered"  # over: a suggested answer solved it, no ticket was opened
    CANCELLED = "cancelled"  # over: the person said cancel
    EXPIRED = "expired"  # over: untouched for TIMEOUT

    @property
    def over(self) -> bool:
        return self in (Stage.OPENED, Stage.CANCELLED, Stage.EXPIRED, Stage.ANSWERED)


class Say(StrEnum):
    """What the desk answers after a step; the Slack side words it."""

    ASK_TYPE = "ask_type"
    OPEN_FORM = "open_form"  # the chosen type's form: opened, and the question says so
    RAISE_TYPE = "raise_type"  # the type's answers are in: raise it now (a ticket, or held)
    ASK_CATEGORY = "ask_category"
    ASK_URGENCY = "ask_urgency"
    ADDED = "added"  # more words added to the request; the question still stands
    WAITING = "waiting"  # words written before the question reached the person: kept aside
    NOT_A_CHOICE = "not_a_choice"  # a button value that is not one of the choices
    OPEN_TICKET = "open_ticket"  # all answers are in: open the ticket now
    SUGGEST = "suggest"  # show the answers the knowledge base found
    ANSWERED = "answered"  # one of them solved it: no ticket
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Suggestion:
    """An answer shown before the ticket opens: a resolved ticket, saved reply or article."""

    id: str  # the knowledge base's entry id ("ticket:12", "reply:vpn", "article:vpn.md")
    title: str
    answer: str


@dataclass(frozen=True)
class Draft:
    """A half-finished request, kept per person and conversation until it ends."""

    id: str
    person: str
    channel: str  # where the conversation happens
    thread: str | None  # the thread it happens in (mentions), None at the top of a DM
    via: str  # dm, mention, command, shortcut
    text: str
    stage: Stage
    started_at: datetime
    touched_at: datetime
    category: str | None = None
    priority: Priority | None = None
    prompt: str | None = None  # the message holding the buttons, updated as the draft moves on
    ticket: int | None = None  # set once the ticket is open
    aside: tuple[str, ...] = ()  # words written before the question was shown (not the request)
    for_person: str | None = None  # raised for someone else (their message, with the shortcut)
    source: str | None = None  # the message it was made from ("channel:ts")
    suggested: tuple[Suggestion, ...] = ()  # answers shown before the ticket opened
    solved_by: str | None = None  # the suggestion's id that solved it (stage ANSWERED)
    kind: str | None = None  # the request type chosen (its value among the desk's types)

    @property
    def key(self) -> str:
        return conversation_key(self.person, self.channel, self.thread)

    def expired(self, now: datetime) -> bool:
        return not self.stage.over and now - self.touched_at > TIMEOUT


def conversation_key(person: str, channel: str, thread: str | None) -> str:
    """One intake at a time per person and conversation (a DM, or one thread)."""
    return f"{person}:{channel}:{thread or '-'}"


# -- what a person can do in the conversation -----------------------------------------------
@dataclass(frozen=True)
class Said:
    text: str


@dataclass(frozen=True)
class Chose:
    question: Stage  # which question the button answered
    value: str


@dataclass(frozen=True)
class Cancelled:
    """The Cancel button."""


Input = Said | Chose | Cancelled


@dataclass(frozen=True)
class Context:
    now: datetime
    categories: tuple[str, ...]
    suggestions: tuple[Suggestion, ...] = ()  # what the knowledge base has for the request
    types: Mapping[str, bool] = field(default_factory=dict)  # request types offered: has form fields


@dataclass(frozen=True)
class Turn:
    draft: Draft
    say: Say


Step = Callable[[Draft, Input, Context], Turn]


@dataclass(frozen=True)
class Route:
    """A step and the inputs it takes."""

    accepts: Callable[[Input], bool]
    step: Step


# -- the steps ---------------------------------------------------------------------------------
OTHER_TYPE = "other"  # "Something else": a request of no particular type


def start(draft: Draft, ctx: Context) -> Turn:
    """Every entry point: the request's words are in; ask which type (a desk with types, for
    the person's own request), else for a category (unless there is one)."""
    if ctx.types and not draft.for_person:
        return Turn(replace(draft, stage=Stage.TYPE), Say.ASK_TYPE)
    return _ask_area(draft, ctx)


def _ask_area(draft: Draft, ctx: Context) -> Turn:
    if len(ctx.categories) == 1:
        return Turn(replace(draft, category=ctx.categories[0], stage=Stage.URGENCY), Say.ASK_URGENCY)
    return Turn(replace(draft, stage=Stage.CATEGORY), Say.ASK_CATEGORY)


def choose_type(draft: Draft, event: Input, ctx: Context) -> Turn:
    """A type with form fields waits for its form; one without is raised now; "Something
    else" goes on as a request of no type (area, then urgency)."""
    assert isinstance(event, Chose)
    if event.value == OTHER_TYPE:
        return _ask_area(_touch(draft, ctx), ctx)
    if event.value not in ctx.types:
        return Turn(draft, Say.NOT_A_CHOICE)
    if ctx.types[event.value]:
        return Turn(_touch(draft, ctx, kind=event.value, stage=Stage.FORM), Say.OPEN_FORM)
    return Turn(_touch(draft, ctx, kind=event.value, stage=Stage.OPENED), Say.RAISE_TYPE)


SENT, OPEN = "sent", "open"  # the FORM stage's inputs: the form was sent; open it again


def form_step(draft: Draft, event: Input, ctx: Context) -> Turn:
    """The type's form sent: raise the request. "Open the form" again: the question stands."""
    assert isinstance(event, Chose)
    if event.value == SENT:
        return Turn(_touch(draft, ctx, stage=Stage.OPENED), Say.RAISE_TYPE)
    if event.value == OPEN:
        return Turn(_touch(draft, ctx), Say.OPEN_FORM)
    return Turn(draft, Say.NOT_A_CHOICE)


def choose_category(draft: Draft, event: Input, ctx: Context) -> Turn:
    assert isinstance(event, Chose)
    if event.value not in ctx.categories:
        return Turn(draft, Say.NOT_A_CHOICE)
    return Turn(_touch(draft, ctx, category=event.value, stage=Stage.URGENCY), Say.ASK_URGENCY)


def choose_urgency(draft: Draft, event: Input, ctx: Context) -> Turn:
    assert isinstance(event, Chose)
    if event.value not in Priority.__members__:
        return Turn(draft, Say.NOT_A_CHOICE)
    priority = Priority(event.value)
    if ctx.suggestions and priority is not Priority.P1:  # never make someone with an outage read first
        changed = _touch(draft, ctx, priority=priority, stage=Stage.SUGGESTED, suggested=ctx.suggestions)
        return Turn(changed, Say.SUGGEST)
    return Turn(_touch(draft, ctx, priority=priority, stage=Stage.OPENED), Say.OPEN_TICKET)


SOLVED, STILL_NEED_HELP, FOLLOW = "solved", "help", "follow"


def choose_suggestion(draft: Draft, event: Input, ctx: Context) -> Turn:
    """ "This solved it" (value `solved:<suggestion id>`) ends the request without a ticket;
    "I still need help" opens it, with what was suggested in its trail; "Yes, follow it"
    (`follow:incident:<n>`) opens it linked to that open incident."""
    assert isinstance(event, Chose)
    verdict, _, which = event.value.partition(":")
    if verdict == SOLVED and which in {s.id for s in draft.suggested}:
        return Turn(_touch(draft, ctx, stage=Stage.ANSWERED, solved_by=which), Say.ANSWERED)
    if verdict == FOLLOW and which in {s.id for s in draft.suggested}:  # the same as an open incident
        return Turn(_touch(draft, ctx, stage=Stage.OPENED, solved_by=which), Say.OPEN_TICKET)
    if verdict == STILL_NEED_HELP:
        return Turn(_touch(draft, ctx, stage=Stage.OPENED), Say.OPEN_TICKET)
    return Turn(draft, Say.NOT_A_CHOICE)


def add_words(draft: Draft, event: Input, ctx: Context) -> Turn:
    """More typed while a question is open: it belongs to the request. Typed before the
    question reached the person (Slack was away), it is most likely "did you get my
    message?": it is kept aside, for the ticket's trail, not glued onto the request."""
    assert isinstance(event, Said)
    if draft.prompt is None:
        return Turn(_touch(draft, ctx, aside=(*draft.aside, event.text)), Say.WAITING)
    return Turn(_touch(draft, ctx, text=f"{draft.text}\n{event.text}"), Say.ADDED)


def cancel(draft: Draft, event: Input, ctx: Context) -> Turn:
    return Turn(_touch(draft, ctx, stage=Stage.CANCELLED), Say.CANCELLED)


def _touch(draft: Draft, ctx: Context, **changes: object) -> Draft:
    return replace(draft, touched_at=ctx.now, **changes)  # type: ignore[arg-type]


def is_cancel(event: Input) -> bool:
    if isinstance(event, Cancelled):
        return True
    return isinstance(event, Said) and event.text.strip().lower().rstrip(".!") in CANCEL_WORDS


def _answers(question: Stage) -> Callable[[Input], bool]:
    return lambda event: isinstance(event, Chose) and event.question is question


def _words(event: Input) -> bool:
    return isinstance(event, Said) and not is_cancel(event)


@dataclass(frozen=True)
class Conversation:
    entry_points: Mapping[str, Callable[[Draft, Context], Turn]]
    states: Mapping[Stage, tuple[Route, ...]]
    fallbacks: tuple[Route, ...]
    timeout: timedelta

    def begin(self, draft: Draft, ctx: Context) -> Turn:
        return self.entry_points[draft.via](draft, ctx)

    def handle(self, draft: Draft, event: Input, ctx: Context) -> Turn | None:
        """The next turn, or None when the input means nothing in the draft's state
        (a second click on a button already answered, a click on a finished request)."""
        if draft.stage.over:
            return None
        if ctx.now - draft.touched_at > self.timeout:
            return Turn(replace(draft, stage=Stage.EXPIRED), Say.EXPIRED)
        for route in (*self.states.get(draft.stage, ()), *self.fallbacks):
            if route.accepts(event):
                return route.step(draft, event, ctx)
        return None


INTAKE = Conversation(
    entry_points={"dm": start, "mention": start, "command": start, "shortcut": start},
    states={
        Stage.TYPE: (Route(_answers(Stage.TYPE), choose_type), Route(_words, add_words)),
        Stage.FORM: (Route(_answers(Stage.FORM), form_step), Route(_words, add_words)),
        Stage.CATEGORY: (Route(_answers(Stage.CATEGORY), choose_category), Route(_words, add_words)),
        Stage.URGENCY: (Route(_answers(Stage.URGENCY), choose_urgency), Route(_words, add_words)),
        Stage.SUGGESTED: (Route(_answers(Stage.SUGGESTED), choose_suggestion), Route(_words, add_words)),
    },
    fallbacks=(Route(is_cancel, cancel),),
    timeout=TIMEOUT,
)

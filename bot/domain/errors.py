"""Domain errors carry a typed reason a person can read, rendered in their language at the edge.

A refusal is its reason (the English sentence, which is also its id in the catalogue: see
`bot/i18n.py`) and the values that fill it in. The domain never writes a sentence for one
reader: `render` looks the reason up in the reader's `Words` and fills it afterwards, so a
translation may put the values where its own grammar wants them. `{ref}` (the ticket's reference)
and `{person}` (someone's name) are filled by the adapter's own formats, so the domain never
needs to know the ticket prefix or how Slack shows a user; a value that is itself a `Phrase`
(`doing` in "Only the desk's agents can {doing}.") is translated too.

The reasons are extracted for the catalogue from the error classes' first argument and from
`Phrase(...)` (the keywords in `babel.cfg`'s command), so they must be plain literals.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.i18n import Words


class Phrase(str):
    """A part of a sentence kept in the catalogue, translated when the sentence is rendered."""

    __slots__ = ()


class Typed(str):
    """Words a person typed, carried as they wrote them: the adapter shows them safely (`render`'s
    `typed`), so the domain never escapes for one medium."""

    __slots__ = ()


def literal(text: str) -> str:
    """`text` to appear as written in a reason that `render` fills in (braces doubled); only for
    reasons built before they were typed: values passed as parameters need nothing."""
    return text.replace("{", "{{").replace("}", "}}")


class DeskError(Exception):
    """Something the user asked for cannot be done; the reason says why, kindly."""

    def __init__(
        self, reason: str, *, ticket: int | None = None, person: str | None = None, **values: object
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.template = reason  # the name it had before reasons were typed
        self.ticket = ticket
        self.person = person
        self.values = values

    def __str__(self) -> str:
        """The reason in English with its values, `{ref}` and `{person}` left for the adapter
        (as a log line or a test reads it)."""
        try:
            return self.reason.format(ref="{ref}", person="{person}", **self.values)
        except (KeyError, IndexError, ValueError):
            return self.reason

    def render(
        self,
        ref: Callable[[int], str],
        name: Callable[[str], str],
        words: "Words | None" = None,
        typed: Callable[[str], str] = str,
    ) -> str:
        """The reason in `words`' language (English when not given), `{ref}` and `{person}`
        filled in by the caller's own formats, and what a person typed (`Typed`) shown by
        `typed`."""
        if words is None:
            from bot.i18n import ENGLISH

            words = ENGLISH
        values = {k: _shown(v, words, typed) for k, v in self.values.items()}
        return words.t(
            self.reason,
            ref=ref(self.ticket) if self.ticket is not None else words.t("this ticket"),
            person=name(self.person) if self.person is not None else words.t("someone"),
            **values,
        )


class TicketNotFound(DeskError):
    """No such ticket, or one the asker may not see: the two must answer alike."""

    def __init__(self, number: int) -> None:
        super().__init__(Phrase("I can't find {ref}. Check the number, or say “my tickets”."), ticket=number)


class TicketArchived(DeskError):
    """The ticket was resolved long ago and now lives in the archive: it can be read, not changed."""

    def __init__(self, number: int) -> None:
        super().__init__(
            Phrase(
                "{ref} was resolved long ago and is archived, so it can't change any more. "
                "To take it up again, open a new request and mention {ref}."
            ),
            ticket=number,
        )


class TransitionNotAllowed(DeskError):
    """The ticket's state does not allow this step (e.g. resolving a resolved ticket)."""


class NotPermitted(DeskError):
    """The person's role does not allow this action."""


class BadReference(DeskError):
    """Text that should name a ticket does not."""


def _shown(value: object, words: "Words", typed: Callable[[str], str]) -> object:
    """A value as `render` fills it in: a `Phrase` translated, typed words shown by `typed`."""
    if isinstance(value, Phrase):
        return words.t(value)
    return typed(value) if isinstance(value, Typed) else value

"""Domain errors carry a sentence a person can read; adapters fill in references and names.

A message may hold `{ref}` (the ticket's reference) and `{person}` (someone's name), so the
domain never needs to know the ticket prefix or how Slack shows a user.
"""

from collections.abc import Callable


def literal(text: str) -> str:
    """`text` to appear as written in a message that `render` fills in (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


class DeskError(Exception):
    """Something the user asked for cannot be done; the message says why, kindly."""

    def __init__(self, message: str, *, ticket: int | None = None, person: str | None = None):
        super().__init__(message)
        self.template = message
        self.ticket = ticket
        self.person = person

    def render(self, ref: Callable[[int], str], name: Callable[[str], str]) -> str:
        """The message with `{ref}` and `{person}` filled in by the caller's own formats."""
        return self.template.format(
            ref=ref(self.ticket) if self.ticket is not None else "this ticket",
            person=name(self.person) if self.person is not None else "someone",
        )


class TicketNotFound(DeskError):
    """No such ticket, or one the asker may not see: the two must answer alike."""

    def __init__(self, number: int) -> None:
        super().__init__("I can't find {ref}. Check the number, or say “my tickets”.", ticket=number)


class TicketArchived(DeskError):
    """The ticket was resolved long ago and now lives in the archive: it can be read, not changed."""

    def __init__(self, number: int) -> None:
        super().__init__(
            "{ref} was resolved long ago and is archived, so it can't change any more. "
            "To take it up again, open a new request and mention {ref}.",
            ticket=number,
        )


class TransitionNotAllowed(DeskError):
    """The ticket's state does not allow this step (e.g. resolving a resolved ticket)."""


class NotPermitted(DeskError):
    """The person's role does not allow this action."""


class BadReference(DeskError):
    """Text that should name a ticket does not."""

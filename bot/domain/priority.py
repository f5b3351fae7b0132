"""Priorities P1 (critical) .. P4 (low), each with the word people see on the buttons."""

from enum import StrEnum


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def word(self) -> str:
        """The plain word shown beside the code: Critical, High, Normal, Low."""
        return _WORDS[self]

    @property
    def label(self) -> str:
        """`P1 · Critical`: how a priority is shown to people."""
        return f"{self.value} · {self.word}"


_WORDS = {
    Priority.P1: "Critical",
    Priority.P2: "High",
    Priority.P3: "Normal",
    Priority.P4: "Low",
}

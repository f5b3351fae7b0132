"""Names of the desk's things (priorities, ticket states) in the reader's language."""

from __future__ import annotations

from bot.domain.priority import Priority
from bot.i18n import ENGLISH, Words


def priority_word(priority: Priority, words: Words = ENGLISH) -> str:
    """`Critical`, `High`, `Normal`, `Low` (`紧急`, …)."""
    said = {
        Priority.P1: words.t("Critical"),
        Priority.P2: words.t("High"),
        Priority.P3: words.t("Normal"),
        Priority.P4: words.t("Low"),
    }
    return said[priority]


def priority_label(priority: Priority, words: Words = ENGLISH) -> str:
    """`P1 · Critical`: how a priority is shown to people (the P-number is the same word in
    every language: it is what `/desk priority T-4 P1` takes)."""
    return f"{priority.value} · {priority_word(priority, words)}"

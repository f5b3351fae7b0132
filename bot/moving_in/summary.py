"""What an import says: the counts an operator checks before and after (pure text)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from bot.moving_in.importer import Tally
from bot.moving_in.people import People

PROBLEMS_SHOWN = 10


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _counts(counter: Counter[str]) -> str:
    return (
        " · ".join(f"{name} {n}" for name, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
        or "none"
    )


def report(
    source: str,
    file: str,
    tally: Tally,
    people: People,
    ref: Callable[[int], str],
    *,
    dry_run: bool,
    skip_bad: bool = False,
) -> str:
    """The dry run's forecast, or what the import did."""
    tickets = tally.new + tally.same + tally.updated + tally.kept
    if dry_run:
        head = f"Dry run: {file} ({source}) holds {tickets} ticket{_s(tickets)}; nothing was written."
        done = f"would import {tally.new} new, {tally.updated} changed since; {tally.same} already here"
    else:
        numbers = f" as {ref(tally.numbers[0])}..{ref(tally.numbers[1])}" if tally.numbers else ""
        head = (
            f"Imported {tally.new} new ticket{'s' if tally.new != 1 else ''} from {file} ({source}){numbers}."
        )
        done = f"{tally.updated} changed since the last import, made again; {tally.same} here already" + (
            f"; {tally.kept} changed there, kept as they are here (worked here since, or archived)"
            if tally.kept
            else ""
        )
    lines = [
        head,
        done,
        f"by state:    {_counts(tally.by_state)}",
        f"by team:     {_counts(tally.by_team)}",
        f"by area:     {_counts(tally.by_area)}",
        f"by priority: {_counts(tally.by_priority)}",
        f"people:      {len(people.matched)} in Slack · {len(people.unmatched)} kept by name, not messaged",
    ]
    if people.unmatched:
        shown = ", ".join(people.unmatched[:10]) + (" …" if len(people.unmatched) > 10 else "")
        lines.append(f"  not in Slack: {shown}")
    if tally.no_area:
        lines.append(f"areas the desk has not (put in the first area): {_counts(tally.no_area)}")
    if tally.unplaced:
        lines.append(f"fields with no home here (not kept): {_counts(tally.unplaced)}")
    if tally.problems:
        left = "left out" if not dry_run or skip_bad else "that cannot be read: nothing would be written"
        lines.append(f"rows {left} ({len(tally.problems)}):")
        lines += [f"  {problem}" for problem in tally.problems[:PROBLEMS_SHOWN]]
    return "\n".join(lines) + "\n"


def announcement(source: str, tally: Tally, people: People, ref: Callable[[int], str]) -> str:
    """The one message the leads get about an import (`--announce`)."""
    still_open = sum(n for state, n in tally.by_state.items() if state != "resolved")
    numbers = f" ({ref(tally.numbers[0])} to {ref(tally.numbers[1])})" if tally.numbers else ""
    return (
        f":inbox_tray: {tally.new} tickets moved in from {source}{numbers}; {still_open} of them are "
        f"open and in the queue with their real age. {len(people.matched)} people were found in Slack, "
        f"{len(people.unmatched)} are kept by name and will not be messaged."
    )

"""The listeners keep their shape (issue 36): no function in `handlers/` is over LONGEST lines,
and a domain refusal (`DeskError` or a subclass) ends at `handlers/errors.py`, the one error
path, unless a listener answers it somewhere the error path cannot (listed below, with why).
Read from the source with `ast`; the names an `except` catches are looked up in the module.
A listener class runs alone, outside Bolt, with a desk and an `ack`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot.domain.errors import DeskError
from bot.slack.intake_blocks import IntakeIds
from handlers.errors import listener_failed
from handlers.intake import IntakeListeners
from handlers.summaries import SummaryListeners
from tests.harness import ALICE, ERIN, TRIAGE, running_desk

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
LONGEST = 60  # lines, from `def` to the function's last line (decorators not counted)
WHOLE_MODULE = "*"

# (module, function) -> why its `except DeskError` stays. WHOLE_MODULE stands for every function.
MAY_CATCH = {
    ("home.py", "on_away_switch"): "the Home is the answer: a refused switch is logged, nobody is DMed",
    ("summaries.py", "on_summarise"): "answered in the Details modal, where the button was",
    ("agents.py", "on_command"): "a reference that cannot be read is answered in the ack, with the usage",
}


def _modules() -> list[Path]:
    return sorted(HANDLERS.glob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _resolve(node: ast.expr, module: ModuleType) -> object:
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, module), node.attr, None)
    return None


def _catches_refusal(handler: ast.ExceptHandler, module: ModuleType) -> bool:
    if handler.type is None:
        return False  # a bare except is its own problem (ruff refuses it)
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for name in caught:
        found = _resolve(name, module)
        if isinstance(found, type) and issubclass(found, DeskError):
            return True
    return False


def test_no_handler_function_is_over_60_lines() -> None:
    long = [
        f"handlers/{path.name}: {f.name} is {f.end_lineno - f.lineno + 1} lines"
        for path in _modules()
        for f in _functions(ast.parse(path.read_text()))
        if f.end_lineno is not None and f.end_lineno - f.lineno + 1 > LONGEST
    ]
    assert not long, f"over {LONGEST} lines (split it into listener methods):\n" + "\n".join(long)


def _innermost(path: Path) -> set[tuple[str, str]]:
    """The refusal catches of `path`, each named by the innermost function holding it (a nested
    listener, not the `register` around it)."""
    module = importlib.import_module(f"handlers.{path.stem}")
    tree = ast.parse(path.read_text())
    found = set()
    for function in _functions(tree):
        nested = {id(n) for inner in _functions(function) if inner is not function for n in ast.walk(inner)}
        for node in ast.walk(function):
            if id(node) in nested:
                continue
            if isinstance(node, ast.ExceptHandler) and _catches_refusal(node, module):
                found.add((path.name, function.name))
    return found


def _allowed(where: tuple[str, str]) -> bool:
    return where in MAY_CATCH or (where[0], WHOLE_MODULE) in MAY_CATCH


def test_refusals_end_at_the_one_error_path() -> None:
    caught = set().union(*(_innermost(p) for p in _modules() if p.name != "errors.py"))
    stray = sorted(f"handlers/{m}: {f}" for m, f in caught if not _allowed((m, f)))
    assert not stray, (
        "a handler catches DeskError; let it end at handlers/errors.py, or list it in MAY_CATCH "
        "with why:\n" + "\n".join(stray)
    )


def test_every_allowed_catch_is_still_there() -> None:
    """The list shrinks with the code: an entry whose catch is gone is removed."""
    caught = set().union(*(_innermost(p) for p in _modules()))
    stale = sorted(
        f"{m}: {f}"
        for m, f in MAY_CATCH
        if ((m, f) not in caught if f != WHOLE_MODULE else not any(c[0] == m for c in caught))
    )
    assert not stale, "no longer catches DeskError; take it out of MAY_CATCH:\n" + "\n".join(stale)


def _handler(source: str) -> ast.ExceptHandler:
    return next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ExceptHandler))


def test_the_walk_sees_a_catch() -> None:
    """The check itself: DeskError or a subclass, caught alone, in a tuple or through a module's
    name, is seen; another exception is not."""
    similar = importlib.import_module("handlers.similar")  # imports TicketNotFound, a DeskError
    seen = {
        "TicketNotFound": similar,
        "(KeyError, TicketNotFound)": similar,
        "errors.DeskError": _Fake(),
    }
    for caught, module in seen.items():
        assert _catches_refusal(_handler(f"try:\n    pass\nexcept {caught}:\n    pass"), module), caught
    assert not _catches_refusal(_handler("try:\n    pass\nexcept KeyError:\n    pass"), similar)


class _Fake(ModuleType):
    """A module that imported `bot.domain.errors` as `errors` (an attribute, not a name)."""

    def __init__(self) -> None:
        super().__init__("fake")
        self.errors = importlib.import_module("bot.domain.errors")


class Ack:
    """Bolt's `ack` as a listener sees it: what it was given, and whether it was (`response`)."""

    def __init__(self) -> None:
        self.response: dict[str, Any] | None = None

    async def __call__(self, **given: Any) -> None:
        self.response = given


async def test_a_listener_runs_alone_and_its_refusal_ends_at_the_error_path() -> None:
    """SummaryListeners outside Bolt: a non-agent's `/desk summary T-1` raises its refusal, and
    the one error path answers it in the ack, in the words the listener used to write itself."""
    async with running_desk() as run:
        desk = run.desk.desk
        listeners = SummaryListeners(desk, run.desk.summaries)
        command = {"command": "/desk", "text": "summary T-1", "user_id": ERIN, "channel_id": TRIAGE}
        ack = Ack()
        with pytest.raises(DeskError) as refused:
            await listeners.on_summary(ack, command)
        assert ack.response is None  # not acked: the error path's answer is the ack
        await listener_failed(desk)(refused.value, command, ack)
        assert ack.response == {"text": await desk.explain_to(ERIN, refused.value)}
        assert "agents" in ack.response["text"]


async def test_a_form_listener_runs_alone() -> None:
    """IntakeListeners outside Bolt: an empty /ticket form is answered in the modal's errors."""
    async with running_desk() as run:
        listeners = IntakeListeners(run.desk.desk, run.desk.intake)
        ack = Ack()
        await listeners.on_form(ack, {"user": {"id": ALICE}}, {"id": "V1", "state": {"values": {}}})
        assert ack.response is not None and ack.response["response_action"] == "errors"
        assert set(ack.response["errors"]) == {
            IntakeIds.FORM_TEXT,
            IntakeIds.FORM_CATEGORY,
            IntakeIds.FORM_URGENCY,
        }

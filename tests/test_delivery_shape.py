"""The outbox's middle keeps its shape (issue 36, "one shape for the middle"): a message goes from the
outbox to Slack without climbing back up to a feature. The one road to Slack, `bot/delivery/` (the
outbox, its deliveries, parking, storm folding, the renderers), imports no feature flow
(`bot.flows.*`), read from the source with `ast`; every kind of owed message
(`bot.domain.owed.Message`) has its renderer in the registry; renderers never write the store nor
call Slack; and every name a `Post` is owed with to `remember` its place is one `bot.delivery.kept`
knows."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

from bot.delivery.kept import Kept, kept_of
from bot.delivery.renderers import RENDERERS
from bot.domain.owed import Message

ROOT = Path(__file__).resolve().parent.parent
DELIVERY = ROOT / "bot" / "delivery"
CHECKED = sorted(DELIVERY.glob("*.py"))  # the outbox, its deliveries, parking, storms, renderers
DRAWING_ONLY = [DELIVERY / "renderers.py", DELIVERY / "drawing.py", DELIVERY / "places.py"]

# bot.flows.* modules these may import, each with why. None today: what needs a feature comes
# in as `bot.delivery.renderers.Features`, wired by the composition root (`bot.app`).
MAY_IMPORT: dict[str, str] = {}


def _imported(path: Path) -> set[str]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    return _imports_of(path.read_text(encoding="utf-8"), package)


def _imports_of(source: str, package: str) -> set[str]:
    """Every module the source imports, anywhere in it (top level, functions, TYPE_CHECKING),
    relative imports resolved, `from bot import flows` counted as `bot.flows`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_flow(module: str) -> bool:
    return module == "bot.flows" or module.startswith("bot.flows.")


def test_deliveries_and_renderers_import_no_feature_flow() -> None:
    assert CHECKED[1:], "the renderers' package is where it was"
    climbs = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in CHECKED
        for module in _imported(path)
        if _is_flow(module) and module not in MAY_IMPORT and module != "bot.flows"
    }
    bare = {  # `from bot import flows` or `import bot.flows` itself
        str(path.relative_to(ROOT))
        for path in CHECKED
        if "bot.flows" in _imported(path) and "bot.flows" not in MAY_IMPORT
    }
    assert not climbs and not bare, (
        "the outbox's drawing climbs up to a feature; hand what it needs in through "
        f"`Features` (bot.app.delivery_features) instead: {sorted(climbs | bare)}"
    )


def test_the_check_sees_a_climb() -> None:
    """The import walk finds each way of naming a flow (so an empty result above means none)."""
    sample = (
        "from bot.flows.home import Homes\nimport bot.flows.links\nfrom bot import flows\n"
        "def f():\n    from ..flows import report\n"
    )
    modules = _imports_of(sample, "bot.delivery")
    assert {"bot.flows.home", "bot.flows.links", "bot.flows", "bot.flows.report"} <= modules


def test_every_owed_message_has_a_renderer() -> None:
    kinds = set(get_args(Message))
    assert kinds, "bot.domain.owed.Message is a union of the owed messages"
    missing = sorted(kind.__name__ for kind in kinds - RENDERERS.keys())
    assert not missing, f"owed messages with no renderer in bot.delivery.renderers: {missing}"
    stale = sorted(kind.__name__ for kind in RENDERERS.keys() - kinds)
    assert not stale, f"renderers of no owed message: {stale}"


def test_renderers_neither_write_the_store_nor_call_slack() -> None:
    writes = {"put", "put_once", "delete", "drop", "save_ticket", "transaction", "owe", "strike"}
    found = []
    for path in DRAWING_ONLY:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and (node.attr == "slack" or node.attr in writes):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not found, f"renderers draw: no Slack, no store writes: {found}"


def test_every_remembered_place_is_typed() -> None:
    """Each name a flow owes a `Post` with (`remember=("rating", n)`, `remember="resolution"`
    through `owed.to_requester`) reads as one of the typed places `bot.delivery.kept` records."""
    pattern = re.compile(r"remember=\(?\s*\"(\w+)\"")
    named = {
        match.group(1)
        for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    }
    assert {"origin", "rating", "resolution", "confirmation", "approval_dm"} <= named
    untyped = sorted(name for name in named if kept_of((name, 1)) is None and kept_of((name, "r:U1")) is None)
    assert not untyped, f"places remembered by a name bot.delivery.kept does not type: {untyped}"
    assert all(isinstance(kept_of((name, 1)) or kept_of((name, "r:U1")), get_args(Kept)) for name in named)

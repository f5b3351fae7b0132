"""The flows keep their shape (issue 36: "`bot/flows/` holds no Slack call and no user-facing
string"). Read from the source with `ast`:

- no flow holds the Slack gateway: no `….slack` attribute (`desk.slack`, `self.slack`), no
  `slack.…` call, no import of `bot.slack.gateway`. A flow asks Slack through the ports the
  desk gives it (`bot.ports`: `desk.directory`, `desk.messages`) and posts through the outbox;
- no string literal is handed to something that sends a message (a gateway method, an owed
  message such as `Post`): what a person reads is drawn by `bot.slack`'s builders from the
  catalogue (`bot.i18n`), in the reader's language.

What may stay is listed below, with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

FLOWS = Path(__file__).resolve().parent.parent / "bot" / "flows"
GATEWAY = "bot.slack.gateway"
WHOLE_MODULE = "*"

# (module, what) -> why it stays. WHOLE_MODULE stands for everything in the module.
MAY_HOLD_SLACK: dict[tuple[str, str], str] = {
    # none: the outbox, the one road to Slack, lives in bot/delivery/ with its deliveries
}

# The names of what sends a message: the gateway's methods and the owed messages' kinds.
SENDS = frozenset(
    {"post", "dm", "respond", "whisper", "update", "replace_clicked", "upload", "Post", "Edit", "Prompt"}
)


def _modules() -> list[Path]:
    return sorted(FLOWS.glob("*.py"))


def _chain(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST:
    """The whole attribute chain `node` is part of (`self.desk.slack.post`, not `self.desk`)."""
    while isinstance(parent := parents.get(node), ast.Attribute) and parent.value is node:
        node = parent
    return node


def slack_held(source: str) -> list[str]:
    """Where a module holds the gateway, each as written (`desk.slack.post`, an import)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "slack":  # desk.slack, self.slack
            found.append(ast.unparse(_chain(node, parents)))
        elif (
            isinstance(node, ast.Name) and node.id == "slack" and isinstance(parents.get(node), ast.Attribute)
        ):  # a gateway handed in as `slack`: slack.post(...)
            found.append(ast.unparse(_chain(node, parents)))
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = [alias.name for alias in node.names]
            if node.module == GATEWAY or (node.module == "bot.slack" and "gateway" in names):
                found.append(f"from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            found.extend(f"import {a.name}" for a in node.names if a.name.startswith(GATEWAY))
    return sorted(set(found))


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_words(node: ast.expr) -> bool:
    """A string literal with something to read in it (an f-string's literal part counts)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_words(part) for part in node.values if isinstance(part, ast.Constant))
    return False


def words_sent(source: str) -> list[str]:
    """The calls of `source` that hand a string literal to something that sends a message."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called(node) in SENDS:
            given = [*node.args, *(k.value for k in node.keywords)]
            if any(_is_words(arg) for arg in given):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def _allowed(module: str, what: str) -> bool:
    return (module, WHOLE_MODULE) in MAY_HOLD_SLACK or (module, what) in MAY_HOLD_SLACK


def test_no_flow_holds_the_slack_gateway() -> None:
    held = [
        f"bot/flows/{path.name}: {what}"
        for path in _modules()
        for what in slack_held(path.read_text())
        if not _allowed(path.name, what)
    ]
    assert not held, (
        "a flow asks Slack through the desk's ports (bot.ports: desk.directory, desk.messages)"
        " and posts through the outbox, never through the gateway:\n" + "\n".join(held)
    )


def test_no_flow_sends_words_of_its_own() -> None:
    said = [f"bot/flows/{path.name}, {call}" for path in _modules() for call in words_sent(path.read_text())]
    assert not said, (
        "what a person reads comes from the catalogue (bot.i18n, drawn by bot.slack's builders),"
        " not from a string in a flow:\n" + "\n".join(said)
    )


def test_the_checks_find_what_they_look_for() -> None:
    """Each check fails on the thing it forbids (so a passing check means something)."""
    flow = "async def tell(desk, self, slack, person):\n"
    assert slack_held(flow + "    await desk.slack.post('C1', text)\n") == ["desk.slack.post"]
    assert slack_held(flow + "    await self.desk.slack.display_name(person)\n") == [
        "self.desk.slack.display_name"
    ]
    assert slack_held(flow + "    await slack.who_am_i()\n") == ["slack.who_am_i"]
    assert slack_held(f"from {GATEWAY} import SlackFailure\n") == [f"from {GATEWAY} import SlackFailure"]
    assert slack_held("from bot.slack import gateway\n") == ["from bot.slack import gateway"]
    assert slack_held("import bot.slack.gateway\n") == [f"import {GATEWAY}"]
    assert slack_held(flow + "    await desk.directory.display_name(person)\n") == []
    assert slack_held("from bot.slack.blocks import section\n") == []

    assert words_sent(flow + "    await desk.slack.post('hi')\n") == ["line 2: desk.slack.post('hi')"]
    assert words_sent(flow + "    owe(tx, 'k', Post(DirectMessage(person), f'Hello {person}', []))\n")
    assert words_sent(flow + "    await x.respond(url, person, text='Done.')\n")
    assert words_sent(flow + "    owe(tx, 'k', Post(DirectMessage(person), text, blocks))\n") == []
    assert words_sent(flow + "    owe(tx, 'k', Edit(channel, ts, '', blocks))\n") == []

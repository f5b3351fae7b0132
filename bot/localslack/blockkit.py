"""Block Kit's published limits, checked the way Slack checks them.

Each check returns a list of problems in Slack's own wording style
(`[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`); an empty
list means Slack would accept the blocks.

Every message and view is read twice: by the checks here, and by slack_sdk's own models
(`Block.parse(...).validate_json()`, `View(...).validate_json()`), refused where either
refuses. Both also insist, as Slack does (`invalid_blocks`), that block_ids are unique in a
message or view and action_ids unique within a block.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
LIMITS = {
    "section.text": 3000,
    "section.field": 2000,
    "section.fields": 10,
    "header.text": 150,
    "context.elements": 10,
    "actions.elements": 25,
    "button.text": 75,
    "button.value": 2000,
    "button.url": 3000,
    "action_id": 255,
    "block_id": 255,
    "input.label": 2000,
    "input.hint": 2000,
    "option.text": 75,
    "option.value": 150,
    "select.options": 100,
    "placeholder": 150,
    "modal.title": 24,
    "modal.button": 24,
    "callback_id": 255,
    "private_metadata": 3000,
}
BLOCK_TYPES = {"section", "header", "context", "divider", "actions", "input", "image", "rich_text"}
ELEMENT_TYPES = {"button", "static_select", "plain_text_input", "overflow", "users_select", "datepicker"}


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, pointer: str, message: str) -> None:
        self.problems.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def text(self, obj: Any, pointer: str, limit: int, *, plain_only: bool = False) -> None:
        if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
            self.fail(pointer, "must provide a text object of type plain_text or mrkdwn")
            return
        if plain_only and obj["type"] != "plain_text":
            self.fail(pointer + "/type", "must be plain_text")
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self.fail(pointer + "/text", "must be a non-empty string")
        elif len(value) > limit:
            self.fail(pointer + "/text", f"must be less than {limit + 1} characters")

    def length(self, value: Any, pointer: str, limit: int) -> None:
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            self.fail(pointer, f"must be a string of less than {limit + 1} characters")

    def items(self, value: Any, pointer: str, limit: int, what: str) -> list[Any]:
        """`value` if it is a list of 1 to `limit` items; else a problem and nothing to check."""
        if not isinstance(value, list) or not value or len(value) > limit:
            self.fail(pointer, f"must provide 1 to {limit} {what}")
            return []
        return value

    def element(self, el: Any, pointer: str) -> None:
        if not isinstance(el, dict) or el.get("type") not in ELEMENT_TYPES:
            self.fail(pointer, "must be a known element type")
            return
        self.length(el.get("action_id"), pointer + "/action_id", LIMITS["action_id"])
        kind = el["type"]
        if kind == "button":
            self.text(el.get("text"), pointer + "/text", LIMITS["button.text"], plain_only=True)
            self.length(el.get("value"), pointer + "/value", LIMITS["button.value"])
            self.length(el.get("url"), pointer + "/url", LIMITS["button.url"])
            if el.get("style") not in (None, "primary", "danger"):
                self.fail(pointer + "/style", "must be primary or danger")
        elif kind == "static_select":
            # Either `options` or `option_groups`, each group a plain_text label of at most 75
            # characters and 1 to 100 options (https://docs.slack.dev/reference/block-kit/
            # composition-objects/option-group-object/).
            if "option_groups" in el:
                if "options" in el:
                    self.fail(pointer, "must provide either options or option_groups, not both")
                limit = LIMITS["select.options"]
                for g, group in enumerate(
                    self.items(el["option_groups"], pointer + "/option_groups", limit, "groups")
                ):
                    at = f"{pointer}/option_groups/{g}"
                    group = group if isinstance(group, dict) else {}
                    self.text(group.get("label"), at + "/label", LIMITS["option.text"], plain_only=True)
                    self.options(group.get("options"), at)
            else:
                self.options(el.get("options"), pointer)
        if "placeholder" in el:
            self.text(el["placeholder"], pointer + "/placeholder", LIMITS["placeholder"], plain_only=True)

    def options(self, value: Any, pointer: str) -> None:
        for i, option in enumerate(
            self.items(value, pointer + "/options", LIMITS["select.options"], "options")
        ):
            option = option if isinstance(option, dict) else {}
            self.text(
                option.get("text"), f"{pointer}/options/{i}/text", LIMITS["option.text"], plain_only=True
            )
            self.length(option.get("value"), f"{pointer}/options/{i}/value", LIMITS["option.value"])

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            self.fail(pointer + "/type", "must be a known block type")
            return
        self.length(block.get("block_id"), pointer + "/block_id", LIMITS["block_id"])
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.fail(pointer, "must provide text or fields")
            if "text" in block:
                self.text(block["text"], pointer + "/text", LIMITS["section.text"])
            fields = block.get("fields", [])
            if len(fields) > LIMITS["section.fields"]:
                self.fail(pointer + "/fields", "must provide no more than 10 items")
            for i, field in enumerate(fields):
                self.text(field, f"{pointer}/fields/{i}", LIMITS["section.field"])
            if "accessory" in block:
                self.element(block["accessory"], pointer + "/accessory")
        elif kind == "header":
            self.text(block.get("text"), pointer + "/text", LIMITS["header.text"], plain_only=True)
        elif kind == "context":
            limit = LIMITS["context.elements"]
            for i, el in enumerate(
                self.items(block.get("elements"), pointer + "/elements", limit, "elements")
            ):
                if isinstance(el, dict) and el.get("type") == "image":
                    continue
                self.text(el, f"{pointer}/elements/{i}", LIMITS["section.text"])
        elif kind == "actions":
            limit = LIMITS["actions.elements"]
            for i, el in enumerate(
                self.items(block.get("elements"), pointer + "/elements", limit, "elements")
            ):
                self.element(el, f"{pointer}/elements/{i}")
        elif kind == "input":
            self.text(block.get("label"), pointer + "/label", LIMITS["input.label"], plain_only=True)
            if "hint" in block:
                self.text(block["hint"], pointer + "/hint", LIMITS["input.hint"], plain_only=True)
            self.element(block.get("element"), pointer + "/element")

    def blocks(self, blocks: Any, pointer: str, limit: int) -> None:
        if not isinstance(blocks, list):
            self.fail(pointer, "must be an array")
            return
        if len(blocks) > limit:
            self.fail(pointer, f"must provide no more than {limit} items")
        for i, block in enumerate(blocks):
            self.block(block, f"{pointer}/{i}")


def _unique_ids(blocks: Any, pointer: str) -> list[str]:
    """Slack refuses a repeated block_id in one message or view, and a repeated action_id in
    one block (an actions block's elements, or a section's accessory)."""
    problems: list[str] = []
    seen: set[str] = set()
    for i, block in enumerate(blocks if isinstance(blocks, list) else []):
        if not isinstance(block, dict):
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen:
                problems.append(
                    f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{pointer}/{i}/block_id]"
                )
            seen.add(block_id)
        elements = block.get("elements") if block.get("type") == "actions" else [block.get("accessory")]
        actions = [e.get("action_id") for e in elements or [] if isinstance(e, dict) and e.get("action_id")]
        for action in {a for a in actions if actions.count(a) > 1}:
            problems.append(f"[ERROR] duplicate action_id {action!r} [json-pointer:{pointer}/{i}]")
    return problems


def _sdk_blocks(blocks: Any, pointer: str) -> list[str]:
    """What slack_sdk's models refuse in `blocks`."""
    problems: list[str] = []
    for i, raw in enumerate(blocks if isinstance(blocks, list) else []):
        try:
            block = Block.parse(raw)
            if block is None:
                raise SlackObjectFormationError("unknown block type")
            block.validate_json()
        except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as problem:
            problems.append(f"[ERROR] {problem} [json-pointer:{pointer}/{i}]")
    return problems


def check_message_blocks(blocks: Any) -> list[str]:
    checker = Checker()
    checker.blocks(blocks, "/blocks", MESSAGE_BLOCKS)
    if checker.problems:
        return checker.problems
    return _unique_ids(blocks, "/blocks") + _sdk_blocks(blocks, "/blocks")


def check_view(view: Any) -> list[str]:
    checker = Checker()
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        checker.fail("/view/type", "must be modal or home")
        return checker.problems
    checker.blocks(view.get("blocks"), "/view/blocks", VIEW_BLOCKS)
    checker.length(view.get("callback_id"), "/view/callback_id", LIMITS["callback_id"])
    checker.length(view.get("private_metadata"), "/view/private_metadata", LIMITS["private_metadata"])
    if view["type"] == "modal":
        checker.text(view.get("title"), "/view/title", LIMITS["modal.title"], plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text(view[key], f"/view/{key}", LIMITS["modal.button"], plain_only=True)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and "submit" not in view:
            checker.fail("/view/submit", "must provide a submit button when the view has inputs")
    if checker.problems:
        return checker.problems
    problems = _unique_ids(view.get("blocks"), "/view/blocks") + _sdk_blocks(
        view.get("blocks"), "/view/blocks"
    )
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as problem:
        problems.append(f"[ERROR] {problem} [json-pointer:/view]")
    return problems

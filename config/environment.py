"""The process environment (SPEC §2): tokens, the API URL, the port, where config and store live."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.redact import mask, redacted_url
from config.settings import ConfigError

__all__ = ["Environment", "mask", "read_environment", "redacted_url"]

DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class Environment:
    bot_token: str
    signing_secret: str
    app_token: str
    api_url: str
    port: int
    config_path: str
    store_override: str

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def __repr__(self) -> str:  # never let a token reach a log through repr()
        return (
            f"Environment(bot_token={mask(self.bot_token)}, signing_secret={mask(self.signing_secret)}, "
            f"app_token={mask(self.app_token)}, api_url={redacted_url(self.api_url)!r}, port={self.port})"
        )


def read_environment(env: Mapping[str, str], *, needs_slack: bool = True, serves: bool = True) -> Environment:
    """Read the variables; with `needs_slack`, missing tokens are errors (one line each).
    A command that only calls Slack and `serves` no requests needs no signing secret."""
    errors: list[str] = []
    bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
    secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    app_token = env.get("SLACK_APP_TOKEN", "").strip()
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    if not api_url.endswith("/"):
        api_url += "/"
    if not api_url.startswith(("http://", "https://")):
        errors.append(
            f"SLACK_API_URL: expected an http(s) URL like {DEFAULT_API_URL}; got {redacted_url(api_url)!r}"
        )
    port_text = env.get("PORT", "").strip() or "3000"
    port = int(port_text) if port_text.isdigit() and int(port_text) < 65536 else -1
    if port < 0:
        errors.append(  # the value is not shown: a secret pasted into the wrong variable must not leak
            f"PORT: expected a port number from 1 to 65535 (0: any free one); got {len(port_text)} characters"
        )
    if needs_slack:
        if not bot_token:
            errors.append("SLACK_BOT_TOKEN: not set; expected the bot token (xoxb-…) from your Slack app")
        elif not bot_token.startswith("xoxb-"):
            errors.append("SLACK_BOT_TOKEN: expected a bot token starting with xoxb-")
        if app_token and not app_token.startswith("xapp-"):
            errors.append("SLACK_APP_TOKEN: expected an app-level token starting with xapp-")
        if serves and not app_token and not secret:
            errors.append(
                "SLACK_SIGNING_SECRET: not set; HTTP mode needs it to verify requests "
                "(or set SLACK_APP_TOKEN for Socket Mode)"
            )
    if errors:
        raise ConfigError(errors)
    return Environment(
        bot_token=bot_token,
        signing_secret=secret,
        app_token=app_token,
        api_url=api_url,
        port=port,
        config_path=env.get("DESK_CONFIG", "").strip() or "config/desk.toml",
        store_override=env.get("DESK_STORE", "").strip(),
    )

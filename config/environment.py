"""The process environment (SPEC §2): tokens, the API URL, the port, where config and store live."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from config.redact import mask, redacted_url
from config.settings import Config, ConfigError, load_config, parse_config

__all__ = ["Environment", "mask", "read_environment", "redacted_url"]

DEFAULT_API_URL = "https://slack.com/api/"
LOG_FORMATS = ("text", "json")
CONFIG_FROM_ENV = "$DESK_CONFIG_TOML"  # where the config came from, when not from a file
# Variables by which a platform whose local disk is wiped at every restart can be told.
RESETTING = (("DYNO", "a Heroku-style dyno, whose disk is wiped at every restart"),)


@dataclass(frozen=True)
class Environment:
    bot_token: str
    signing_secret: str
    app_token: str
    api_url: str
    port: int
    config_path: str
    store_override: str
    config_toml: str = ""  # DESK_CONFIG_TOML: the whole config, for platforms without a disk
    log_format: str = "text"  # DESK_LOG_FORMAT: "text" or "json" (one JSON object a line)
    disk_resets: str = ""  # the platform wipes the local disk at each restart: which one says so
    summaries_api_key: str = ""  # DESK_SUMMARIES_API_KEY: [summaries] api_key, kept out of the file

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
    log_format = env.get("DESK_LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        errors.append(f"DESK_LOG_FORMAT: expected text or json; got {log_format[:20]!r}")
    if errors:
        raise ConfigError(errors)
    return Environment(
        bot_token=bot_token,
        signing_secret=secret,
        app_token=app_token,
        api_url=api_url,
        port=port,
        config_path=(
            CONFIG_FROM_ENV if env.get("DESK_CONFIG_TOML", "").strip() else env.get("DESK_CONFIG", "").strip()
        )
        or "config/desk.toml",
        store_override=env.get("DESK_STORE", "").strip(),
        config_toml=env.get("DESK_CONFIG_TOML", ""),
        log_format=log_format,
        summaries_api_key=env.get("DESK_SUMMARIES_API_KEY", "").strip(),
        disk_resets=next(
            (f"{name} is set ({platform})" for name, platform in RESETTING if env.get(name)), ""
        ),
    )


def load_desk_config(env: Environment) -> Config:
    """The desk's config: the TOML in DESK_CONFIG_TOML when set (platforms without a disk of
    their own keep it in the environment), else the file at DESK_CONFIG. DESK_STORE, when set,
    overrides its store URL either way, and DESK_SUMMARIES_API_KEY its `[summaries]` key."""
    if not env.config_toml.strip():
        return with_environment(load_config(env.config_path, env.store_override or None), env)
    try:
        data = tomllib.loads(env.config_toml)
    except tomllib.TOMLDecodeError as problem:
        raise ConfigError([f"DESK_CONFIG_TOML: not valid TOML ({problem})"]) from None
    return with_environment(parse_config(data, env.store_override or None), env)


def with_environment(config: Config, env: Environment) -> Config:
    """The config with what the environment overrides: the summaries' API key (a secret an
    operator may keep out of the config file)."""
    if not env.summaries_api_key:
        return config
    return replace(config, summaries=replace(config.summaries, api_key=env.summaries_api_key))

"""Settings: the TOML config (SPEC §3) and the environment (SPEC §2), both checked strictly."""

from config.environment import Environment, read_environment
from config.settings import Config, ConfigError, load_config, parse_config

__all__ = ["Config", "ConfigError", "Environment", "load_config", "parse_config", "read_environment"]

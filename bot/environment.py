"""The environment variables libao reads, read once (part of the configuration, see bot.config).

This module is the only reader of them. It is kept apart from bot.config so that a command that
needs no configuration file (`ask`) does not import the bot's configuration schema.

  TELEGRAM_BOT_TOKEN  the bot token from @BotFather (when channels.telegram is configured)
  WECOM_BOT_SECRET    the WeCom bot's secret (when channels.wecom is configured)
  DINGTALK_CLIENT_SECRET  the DingTalk app's client secret (when channels.dingtalk is configured)
  LIBAO_CONFIG        path of the YAML file (default: config.yaml in the working directory)
  LIBAO_DB            the database: a SQLite file path (default: data/libao.db) or a postgresql:// URL
                      (several instances may share a PostgreSQL database); overrides `database:`
  LIBAO_REPORT_KEY    the leak-report key as base64 (containers with a secret store)
  LIBAO_REPORT_KEY_FILE  path of the leak-report key file (when `reports.key_file` is not set)
  LIBAO_CACHE_DIR     the private directory for derived data (default: $XDG_CACHE_HOME/libao or
                      ~/.cache/libao); never a shared temporary directory
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_CONFIG = "LIBAO_CONFIG"
ENV_DB = "LIBAO_DB"
ENV_WECOM_SECRET = "WECOM_BOT_SECRET"
ENV_DINGTALK_SECRET = "DINGTALK_CLIENT_SECRET"
ENV_REPORT_KEY = "LIBAO_REPORT_KEY"
ENV_REPORT_KEY_FILE = "LIBAO_REPORT_KEY_FILE"
ENV_CACHE_DIR = "LIBAO_CACHE_DIR"
DEFAULT_CONFIG = Path("config.yaml")
DEFAULT_DB = Path("data/libao.db")


def database_location(value: str | Path) -> Path | str:
    """A postgresql:// URL as it is; anything else is a SQLite file path."""
    text = str(value)
    return text if text.startswith(("postgresql://", "postgres://")) else Path(text)


def _database(env: Mapping[str, str]) -> Path | str | None:
    value = env.get(ENV_DB, "").strip()
    return database_location(value) if value else None


@dataclass(frozen=True, slots=True)
class Environment:
    """The environment variables libao reads, read once. `token` and `report_key` are secrets: kept out
    of repr, never logged."""

    token: str = field(default="", repr=False)
    config_path: Path | None = None
    database: Path | str | None = None  # a SQLite file or a postgresql:// URL
    report_key: str | None = field(default=None, repr=False)
    report_key_file: Path | None = None
    cache_dir: Path | None = None
    wecom_secret: str = field(default="", repr=False)
    dingtalk_secret: str = field(default="", repr=False)

    def config_file(self, flag: Path | str | None = None) -> Path:
        """The YAML file: command-line flag, else $LIBAO_CONFIG, else config.yaml."""
        return Path(flag) if flag else self.config_path or DEFAULT_CONFIG

    def database_file(self, flag: Path | str | None = None, configured: Path | str | None = None) -> Path | str:
        """The database (a SQLite file or a postgresql:// URL): command-line flag, else $LIBAO_DB, else
        `database:` of the file, else the default."""
        return database_location(flag or self.database or configured or DEFAULT_DB)


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """The variables of `env` (default: the process environment)."""
    env = os.environ if env is None else env

    def path(name: str) -> Path | None:
        value = env.get(name, "").strip()
        return Path(value) if value else None

    cache = path(ENV_CACHE_DIR)
    if cache is None:
        xdg = path("XDG_CACHE_HOME")
        home = path("HOME")
        base = xdg if xdg is not None and xdg.is_absolute() else home / ".cache" if home is not None else None
        cache = base / "libao" if base is not None else None
    return Environment(token=env.get(ENV_TOKEN, "").strip(), config_path=path(ENV_CONFIG), database=_database(env),
                       report_key=env.get(ENV_REPORT_KEY) or None, report_key_file=path(ENV_REPORT_KEY_FILE),
                       cache_dir=cache, wecom_secret=env.get(ENV_WECOM_SECRET, "").strip(),
                       dingtalk_secret=env.get(ENV_DINGTALK_SECRET, "").strip())

"""Storage: every SQL statement of libao (SQLite through sqlite-utils)."""

from bot.storage.accounts import AccountStore
from bot.storage.sqlite import ChatStore, ReportStore, connect, init_chat

__all__ = ["AccountStore", "ChatStore", "ReportStore", "connect", "init_chat"]

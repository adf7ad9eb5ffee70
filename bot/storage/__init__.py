"""Storage: every SQL statement of libao (SQLite through sqlite-utils)."""

from bot.storage.sqlite import ChatStore, ReportStore, connect, init_chat

__all__ = ["ChatStore", "ReportStore", "connect", "init_chat"]

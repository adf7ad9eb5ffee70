"""Telegram adapter (named tg so it can never shadow python-telegram-bot's `telegram`)."""

"""Command-line adapters: thin layers over bot.core that turn exceptions into messages."""

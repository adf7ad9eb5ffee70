"""Channels: thin adapters that turn a platform's updates into assistant calls and render its replies."""

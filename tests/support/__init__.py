"""Shared test support: one clock, one fake Bot API request, the bot and report-service factories,
one CLI runner. Importable as `support.*` (pytest's pythonpath includes tests/)."""

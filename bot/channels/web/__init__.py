"""The intranet web channel: staff chat page, anonymous reporting with a receipt, officers' console."""

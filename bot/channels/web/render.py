"""A `Reply` as JSON for the page: the same text and buttons every channel shows. Problem spans that
the views mark with 【】 become highlight spans in the browser; the text itself is unchanged."""

from __future__ import annotations

from typing import Any

from bot.core.chat.reply import Reply


def reply_json(reply: Reply, *, message_id: int) -> dict[str, Any]:
    rows = []
    for row in reply.buttons:
        out = []
        for b in row:
            if b.copy_text is not None:
                out.append({"label": b.label, "copy": b.copy_text})
            elif b.data:
                out.append({"label": b.label, "data": b.data})
            # switch_inline buttons open another messenger chat: nothing to do on a web page
        if out:
            rows.append(out)
    return {"id": message_id, "from": "bot", "text": reply.text, "buttons": rows, "toast": reply.toast}

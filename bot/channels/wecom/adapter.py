"""WeCom (企业微信) 智能机器人, long-connection mode, over the vendor SDK `wecom-aibot-python-sdk`.

The bot opens the websocket itself (no public URL). A message is answered on its own req_id (markdown
stream + a button_interaction card); a card click is acknowledged first, by updating the clicked
card within the platform's 5-second window, and answered after with proactive messages
(aibot_send_msg). Reconnection is ours (back-off with jitter): the SDK's own is switched off.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections import OrderedDict
from typing import Any

from bot.channels.gateway import Backoff, Card, Gateway, Incoming, LongConnection
from bot.config import WeComConfig
from bot.core.phrases.messages import t
from bot.storage.channels import ChannelStore

log = logging.getLogger("libao.channels.wecom")

NAME = "wecom"
CARD_TITLE_CHARS = 26  # WeCom's limit for main_title.title


class _SdkLog:
    """The SDK's logger: frames (which carry user text) are logged by the SDK at debug level only,
    and debug goes nowhere; the rest goes to our log without arguments."""

    def debug(self, message: str, *args: Any) -> None:
        return

    def info(self, message: str, *args: Any) -> None:
        log.debug("sdk: %s", message[:120])

    def warn(self, message: str, *args: Any) -> None:
        log.info("sdk: %s", message.split(":", 1)[0][:120])

    def error(self, message: str, *args: Any) -> None:
        log.warning("sdk: %s", message.split(":", 1)[0][:120])


def card_json(card: Card, *, task_id: str) -> dict[str, Any]:
    """A button_interaction template card for the buttons of `card` (its text goes in markdown)."""
    return {"card_type": "button_interaction", "main_title": {"title": t("channel.card_title")},
            "task_id": task_id,
            "button_list": [{"text": label[:10], "style": 1, "key": key} for label, key in card.buttons]}


def ack_card(task_id: str, label: str | None) -> dict[str, Any]:
    """The clicked card after the click: the buttons are gone, the choice is shown."""
    title = t("channel.pressed", label=label) if label else t("channel.pressed_unknown")
    return {"card_type": "text_notice", "main_title": {"title": title[:CARD_TITLE_CHARS]}, "task_id": task_id,
            "card_action": {"type": 0}}


class WeComChannel(LongConnection):
    """One WeCom bot connection."""

    name = NAME

    def __init__(self, config: WeComConfig, gateway: Gateway, store: ChannelStore, *,
                 lease_seconds: float = 30.0, backoff: Backoff | None = None):
        super().__init__(gateway, store, lease_seconds=lease_seconds, backoff=backoff)
        self.config = config
        self.client: Any = None
        self._cards: OrderedDict[str, dict[str, str]] = OrderedDict()  # task_id -> key -> label

    @property
    def lease_name(self) -> str:
        return f"{NAME}:{self.config.bot_id}"

    # -- connection -------------------------------------------------------------------------------
    async def _session(self, stop: asyncio.Event, lost: asyncio.Event) -> str:
        """One connection, from connect to its end; returns why it ended."""
        from aibot import WSClient, WSClientOptions

        options = WSClientOptions(bot_id=self.config.bot_id, secret=self.config.secret.get_secret_value(),
                                  max_reconnect_attempts=0, logger=_SdkLog(),
                                  heartbeat_interval=int(self.config.heartbeat_seconds * 1000))
        if self.config.ws_url:
            options.ws_url = self.config.ws_url
        client = WSClient(options)
        ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def finish(reason: str) -> None:
            if not ended.done():
                ended.set_result(reason)

        def authenticated() -> None:
            self.backoff.reset()
            self.connected.set()

        client.on("authenticated", authenticated)
        client.on("disconnected", lambda reason: finish("closed"))
        client.on("error", lambda exc: finish("failed" if "Authentication" not in str(exc) else "refused"))
        client.on("message.text", self._on_text)
        client.on("event.template_card_event", self._on_click)
        client.on("event.enter_chat", self._on_enter)
        self.client = client
        await client.connect()
        if not client.is_connected:
            finish("failed")
        events: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(lost.wait())]
        await asyncio.wait([*events, ended], return_when=asyncio.FIRST_COMPLETED)
        for w in events:
            w.cancel()
        self.connected.clear()
        with contextlib.suppress(Exception):
            client.disconnect()
        await asyncio.sleep(0)
        return ended.result() if ended.done() else "stopped"

    # -- inbound ----------------------------------------------------------------------------------
    @staticmethod
    def _incoming(frame: dict[str, Any], **kw: Any) -> Incoming:
        body = frame.get("body") or {}
        user = str((body.get("from") or {}).get("userid", ""))
        return Incoming(channel=NAME, user=user, key=str(body.get("msgid") or frame["headers"]["req_id"]), **kw)

    async def _on_text(self, frame: dict[str, Any]) -> None:
        body = frame.get("body") or {}
        inc = self._incoming(frame, text=str((body.get("text") or {}).get("content", "")))
        if not inc.user:
            return
        await self.gateway.handle(inc, functools.partial(self._reply, frame))

    async def _on_click(self, frame: dict[str, Any]) -> None:
        event = ((frame.get("body") or {}).get("event") or {}).get("template_card_event") or {}
        task_id, key = str(event.get("task_id", "")), str(event.get("event_key", ""))
        inc = self._incoming(frame, tap=key)
        accepted = bool(inc.user) and self.gateway.accept(inc)  # recorded first: a crash loses no press
        # Acknowledge before answering: the card update is only accepted within 5 s of the click.
        label = self._cards.get(task_id, {}).get(key)
        try:
            await self.client.update_template_card(frame, ack_card(task_id, label))
        except Exception as exc:
            log.warning("card click acknowledgement failed: %s", type(exc).__name__)
        if accepted:
            await self.gateway.respond(inc, functools.partial(self.send_card, inc.user))

    async def _on_enter(self, frame: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):
            await self.client.reply_welcome(frame, {"msgtype": "text", "text": {"content": t("channel.welcome")}})

    # -- outbound ---------------------------------------------------------------------------------
    def _new_task(self, card: Card) -> str:
        task_id = "libao-" + uuid.uuid4().hex
        self._cards[task_id] = dict((key, label) for label, key in card.buttons)
        while len(self._cards) > 5000:
            self._cards.popitem(last=False)
        return task_id

    async def _reply(self, frame: dict[str, Any], card: Card) -> None:
        stream_id = uuid.uuid4().hex
        text = card.text or card.toast or ""
        if card.buttons:
            await self.client.reply_stream_with_card(frame, stream_id, text, finish=True,
                                                     template_card=card_json(card, task_id=self._new_task(card)))
        else:
            await self.client.reply_stream(frame, stream_id, text, finish=True)

    async def send_card(self, user: str, card: Card) -> None:
        """Proactive messages to `user` (aibot_send_msg): the text, then the buttons' card."""
        if self.client is None or not self.client.is_connected:
            raise ConnectionError("wecom not connected")
        text = card.text or card.toast or ""
        if text:
            await self.client.send_message(user, {"msgtype": "markdown", "markdown": {"content": text}})
        if card.buttons:
            await self.client.send_message(user, {"msgtype": "template_card",
                                                  "template_card": card_json(card, task_id=self._new_task(card))})

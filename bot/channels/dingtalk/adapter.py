"""DingTalk (钉钉) robot in Stream mode, over the vendor SDK `dingtalk-stream`.

Messages arrive as CALLBACK frames on the stream and are acknowledged once answered (a late ack
makes DingTalk redeliver; the inbox makes the redelivery a no-op). Text replies go through the
message's sessionWebhook; replies with buttons are interactive cards whose presses come back over
the stream as card callbacks. A press is acknowledged at once and answered after: the clicked card
is updated, or a new card is sent. The SDK's HTTP calls are blocking, so they run in threads.
Reconnection is ours (back-off with jitter), the SDK's `start()` loop is not used.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any
from urllib.parse import quote_plus

from bot.channels.gateway import Backoff, Card, Gateway, Incoming, LongConnection
from bot.config import DingTalkConfig
from bot.core.phrases.messages import t
from bot.storage.channels import ChannelStore

log = logging.getLogger("libao.channels.dingtalk")

NAME = "dingtalk"


def _card_data(card: Card) -> dict[str, Any]:
    """cardParamMap of the SDK's markdown-with-buttons card template ("request" buttons call back)."""
    buttons = [{"text": label, "color": "blue", "id": key, "request": True} for label, key in card.buttons]
    return {"markdown": card.text or card.toast or "", "tips": "", "title": t("channel.card_title"),
            "sys_full_json_obj": json.dumps({"msgButtons": buttons}, ensure_ascii=False)}


class DingTalkChannel(LongConnection):
    """One DingTalk app's stream connection."""

    name = NAME

    def __init__(self, config: DingTalkConfig, gateway: Gateway, store: ChannelStore, *,
                 lease_seconds: float = 30.0, backoff: Backoff | None = None):
        import dingtalk_stream

        super().__init__(gateway, store, lease_seconds=lease_seconds, backoff=backoff)
        self.config = config
        quiet = logging.getLogger("libao.channels.dingtalk.sdk")
        quiet.setLevel(logging.CRITICAL)  # the SDK logs whole frames (user text) at warning/info
        self.client = dingtalk_stream.DingTalkStreamClient(
            dingtalk_stream.Credential(config.client_id, config.client_secret.get_secret_value()), logger=quiet)
        self.client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, _BotHandler(self))
        self.client.register_callback_handler(dingtalk_stream.CallbackHandler.TOPIC_CARD_CALLBACK, _CardHandler(self))
        for handler in self.client.callback_handler_map.values():
            handler.logger = quiet
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def lease_name(self) -> str:
        return f"{NAME}:{self.config.client_id}"

    # -- connection -------------------------------------------------------------------------------
    def _prepare(self) -> None:
        self.client.pre_start()

    async def _session(self, stop: asyncio.Event, lost: asyncio.Event) -> str:
        import websockets

        connection = await asyncio.to_thread(self.client.open_connection)  # blocking HTTP in the SDK
        if not connection:
            return "refused"
        uri = f'{connection["endpoint"]}?ticket={quote_plus(connection["ticket"])}'
        try:
            async with websockets.connect(uri, ping_interval=30, ping_timeout=30) as ws:
                self.client.websocket = ws
                self.backoff.reset()
                self.connected.set()
                reader = asyncio.create_task(self._read(ws))
                waiters = [reader, asyncio.ensure_future(stop.wait()), asyncio.ensure_future(lost.wait())]
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()
        except (OSError, websockets.exceptions.WebSocketException) as exc:
            return f"failed ({type(exc).__name__})"
        finally:
            self.connected.clear()
        return "closed"

    async def _read(self, ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                try:
                    frame = json.loads(raw)
                except ValueError:
                    log.warning("unreadable frame ignored")
                    continue
                self._spawn(self.client.background_task(frame))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- inbound ----------------------------------------------------------------------------------
    async def on_message(self, data: dict[str, Any]) -> None:
        from dingtalk_stream import ChatbotMessage

        msg = ChatbotMessage.from_dict(data)
        user = str(msg.sender_staff_id or "")
        if not user or msg.message_type != "text" or msg.text is None:
            return
        inc = Incoming(channel=NAME, user=user, key=str(msg.message_id), text=str(msg.text.content or ""),
                       name=str(msg.sender_nick or ""))
        async def send(card: Card) -> None:
            await asyncio.to_thread(self._send, msg, card)

        await self.gateway.handle(inc, send)

    def on_press(self, message_id: str, data: dict[str, Any]) -> None:
        """Card callback: answered in the background, after the SDK acked it."""
        from dingtalk_stream import CardCallbackMessage

        cb = CardCallbackMessage.from_dict(data)
        actions = (cb.content.get("cardPrivateData") or {}).get("actionIds") or []
        if not cb.user_id or not actions:
            return
        inc = Incoming(channel=NAME, user=str(cb.user_id), key=message_id, tap=str(actions[0]))
        if self.gateway.accept(inc):  # recorded before the ack leaves, answered after it
            self._spawn(self._answer_press(inc, cb.card_instance_id))

    async def _answer_press(self, inc: Incoming, out_track_id: str) -> None:
        async def send(card: Card) -> None:
            if card.edit and out_track_id:
                await asyncio.to_thread(self._update, out_track_id, card)
            else:
                await self.send_card(inc.user, card)

        await self.gateway.respond(inc, send)

    # -- outbound (blocking SDK calls, run in threads) -----------------------------------------------
    def _send(self, msg: Any, card: Card) -> None:
        from dingtalk_stream import ChatbotHandler, MarkdownButtonCardInstance

        if card.buttons:
            instance = MarkdownButtonCardInstance(self.client, msg)
            instance.logger = self.client.logger
            instance.set_title_and_logo(t("channel.card_title"), "")
            instance.reply(card.text or card.toast or "", [dict(text=lb, color="blue", id=k, request=True)
                                                            for lb, k in card.buttons])
            if not instance.card_instance_id:
                raise ConnectionError("dingtalk card not delivered")
            return
        handler = ChatbotHandler()
        handler.logger = self.client.logger
        handler.dingtalk_client = self.client
        if msg.session_webhook:
            if handler.reply_markdown(t("channel.card_title"), card.text or card.toast or "", msg) is None:
                raise ConnectionError("dingtalk webhook reply failed")
        else:
            self._send_card(msg, card)

    def _send_card(self, msg: Any, card: Card) -> None:
        from dingtalk_stream.card_replier import CardReplier

        replier = CardReplier(self.client, msg)
        replier.logger = self.client.logger
        if not replier.create_and_send_card("1366a1eb-bc54-4859-ac88-517c56a9acb1.schema", _card_data(card)):
            raise ConnectionError("dingtalk card not delivered")

    def _update(self, out_track_id: str, card: Card) -> None:
        from dingtalk_stream import reply_specified_single_chat
        from dingtalk_stream.card_replier import CardReplier

        replier = CardReplier(self.client, reply_specified_single_chat(""))
        replier.logger = self.client.logger
        replier.put_card_data(out_track_id, _card_data(card))

    async def send_card(self, user: str, card: Card) -> None:
        """A card delivered to `user`'s chat with the robot (works without a sessionWebhook)."""
        from dingtalk_stream import reply_specified_single_chat

        await asyncio.to_thread(self._send_card, reply_specified_single_chat(user), card)


def _handlers() -> tuple[type, type]:
    import dingtalk_stream
    from dingtalk_stream import AckMessage

    class BotHandler(dingtalk_stream.ChatbotHandler):
        def __init__(self, channel: DingTalkChannel):
            super().__init__()
            self.channel = channel

        async def process(self, callback: Any) -> tuple[int, str]:
            await self.channel.on_message(callback.data)
            return AckMessage.STATUS_OK, "OK"

    class CardHandler(dingtalk_stream.CallbackHandler):
        def __init__(self, channel: DingTalkChannel):
            super().__init__()
            self.channel = channel

        async def process(self, callback: Any) -> tuple[int, dict[str, Any]]:
            self.channel.on_press(str(callback.headers.message_id), callback.data)
            return AckMessage.STATUS_OK, {}

    return BotHandler, CardHandler


def _BotHandler(channel: DingTalkChannel) -> Any:
    return _handlers()[0](channel)


def _CardHandler(channel: DingTalkChannel) -> Any:
    return _handlers()[1](channel)

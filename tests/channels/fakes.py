"""Loopback stand-ins for the WeCom and DingTalk long-connection servers.

Both speak the frames the vendors' SDK sources (wecom-aibot-python-sdk 1.0.2, dingtalk-stream 0.24.3)
and documents define: the real SDK clients connect to them unchanged. Everything the bot sends is
recorded so tests can assert on it; the test drives users (text, card clicks), redeliveries and
dropped connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import itertools
import json
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

Predicate = Callable[[dict[str, Any]], bool]


def self_signed_cert() -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for 127.0.0.1 / localhost, made fresh for the test run."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@dataclass
class _Recorder:
    """Frames/requests from the bot, with a condition to wait on."""

    items: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, item: dict[str, Any]) -> None:
        item.setdefault("_at", time.perf_counter())
        self.items.append(item)
        self.changed.set()

    async def wait(self, predicate: Predicate, *, timeout: float = 20.0, start: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            for item in self.items[seen:]:
                if predicate(item):
                    return item
            seen = len(self.items)
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching frame from the bot")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)


class _Server:
    def __init__(self) -> None:
        self.app = web.Application()
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def _start(self, ssl_context: ssl.SSLContext | None = None, port: int = 0) -> None:
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port, ssl_context=ssl_context)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


# ============================================================================= WeCom
class FakeWeCom(_Server):
    """wss server for 企业微信智能机器人长连接: aibot_subscribe auth, ping, callbacks, replies.

    Rules kept from the documents: one live connection per bot (a new subscription kicks the old
    one); a card click's req_id accepts only aibot_respond_update_msg, within 5 s of the click."""

    CARD_WINDOW = 5.0

    def __init__(self, *, bot_id: str, secret: str, cert: tuple[bytes, bytes]):
        super().__init__()
        self.bot_id, self.secret, self.cert = bot_id, secret, cert
        self.frames = _Recorder()  # every non-ping frame from the bot (auth included)
        self.current: web.WebSocketResponse | None = None
        self.connections = 0
        self.refuse = False
        self.hold: set[str] = set()  # users whose replies are neither taken nor answered (see `held`)
        self.held = _Recorder()  # reply frames kept back for `hold`
        self._events: dict[str, tuple[str, float, str]] = {}  # req_id -> (kind, pushed at, user id)
        self._seq = itertools.count(1)
        self.last_msgid: dict[str, str] = {}
        self.app.router.add_get("/", self._ws)

    async def start(self) -> None:
        import tempfile
        from pathlib import Path

        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        with tempfile.TemporaryDirectory() as tmp:
            cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
            cert.write_bytes(self.cert[0])
            key.write_bytes(self.cert[1])
            ctx.load_cert_chain(cert, key)
        await self._start(ctx)

    @property
    def url(self) -> str:
        return f"wss://127.0.0.1:{self.port}/"

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        if self.refuse:
            raise web.HTTPServiceUnavailable()
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        authed = False
        number = 0
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            cmd = frame.get("cmd")
            req_id = frame.get("headers", {}).get("req_id", "")
            if cmd == "aibot_subscribe":
                body = frame.get("body") or {}
                ok = body.get("bot_id") == self.bot_id and body.get("secret") == self.secret
                self.frames.add({"cmd": cmd, "ok": ok})  # the secret itself is not kept
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": 0 if ok else 40014,
                                    "errmsg": "ok" if ok else "invalid bot_id or secret"})
                if not ok:
                    await ws.close()
                    break
                authed = True
                old, self.current = self.current, ws
                self.connections += 1
                number = self.connections  # which subscription carried each frame (tests/cluster)
                if old is not None and not old.closed:
                    await old.close(code=4000, message=b"kicked by a newer connection")
                continue
            if not authed:
                await ws.close(code=4001, message=b"not subscribed")
                break
            if cmd == "ping":
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok"})
                continue
            if self._addressee(frame) in self.hold:  # never taken: the bot waits for the answer
                self.held.add({"user": self._addressee(frame)})
                continue
            errcode, errmsg = self._check(cmd, req_id)
            self.frames.add(dict(frame, errcode=errcode, _connection=number))
            await ws.send_json({"headers": {"req_id": req_id}, "errcode": errcode, "errmsg": errmsg})
        if self.current is ws:
            self.current = None
        return ws

    def _check(self, cmd: str | None, req_id: str) -> tuple[int, str]:
        event = self._events.get(req_id)
        if cmd == "aibot_send_msg":
            return 0, "ok"
        if event is None:
            return 40058, "invalid req_id"
        kind, at, _ = event
        if cmd == "aibot_respond_update_msg":
            if kind != "card":
                return 40058, "update needs a template_card_event req_id"
            if time.perf_counter() - at > self.CARD_WINDOW:
                return 846609, "card update window expired"
            return 0, "ok"
        if cmd == "aibot_respond_msg" and kind == "card":
            return 846605, "a card event accepts only aibot_respond_update_msg"
        return 0, "ok"

    async def connected(self, *, timeout: float = 20.0, count: int = 1) -> None:
        """Wait until `count` subscriptions have been accepted in total."""
        deadline = time.monotonic() + timeout
        while self.connections < count or self.current is None:
            if time.monotonic() > deadline:
                raise TimeoutError("bot did not connect")
            await asyncio.sleep(0.02)

    async def _push(self, cmd: str, body: dict[str, Any], kind: str) -> str:
        assert self.current is not None, "bot not connected"
        req_id = f"{cmd}_{next(self._seq)}_{uuid.uuid4().hex[:8]}"
        self._events[req_id] = (kind, time.perf_counter(), body["from"]["userid"])
        await self.current.send_json({"cmd": cmd, "headers": {"req_id": req_id}, "body": body})
        return req_id

    async def text(self, userid: str, content: str, *, msgid: str | None = None) -> tuple[str, str]:
        """A user's text message in a single chat; returns (req_id, msgid)."""
        msgid = msgid or uuid.uuid4().hex
        self.last_msgid[userid] = msgid
        body = {"msgid": msgid, "aibotid": self.bot_id, "chattype": "single", "from": {"userid": userid},
                "response_url": f"https://127.0.0.1:{self.port}/response/{msgid}",
                "msgtype": "text", "text": {"content": content}}
        return await self._push("aibot_msg_callback", body, "msg"), msgid

    async def click(self, userid: str, *, task_id: str, event_key: str, msgid: str | None = None) -> str:
        """A user's click on a button_interaction card button; returns the event's req_id."""
        body = {"msgid": msgid or uuid.uuid4().hex, "create_time": int(time.time()), "aibotid": self.bot_id,
                "from": {"corpid": "wwfakecorp", "userid": userid}, "chattype": "single",
                "msgtype": "event",
                "event": {"eventtype": "template_card_event",
                          "template_card_event": {"card_type": "button_interaction", "event_key": event_key,
                                                  "task_id": task_id}}}
        return await self._push("aibot_event_callback", body, "card")

    async def drop(self) -> None:
        """Close the bot's connection abruptly (as a network failure would)."""
        if self.current is not None:
            ws, self.current = self.current, None
            await ws.close(code=1011, message=b"server going away")

    # -- what the bot sent -----------------------------------------------------------------------
    def to_user(self, userid: str, start: int = 0) -> list[dict[str, Any]]:
        """Messages (not card updates) the bot delivered to `userid`, oldest first."""
        return [f for f in self.frames.items[start:] if self._addressee(f) == userid
                and f.get("errcode") == 0 and f.get("cmd") in ("aibot_respond_msg", "aibot_send_msg")]

    def _addressee(self, frame: dict[str, Any]) -> str | None:
        if frame.get("cmd") == "aibot_send_msg":
            return str(frame["body"].get("chatid"))
        event = self._events.get(frame.get("headers", {}).get("req_id", ""))
        return event[2] if event else None

    def pushed_at(self, req_id: str) -> float:
        return self._events[req_id][1]


def wecom_text(frame: dict[str, Any]) -> str:
    """The visible text of a message frame from the bot (markdown, stream or card)."""
    body = frame.get("body") or {}
    parts = [str((body.get("markdown") or {}).get("content", "")), str((body.get("stream") or {}).get("content", ""))]
    card = body.get("template_card") or {}
    parts += [str((card.get("main_title") or {}).get("title", "")), str((card.get("main_title") or {}).get("desc", "")),
              str(card.get("sub_title_text", ""))]
    return "\n".join(p for p in parts if p)


def wecom_buttons(frame: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, key) of the card buttons in a frame from the bot."""
    card = (frame.get("body") or {}).get("template_card") or {}
    return [(b["text"], b["key"]) for b in card.get("button_list", [])]


# ============================================================================= DingTalk
STREAM_BOT_TOPIC = "/v1.0/im/bot/messages/get"
STREAM_CARD_TOPIC = "/v1.0/card/instances/callback"


class FakeDingTalk(_Server):
    """DingTalk Stream mode: the OpenAPI gateway (connections/open, accessToken, card instances),
    the per-message sessionWebhook and the stream websocket with CALLBACK/SYSTEM frames and acks.

    Unacknowledged callbacks are what the platform redelivers; `redeliver` replays one as it was."""

    def __init__(self, *, client_id: str, client_secret: str, port: int = 0):
        super().__init__()
        self.client_id, self.client_secret, self.want_port = client_id, client_secret, port
        self.requests = _Recorder()  # HTTP calls from the bot (cards, webhooks), secrets stripped
        self.acks = _Recorder()  # ack frames from the bot
        self.current: web.WebSocketResponse | None = None
        self.connections = 0
        self.refuse = False
        self.hold: set[str] = set()  # users whose replies the webhook takes in but never answers
        self.held = _Recorder()
        self._tickets: set[str] = set()
        self.last_message_id: dict[str, str] = {}
        self._pushed: dict[str, tuple[dict[str, Any], float, str]] = {}  # messageId -> (frame, at, user)
        self.cards: dict[str, dict[str, Any]] = {}  # outTrackId -> {"data":..., "space":..., "user":...}
        r = self.app.router
        r.add_post("/v1.0/gateway/connections/open", self._open)
        r.add_post("/v1.0/oauth2/accessToken", self._token)
        r.add_post("/v1.0/card/instances", self._card_create)
        r.add_put("/v1.0/card/instances", self._card_update)
        r.add_post("/v1.0/card/instances/deliver", self._card_deliver)
        r.add_post("/v1.0/card/instances/createAndDeliver", self._card_create_deliver)
        r.add_post("/robot/sendBySession", self._session_webhook)
        r.add_get("/connect", self._ws)

    async def start(self) -> None:
        await self._start(port=self.want_port)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- HTTP ---------------------------------------------------------------------------------------
    async def _open(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.refuse:
            return web.json_response({"code": "ServiceUnavailable"}, status=503)
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response({"code": "InvalidAuthentication", "message": "bad credentials"}, status=401)
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        self.requests.add({"path": "open", "subscriptions": body.get("subscriptions")})
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": ticket})

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return web.json_response({"code": "InvalidAuthentication"}, status=401)
        return web.json_response({"accessToken": "fake-access-token", "expireIn": 7200})

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("x-acs-dingtalk-access-token") == "fake-access-token"

    async def _card_create(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "Forbidden"}, status=403)
        body = await request.json()
        self.cards[body["outTrackId"]] = {"data": body["cardData"]["cardParamMap"], "template": body["cardTemplateId"]}
        return web.json_response({"success": True, "result": body["outTrackId"]})

    async def _card_deliver(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "Forbidden"}, status=403)
        body = await request.json()
        card = self.cards.get(body["outTrackId"])
        if card is None:
            return web.json_response({"code": "param.cardNotExist"}, status=400)
        space = body["openSpaceId"]
        card["user"] = space.rsplit(".", 1)[-1] if space.startswith("dtv1.card//IM_ROBOT.") else None
        await self._keep_back(card["user"])
        self.requests.add({"path": "card", "outTrackId": body["outTrackId"], "user": card["user"],
                           "data": card["data"]})
        return web.json_response({"success": True})

    async def _card_create_deliver(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "Forbidden"}, status=403)
        body = await request.json()
        space = body.get("openSpaceId", "")
        user = space.rsplit(".", 1)[-1] if space.startswith("dtv1.card//IM_ROBOT.") else None
        await self._keep_back(user)
        self.cards[body["outTrackId"]] = {"data": body["cardData"]["cardParamMap"], "user": user}
        self.requests.add({"path": "card", "outTrackId": body["outTrackId"], "user": user,
                           "data": body["cardData"]["cardParamMap"]})
        return web.json_response({"success": True})

    async def _card_update(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": "Forbidden"}, status=403)
        body = await request.json()
        card = self.cards.get(body["outTrackId"])
        if card is None:
            return web.json_response({"code": "param.cardNotExist"}, status=400)
        card["data"] = {**card["data"], **body["cardData"]["cardParamMap"]}
        self.requests.add({"path": "card_update", "outTrackId": body["outTrackId"], "user": card.get("user"),
                           "data": card["data"]})
        return web.json_response({"success": True})

    async def _session_webhook(self, request: web.Request) -> web.Response:
        session = request.query.get("session", "")
        user = self._sessions.get(session)
        if user is None:
            return web.json_response({"errcode": 300001, "errmsg": "session expired"})
        body = await request.json()
        await self._keep_back(user)
        self.requests.add({"path": "webhook", "user": user, "body": body})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _keep_back(self, user: str | None) -> None:
        """A reply to a user in `hold`: taken in and not answered while the hold lasts, then refused."""
        if user in self.hold:
            self.held.add({"user": user})
            while user in self.hold:
                await asyncio.sleep(0.05)
            raise web.HTTPServiceUnavailable()

    @property
    def _sessions(self) -> dict[str, str]:
        return self.__dict__.setdefault("_session_map", {})

    # -- stream -------------------------------------------------------------------------------------
    async def _ws(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized()
        self._tickets.discard(ticket)  # a ticket opens one connection
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.current = ws
        self.connections += 1
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            self.acks.add(frame)
        if self.current is ws:
            self.current = None
        return ws

    async def connected(self, *, timeout: float = 20.0, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while self.connections < count or self.current is None:
            if time.monotonic() > deadline:
                raise TimeoutError("bot did not connect")
            await asyncio.sleep(0.02)

    async def _push(self, topic: str, data: dict[str, Any], user: str, *, type_: str = "CALLBACK",
                    message_id: str | None = None) -> str:
        assert self.current is not None, "bot not connected"
        message_id = message_id or uuid.uuid4().hex
        frame = {"specVersion": "1.0", "type": type_,
                 "headers": {"appId": "fake-app", "connectionId": "conn-1", "contentType": "application/json",
                             "messageId": message_id, "time": str(int(time.time() * 1000)), "topic": topic},
                 "data": json.dumps(data, ensure_ascii=False)}
        self._pushed[message_id] = (frame, time.perf_counter(), user)
        if topic == STREAM_BOT_TOPIC:
            self.last_message_id[user] = message_id
        await self.current.send_str(json.dumps(frame, ensure_ascii=False))
        return message_id

    async def text(self, staff_id: str, content: str) -> str:
        """A user's text message to the robot in a single chat; returns the stream messageId."""
        session = uuid.uuid4().hex
        self._sessions[session] = staff_id
        msg_id = "msg" + uuid.uuid4().hex
        data = {"conversationId": f"cid-{staff_id}", "chatbotCorpId": "dingfakecorp", "chatbotUserId": "bot$1",
                "msgId": msg_id, "senderNick": staff_id, "isAdmin": False, "senderStaffId": staff_id,
                "sessionWebhookExpiredTime": int(time.time() * 1000) + 5_400_000,
                "createAt": int(time.time() * 1000), "senderCorpId": "dingfakecorp", "conversationType": "1",
                "senderId": f"$:LWCP_v1:${staff_id}",
                "sessionWebhook": f"{self.endpoint}/robot/sendBySession?session={session}",
                "text": {"content": content}, "robotCode": self.client_id, "msgtype": "text"}
        return await self._push(STREAM_BOT_TOPIC, data, staff_id)

    async def click(self, staff_id: str, *, out_track_id: str, action_id: str) -> str:
        """A user's press of a card button (a "request" button); returns the stream messageId."""
        content = {"cardPrivateData": {"actionIds": [action_id], "params": {}}}
        data = {"extension": "{}", "corpId": "dingfakecorp", "type": "actionCallback", "userId": staff_id,
                "content": json.dumps(content), "outTrackId": out_track_id, "spaceType": "IM_ROBOT",
                "spaceId": staff_id, "userIdType": 1}
        return await self._push(STREAM_CARD_TOPIC, data, staff_id)

    async def ping(self) -> str:
        return await self._push("ping", {"opaque": uuid.uuid4().hex}, "", type_="SYSTEM")

    async def redeliver(self, message_id: str) -> None:
        """Send a pushed frame again, as the platform does when it saw no ack in time."""
        assert self.current is not None
        frame = self._pushed[message_id][0]
        await self.current.send_str(json.dumps(frame, ensure_ascii=False))

    async def drop(self) -> None:
        if self.current is not None:
            ws, self.current = self.current, None
            await ws.close(code=1011, message=b"server going away")

    def pushed_at(self, message_id: str) -> float:
        return self._pushed[message_id][1]

    async def ack(self, message_id: str, *, timeout: float = 20.0) -> dict[str, Any]:
        return await self.acks.wait(lambda f: f.get("headers", {}).get("messageId") == message_id, timeout=timeout)

    def to_user(self, staff_id: str, start: int = 0) -> list[dict[str, Any]]:
        """Messages, cards and card updates delivered to `staff_id`, oldest first."""
        return [r for r in self.requests.items[start:] if r.get("user") == staff_id
                and r["path"] in ("webhook", "card", "card_update")]


def dingtalk_text(item: dict[str, Any]) -> str:
    if item["path"] == "webhook":
        body = item["body"]
        return str((body.get("markdown") or {}).get("text") or (body.get("text") or {}).get("content", ""))
    data = item["data"]
    return "\n".join(str(data.get(k, "")) for k in ("title", "markdown") if data.get(k))


def dingtalk_buttons(item: dict[str, Any]) -> list[tuple[str, str]]:
    if item["path"] == "webhook":
        return []
    raw = item["data"].get("sys_full_json_obj")
    obj = json.loads(raw) if raw else {}
    return [(b["text"], b["id"]) for b in obj.get("msgButtons", [])]

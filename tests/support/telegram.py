"""Offline Telegram test kit: a BaseRequest that records every Bot API call and answers it like
Telegram would, and factories for updates (built with Update.de_json(..., app.bot)).

In the style of python-telegram-bot's own tests/auxil: nothing leaves the process.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

BOT_ID = 7_000_000
BOT_USERNAME = "libao_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "礼保助手", "username": BOT_USERNAME,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}


# Failures a Bot API call can meet: HTTP answers of Telegram, and time-outs before the request
# reached Telegram ("timeout") or after Telegram acted on it ("lost_response").
_FAULT_ANSWERS: dict[str, tuple[int, dict[str, Any]]] = {
    "500": (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
    "429": (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
                  "parameters": {"retry_after": 7}}),
    "403": (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    "400": (400, {"ok": False, "error_code": 400, "description": "Bad Request: query is too old and response "
                  "timeout expired or query ID is invalid"}),
}
FAULTS = (*_FAULT_ANSWERS, "timeout", "lost_response")


@dataclass(slots=True)
class Call:
    """One Bot API request: the method name and its parameters (JSON-ready values)."""

    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """All inline-keyboard buttons of this call, row by row flattened."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button(self, label_part: str) -> dict[str, Any]:
        for b in self.buttons:
            if label_part in b["text"]:
                return b
        raise AssertionError(f"no button containing {label_part!r} in {[b['text'] for b in self.buttons]}")


class OfflineRequest(BaseRequest):
    """BaseRequest's interface for a Bot API that lives in the test: `answer(method, params)`
    returns (HTTP status, JSON body) or raises the network error a real request would."""

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        params = dict(request_data.parameters) if request_data is not None else {}
        return await self.answer(url.rsplit("/", 1)[-1], params)

    async def answer(self, api_method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        raise NotImplementedError


@dataclass
class RecordingRequest(OfflineRequest):
    """Answers Bot API calls offline and records them in `calls`.

    `members`: user ids getChatMember reports as members of any group; `fail`: method names that
    answer with a Telegram error (HTTP 400 with a description) to exercise error paths; `faults`:
    method names that fail the way a network or Telegram does (see FAULTS)."""

    calls: list[Call] = field(default_factory=list)
    members: set[int] = field(default_factory=set)
    fail: dict[str, str] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(10_000))

    async def answer(self, api_method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        self.calls.append(Call(api_method, params))
        fault = self.faults.get(api_method)
        if fault == "timeout":  # the request never reached Telegram
            self.calls.pop()
            raise TimedOut("connect timed out")
        if fault == "lost_response":  # Telegram did it, the answer never came back
            self._result(api_method, params)
            raise TimedOut("read timed out")
        if fault in _FAULT_ANSWERS:
            status, body = _FAULT_ANSWERS[fault]
            return status, json.dumps(body).encode()
        if api_method in self.fail:
            body = {"ok": False, "error_code": 400, "description": self.fail[api_method]}
            return 400, json.dumps(body).encode()
        body = {"ok": True, "result": self._result(api_method, params)}
        return 200, json.dumps(body).encode()

    # Telegram-like answers --------------------------------------------------------------------------
    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "date": int(time.time()), "from": BOT_USER, "text": params.get("text", ""),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "getChatMember":
            user_id = int(params["user_id"])
            status = "member" if user_id in self.members else "left"
            return {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "U"}}
        return True

    # what the tests look at ----------------------------------------------------------------------------
    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def last(self, method: str = "sendMessage") -> Call:
        calls = self.sent(method)
        assert calls, f"no {method} call; calls were {[c.method for c in self.calls]}"
        return calls[-1]

    def clear(self) -> None:
        self.calls.clear()


class Updates:
    """Factories for incoming updates, deserialised against the application's bot."""

    def __init__(self, bot: Bot):
        self.bot = bot
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    @staticmethod
    def user(user_id: int, first_name: str = "小王") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans"}

    @staticmethod
    def chat(chat_id: int, chat_type: str) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "小王"
        else:
            chat["title"] = "服务中心工作群"
        return chat

    def message_dict(self, text: str | None = None, *, user_id: int, chat_id: int | None = None,
                     chat_type: str = "private", entities: list[dict[str, Any]] | None = None,
                     **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "from": self.user(user_id), "chat": self.chat(chat_id if chat_id is not None else user_id, chat_type),
        }
        if text is not None:
            message["text"] = text
        if entities:
            message["entities"] = entities
        message.update(extra)
        return message

    def _update(self, **fields: Any) -> Update:
        update = Update.de_json({"update_id": next(self._update_ids), **fields}, self.bot)
        assert update is not None
        return update

    def text(self, text: str, *, user_id: int, chat_id: int | None = None, chat_type: str = "private",
             **extra: Any) -> Update:
        """A plain text message; "@libao_test_bot" in it becomes a mention entity."""
        entities = []
        mention = f"@{BOT_USERNAME}"
        if mention in text:
            entities.append({"type": "mention", "offset": _utf16_offset(text, text.index(mention)),
                             "length": len(mention)})
        return self._update(message=self.message_dict(text, user_id=user_id, chat_id=chat_id,
                                                      chat_type=chat_type, entities=entities, **extra))

    def command(self, text: str, *, user_id: int, chat_id: int | None = None, chat_type: str = "private",
                **extra: Any) -> Update:
        """A message starting with a /command (with its bot_command entity)."""
        first = text.split(maxsplit=1)[0]
        entities = [{"type": "bot_command", "offset": 0, "length": len(first)}]
        return self._update(message=self.message_dict(text, user_id=user_id, chat_id=chat_id,
                                                      chat_type=chat_type, entities=entities, **extra))

    def edited(self, text: str, *, user_id: int, chat_type: str = "private") -> Update:
        message = self.message_dict(text, user_id=user_id, chat_type=chat_type, edit_date=int(time.time()))
        return self._update(edited_message=message)

    def sticker(self, *, user_id: int, chat_type: str = "private") -> Update:
        sticker = {"file_id": "CAAC", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "emoji": "😀"}
        return self._update(message=self.message_dict(user_id=user_id, chat_type=chat_type, sticker=sticker))

    def photo(self, *, user_id: int, caption: str | None = None) -> Update:
        photo = [{"file_id": "AgAD", "file_unique_id": "p1", "width": 90, "height": 90}]
        extra: dict[str, Any] = {"photo": photo}
        if caption:
            extra["caption"] = caption
        return self._update(message=self.message_dict(user_id=user_id, **extra))

    def callback(self, data: str | None, *, user_id: int, message: dict[str, Any] | None = None,
                 chat_id: int | None = None) -> Update:
        """A button tap on `message` (by default a fresh bot message in the user's private chat)."""
        if message is None:
            message = {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                       "chat": self.chat(chat_id or user_id, "private" if (chat_id or user_id) > 0 else "supergroup"),
                       "text": "…"}
        query: dict[str, Any] = {"id": str(next(self._update_ids) * 7), "from": self.user(user_id),
                                 "chat_instance": "ci-1", "message": message}
        if data is not None:
            query["data"] = data
        return self._update(callback_query=query)

    def callback_on(self, call: Call, data: str, *, user_id: int) -> Update:
        """A tap on a button of the message a recorded sendMessage produced."""
        chat_id = call.chat_id
        assert chat_id is not None
        message = {"message_id": 555, "date": int(time.time()), "from": BOT_USER,
                    "chat": self.chat(chat_id, "private" if chat_id > 0 else "supergroup"), "text": call.text}
        return self.callback(data, user_id=user_id, message=message)

    def inline(self, query: str, *, user_id: int) -> Update:
        return self._update(inline_query={"id": f"iq{next(self._update_ids)}", "from": self.user(user_id),
                                          "query": query, "offset": ""})


def _utf16_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2

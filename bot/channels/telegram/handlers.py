"""Telegram handlers: thin adapters from updates to the Assistant and back. No business logic here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import (
    BotCommand,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.ratelimit import RateLimiter
from bot.channels.telegram.access import AccessControl, AdmittedUpdates, MembershipUnknown
from bot.channels.telegram.render import render
from bot.core.chat.assistant import Assistant
from bot.core.chat.reply import Reply, Sender
from bot.core.phrases.messages import t

log = logging.getLogger(__name__)

# Commands shown in Telegram's menu (setMyCommands), in this order; officers and admins get their own
# commands added in their private chats (per-chat scope).
MENU_COMMANDS = ("start", "help", "check", "phrase", "settings", "report", "cancel")
ROLE_COMMANDS = {"staff": (), "officer": ("reports",), "admin": ("stats", "inbox")}
_ROLE_KEY = "libao_role"
# The gate's handler group: lower than any other, so it runs first.
GATE_GROUP = -100


def menu_commands(*roles: str) -> list[BotCommand]:
    """The command menu of someone with these roles: everyone's commands, then the roles' own."""
    names = [*MENU_COMMANDS, *(name for role in roles for name in ROLE_COMMANDS[role])]
    return [BotCommand(name, t(f"bot.command_{name}")) for name in names]


@dataclass(slots=True)
class Handlers:
    """The bot's handlers, bound to one Assistant, access control and rate limiter."""

    assistant: Assistant
    access: AccessControl
    limiter: RateLimiter
    admitted: AdmittedUpdates = field(default_factory=lambda: AdmittedUpdates())

    # -- gate: the first handler group; every update passes it or goes no further ---------------------
    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop what is not for us; refuse unknown users; rate-limit per user.

        Fails closed: whatever goes wrong in here (a Bot API error, a time-out, a bug) ends the
        update's processing; only a return from `_admit` lets it reach the feature handlers."""
        try:
            admitted = await self._admit(update, context)
        except Exception as exc:
            log.warning("gate stopped update %s: %s", update.update_id, type(exc).__name__)
            admitted = False
        if not admitted:
            raise ApplicationHandlerStop
        self.admitted.add(update.update_id)

    async def _admit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        if not _addressed_to_bot(update, context.bot.username):
            return False
        user = update.effective_user
        if user is None or user.is_bot:
            return False
        try:
            role = await self.access.role(context.bot, user.id)
        except MembershipUnknown:  # not refused (they may well be staff), not admitted either
            await self._refuse(update, user.id, kind="unverified")
            return False
        if role is None:
            await self._refuse(update, user.id)
            return False
        verdict = self.limiter.check(user.id)
        if verdict != "ok":
            await self._notice(update, t("bot.rate_limited") if verdict == "warn" else None)
            return False
        if context.user_data is not None:
            context.user_data[_ROLE_KEY] = role
        return True

    async def _refuse(self, update: Update, user_id: int, *, kind: str = "refused") -> None:
        """A stranger is told once, in a message they will see; a toast or an inline-mode hint
        does not count as telling them, so their first message still gets the refusal. `kind`
        "unverified": the membership could not be checked, so "try again later" instead."""
        if update.inline_query is not None:
            button = InlineQueryResultsButton(text=t(f"access.{kind}_short"), start_parameter=kind)
            await update.inline_query.answer([], cache_time=0, is_personal=True, button=button)
            return
        if update.callback_query is not None:
            await update.callback_query.answer(t(f"access.{kind}"), show_alert=True)
            return
        if update.effective_message is not None and self.access.refusal_due(user_id, kind=kind):
            await _send(update.effective_message, Reply(t(f"access.{kind}")))
            self.access.refusal_shown(user_id, kind=kind)

    async def _notice(self, update: Update, text: str | None) -> None:
        """A rate-limit notice where the user will see it; silence when `text` is None."""
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        elif update.inline_query is not None:
            await update.inline_query.answer([], cache_time=0, is_personal=True)
        elif text is not None and update.effective_message is not None:
            await _send(update.effective_message, Reply(text))

    # -- commands -----------------------------------------------------------------------------------
    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, /help, /phrase, /settings, /report, /cancel, /stats, /inbox: the Assistant decides."""
        message = update.effective_message
        assert message is not None and message.text is not None
        name = message.text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        args = " ".join(context.args or ())
        sender = _sender(update, context)
        if name == "help":
            reply = self.assistant.help(sender, bot_username=context.bot.username or "")
        else:
            reply = self.assistant.command(sender, name, args)
        await _send(message, reply)

    async def check(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/check DRAFT, or /check as a reply to the message to check."""
        message = update.effective_message
        assert message is not None and message.text is not None
        parts = message.text.split(maxsplit=1)
        draft = parts[1] if len(parts) > 1 else ""
        replied = message.reply_to_message
        if not draft.strip() and replied is not None:
            draft = replied.text or replied.caption or ""
        await _send(message, self.assistant.check(_sender(update, context), draft))

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await _send(update.effective_message, Reply(t("bot.unknown_command")))

    # -- messages -------------------------------------------------------------------------------------
    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text: a question (private chat) or a mention of the bot (group)."""
        message = update.effective_message
        assert message is not None and message.text is not None
        text = message.text
        if message.chat.type != ChatType.PRIVATE and context.bot.username:
            text = text.replace(f"@{context.bot.username}", " ")
        await _send(message, await self.assistant.text_async(_sender(update, context), text))

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files… in a private chat: the Assistant says what to send."""
        assert update.effective_message is not None
        await _send(update.effective_message, self.assistant.not_text(_sender(update, context)))

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Edited messages are not re-processed; say so once per edit (private chats only)."""
        assert update.effective_message is not None
        await _send(update.effective_message, Reply(t("bot.edited")))

    # -- buttons and inline mode -------------------------------------------------------------------------
    async def tap(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button: the Assistant validates the data; edit the message or send a new one."""
        query = update.callback_query
        assert query is not None
        reply = self.assistant.tap(_sender(update, context), query.data or "")
        await query.answer(reply.toast)
        message = query.message if isinstance(query.message, Message) else None
        if not reply.text:
            return
        if reply.edit and message is not None:
            texts, markup = render(reply)
            if len(texts) == 1:
                try:
                    await message.edit_text(texts[0], reply_markup=markup)
                    return
                except BadRequest as exc:
                    if "not modified" in str(exc).lower():
                        return
                    log.info("could not edit message, sending a new one: %s", type(exc).__name__)
        if message is not None:
            await _send(message, reply, quote=False)
        elif update.effective_user is not None:  # inaccessible (too old) message: write privately
            await _send_to(context, update.effective_user.id, reply)

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline mode (@bot 道歉 in any chat): standard phrases to insert."""
        query = update.inline_query
        assert query is not None
        items = self.assistant.inline(_sender(update, context), query.query)
        results = [InlineQueryResultArticle(id=item.id, title=item.title, description=item.description,
                                            input_message_content=InputTextMessageContent(item.text))
                   for item in items]
        await query.answer(results, cache_time=30, is_personal=True)


# ============================================================================= handler registration
def register_handlers(app: Application, handlers: Handlers) -> None:
    """Register every handler of the bot, in the order Telegram updates are tried.

    GATE_GROUP: the gate (access control, rate limit, "is this for me?") sees every update first and
                stops the ones that must go no further (ApplicationHandlerStop), also when it fails.
    group  0: the first matching handler below answers.
    """
    app.add_handler(TypeHandler(Update, handlers.gate), group=GATE_GROUP)

    # Edited messages are never re-processed: a polite note in private chats, silence in groups.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.ChatType.PRIVATE, handlers.edited))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, _ignore))

    # Commands (in groups also as /cmd@botname; other bots' commands never reach here, see the gate).
    app.add_handler(CommandHandler("check", handlers.check))
    app.add_handler(CommandHandler(
        ["start", "help", "phrase", "settings", "report", "reports", "cancel", "stats", "inbox"], handlers.command))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))

    # Free text: any text in a private chat; in groups only a mention of the bot (the gate checks
    # that the mention is ours).
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, handlers.text))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.GROUPS & filters.Entity(MessageEntity.MENTION),
                                   handlers.text))

    # Anything else in a private chat (stickers, photos, voice, files, locations…): ask for text.
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT, handlers.not_text))

    # Buttons under our replies, and inline mode.
    app.add_handler(CallbackQueryHandler(handlers.tap))
    app.add_handler(InlineQueryHandler(handlers.inline))
# ============================================================================= end registration


async def _ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    return None


def _sender(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Sender:
    user = update.effective_user
    assert user is not None
    chat = update.effective_chat
    role = (context.user_data or {}).get(_ROLE_KEY, "staff")
    return Sender(user_id=user.id, role=role, first_name=user.first_name or "", username=user.username or "",
                  chat_id=chat.id if chat is not None else None,
                  private=chat is not None and chat.type == "private", update_key=f"tg:{update.update_id}")


def _addressed_to_bot(update: Update, username: str | None) -> bool:
    """Private chats, buttons and inline queries always; in groups only commands and mentions."""
    if update.callback_query is not None or update.inline_query is not None:
        return True
    message = update.message or update.edited_message
    if message is None:
        return False  # channel posts, membership updates, polls…
    if message.chat.type == ChatType.PRIVATE:
        return True
    if message.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return False
    entities = message.parse_entities([MessageEntity.BOT_COMMAND, MessageEntity.MENTION])
    for entity, value in entities.items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, _, target = value.partition("@")
            return not target or (username is not None and target.lower() == username.lower())
        if entity.type == MessageEntity.MENTION and username and value[1:].lower() == username.lower():
            return True
    return False


async def _send(message: Message, reply: Reply, *, quote: bool | None = None) -> None:
    """Send `reply` into the chat of `message`; in groups as a reply to it."""
    texts, markup = render(reply)
    if quote is None:
        quote = message.chat.type != ChatType.PRIVATE
    params = ReplyParameters(message.message_id, allow_sending_without_reply=True) if quote else None
    for i, text in enumerate(texts):
        last = i == len(texts) - 1
        await message.get_bot().send_message(message.chat.id, text, reply_markup=markup if last else None,
                                             reply_parameters=params if i == 0 else None)


async def _send_to(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply) -> None:
    texts, markup = render(reply)
    for i, text in enumerate(texts):
        await context.bot.send_message(chat_id, text, reply_markup=markup if i == len(texts) - 1 else None)

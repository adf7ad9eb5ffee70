"""The channel-neutral assistant: what a user sends in, plain replies (text + buttons) out.

Every channel only renders what this returns; all decisions live here. Nothing in this module knows
about a platform or SQL: storage is the `ChatStore` protocol, text comes from the view functions.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.core.ask.knowledge import Entry
from bot.core.ask.matcher import AskResult, Matcher
from bot.core.chat import views
from bot.core.chat.callbacks import decode, encode
from bot.core.chat.reply import COPY_MAX_CHARS, Button, InlineItem, Keyboard, Reply, Sender
from bot.core.chat.store import ChatStore
from bot.core.check.checker import Checker, CheckResult
from bot.core.phrases import placeholders
from bot.core.phrases.messages import t
from bot.core.phrases.phrasebook import Phrasebook
from bot.core.phrases.placeholders import SETTINGS
from bot.core.rulebook.answer import linked_clauses
from bot.core.rulebook.curate import accept, token
from bot.core.rulebook.inbox import Cluster, cluster_questions, inbox_questions
from bot.core.text.inputs import (
    MAX_DRAFT_CHARS,
    MAX_QUESTION_CHARS,
    CleanInput,
    clean_input,
    has_surrogates,
    scrub,
)
from bot.core.text.language import shipped_check_language

if TYPE_CHECKING:
    from bot.core.cache import CacheDir

SETTING_MAX_CHARS = 40


class ReportFlow(Protocol):
    """The leak-report conversation behind `/report`: `on_text` sees a user's messages first (None
    when the user is not in a report conversation); buttons of callback kind "r" go to `on_tap`.
    `active` names the report conversation the user is in (None: none), `resume` shows where it is."""

    def start(self, sender: Sender, args: str) -> Reply: ...
    def on_text(self, sender: Sender, text: str) -> Reply | None: ...
    def on_tap(self, sender: Sender, payload: str) -> Reply: ...
    def cancel(self, sender: Sender) -> bool: ...
    def active(self, sender: Sender) -> str | None: ...
    def resume(self, sender: Sender) -> Reply: ...


# A settings prompt waits this long for its value; later text is a question again.
PROMPT_SECONDS = 30 * 60
# A 👎 within this time of the answer brings its (masked) question into the curation inbox.
ASKED_SECONDS = 60 * 60
INBOX_QUESTIONS = 2000  # the newest inbox questions clustered for /inbox
INBOX_SHOWN = 5  # clusters listed, each with its accept button


@dataclass(frozen=True, slots=True)
class AssistantOptions:
    """Privacy switches (config `privacy:`) and display limits."""

    store_votes: bool = True
    store_unanswered: bool = False
    max_candidates: int = 4
    max_related: int = 3


# ----------------------------------------------------------------------------- the assistant


class Assistant:
    """Turns commands, free text and button taps into replies. One instance serves all users."""

    def __init__(self, matcher: Matcher, store: ChatStore, *, checker: Checker | None = None,
                 phrasebook: Phrasebook | None = None, report_flow: ReportFlow | None = None,
                 options: AssistantOptions | None = None, clock: Callable[[], float] = time.time):
        self.matcher = matcher
        self.clock = clock
        self.store = store
        self.checker = checker
        self.phrasebook = phrasebook
        self.report_flow = report_flow
        self.options = options or AssistantOptions()
        self._taps: dict[str, Callable[[Sender, tuple[str, ...]], Reply]] = {
            "a": self._tap_answer, "c": self._tap_choice, "v": self._tap_vote, "n": self._tap_none,
            "x": self._tap_example, "p": self._tap_phrase, "s": self._tap_setting, "r": self._tap_report,
            "f": self._tap_flow, "e": self._tap_full, "l": self._tap_leak_report, "i": self._tap_inbox,
        }

    # -- entry points ------------------------------------------------------------------------------
    def command(self, sender: Sender, name: str, args: str = "") -> Reply:
        """A slash command by name (without the slash), e.g. ("check", "草稿")."""
        name, args = scrub(name).lower(), scrub(args)
        if name in ("start", "help"):
            return self.start(sender) if name == "start" else self.help(sender)
        if name == "check":
            return self.check(sender, args)
        if name == "phrase":
            return self.phrase(sender, args)
        if name == "settings":
            return self.settings(sender, args)
        if name == "report":
            return self.report(sender, args)
        if name == "reports":  # the officers' list (the same as "/report list")
            return self.report(sender, args or "list")
        if name == "cancel":
            return self.cancel(sender)
        if name == "stats":
            return self.stats(sender)
        if name == "inbox":
            return self.inbox(sender)
        return Reply(t("bot.unknown_command"))

    def text(self, sender: Sender, text: str) -> Reply:
        """Free text: an answer to a pending prompt (report, settings), otherwise a question."""
        text = scrub(text)  # a forged update can carry lone surrogates; nothing downstream could encode them
        return self._prompted(sender, text) or self.ask(sender, text)

    async def text_async(self, sender: Sender, text: str) -> Reply:
        """`text` for channels on an event loop: matching a question (an embedding, tens of ms of
        CPU) runs in a worker thread, so other users' updates are served meanwhile. Everything that
        touches storage stays on the caller's thread."""
        text = scrub(text)  # a forged update can carry lone surrogates; nothing downstream could encode them
        prompted = self._prompted(sender, text)
        if prompted is not None:
            return prompted
        cleaned = clean_input(text, max_chars=MAX_QUESTION_CHARS)
        if cleaned.problem:
            return Reply(t(cleaned.problem))
        result = await asyncio.to_thread(self.matcher.ask, cleaned.text, limit=self.options.max_candidates)
        return self._question_reply(sender, cleaned, result)

    def _prompted(self, sender: Sender, text: str) -> Reply | None:
        """The reply when `text` answers a pending prompt (report conversation, settings value)."""
        claimed = self.report_flow.on_text(sender, text) if self.report_flow else None
        if claimed is not None:
            return claimed
        pending = self._settings_prompt(sender)
        if pending is not None:
            self.store.end_flow(_scope(sender))
            return self._setting_answer(sender, pending, text)
        return None

    def tap(self, sender: Sender, data: str) -> Reply:
        """A button tap with its callback data; forged or stale data gets the polite 'expired'."""
        parsed = decode(data) if not has_surrogates(data) else None
        handler = self._taps.get(parsed[0]) if parsed else None
        if parsed is None or handler is None:
            return self.expired()
        return handler(sender, parsed[1])

    def inline(self, sender: Sender, query: str, *, limit: int = 10) -> tuple[InlineItem, ...]:
        """Inline mode: standard phrases matching `query`, filled with the user's settings."""
        if self.phrasebook is None:
            return ()
        query = scrub(query).strip()[:64]
        settings = self.store.get_settings(sender.user_id)
        if query:
            ids = [sid for sid, _ in self._find_scenarios(query, limit=limit)]
        else:
            ids = [sid for sid, _ in self._scenario_list()][:limit]
        items = []
        for sid in ids:
            title = self._scenario_title(sid)
            for i, text in enumerate(self._render_phrases(sid, settings)):
                items.append(InlineItem(id=f"{sid}.{i}"[:64], title=title, description=views.preview(text), text=text))
        return tuple(items[:limit])

    def expired(self) -> Reply:
        return Reply(t("bot.expired"), toast=t("bot.expired_short"))

    # -- /start, /help, /cancel, /stats ---------------------------------------------------------------
    def start(self, sender: Sender) -> Reply:
        greeting = t("start.greeting_name", name=sender.first_name) if sender.first_name else t("start.greeting")
        buttons = tuple((Button(t(f"start.example{i}_label"), encode("x", str(i))),) for i in range(3))
        return Reply(greeting + "\n" + t("start.body"), buttons)

    def help(self, sender: Sender, *, bot_username: str = "") -> Reply:
        """Usage; `bot_username` (Telegram) adds the inline-mode hint."""
        text = t("help.body")
        if bot_username:
            text += "\n" + t("help.inline", bot=bot_username)
        if sender.role == "officer":
            text += "\n" + t("help.officer")
        if sender.role == "admin":
            text += "\n" + t("help.admin")
        return Reply(text)

    def not_text(self, sender: Sender) -> Reply:
        """A photo, sticker, file… In a report conversation: a warning about images of classified
        material and the current step again; otherwise: ask for text."""
        if self.report_flow is not None and self.report_flow.active(sender) is not None:
            step = self.report_flow.resume(sender)
            return Reply(t("report.not_text") + "\n\n" + step.text, step.buttons)
        return Reply(t("bot.text_only"))

    def cancel(self, sender: Sender) -> Reply:
        had = self._settings_prompt(sender) is not None
        self.store.end_flow(_scope(sender))
        had = (self.report_flow is not None and self.report_flow.cancel(sender)) or had
        return Reply(t("bot.cancelled") if had else t("bot.nothing_to_cancel"))

    def stats(self, sender: Sender) -> Reply:
        """Admins: what users found unhelpful, and questions without an answer (curation)."""
        if sender.role != "admin":
            return Reply(t("access.admin_only"))
        votes = self.store.vote_summary()[:10]
        lines = [t("bot.stats_votes_title")]
        for row in votes:
            entry = self.matcher.kb.get(str(row["entry_id"]))
            title = entry.title if entry else str(row["entry_id"])
            lines.append(t("bot.stats_vote_line", title=title, up=row["up"], down=row["down"]))
        if not votes:
            lines.append(t("bot.stats_none"))
        lines.append(t("bot.stats_unanswered_title"))
        questions = self.store.unanswered(limit=10)
        lines += [f"· {views.preview(str(q['question']))}" for q in questions] or [t("bot.stats_none")]
        return Reply("\n".join(lines))

    # -- questions -------------------------------------------------------------------------------------
    def ask(self, sender: Sender, question: str) -> Reply:
        cleaned = clean_input(question, max_chars=MAX_QUESTION_CHARS)
        if cleaned.problem:
            return Reply(t(cleaned.problem))
        return self._question_reply(sender, cleaned,
                                    self.matcher.ask(cleaned.text, limit=self.options.max_candidates))

    def _question_reply(self, sender: Sender, cleaned: CleanInput, result: AskResult) -> Reply:
        reply = self._render_result(result)
        if self.options.store_unanswered and self.checker is not None:
            # Masked where it is found: the inbox never holds a phone or ID number a user typed.
            if result.status in ("unknown", "clause"):
                # Clause answers are not curated yet: they go to the curation inbox like unanswered ones.
                self.store.add_unanswered(self.checker.check(cleaned.text).masked_draft())
            elif result.status == "answer":  # kept (masked, hashed scope) only so that a 👎 can bring it in
                asked = {"q": self.checker.check(cleaned.text).masked_draft(), "e": result.matches[0].entry.id}
                self.store.put_flow(_asked_scope(sender), "asked", json.dumps(asked, ensure_ascii=False))
        if cleaned.truncated:
            reply = Reply(t("input.truncated", limit=MAX_QUESTION_CHARS) + "\n" + reply.text, reply.buttons)
        return reply

    def _render_result(self, result: AskResult) -> Reply:
        if result.status == "unknown":
            return Reply(t("ask.unknown"))
        if result.status == "clarify":
            rows = tuple((Button(m.entry.title, encode("c", m.entry.id)),) for m in result.matches)
            return Reply(t("ask.clarify"), (*rows, (Button(t("bot.none_of_these"), encode("n")),)))
        if result.status == "clause":
            return Reply(views.clause_text(result.matches))
        return self.answer(result.matches[0].entry,
                           also=result.answered[1].entry if len(result.answered) > 1 else None)

    def answer(self, entry: Entry, *, voted: int = 0, full: bool = False, also: Entry | None = None) -> Reply:
        """An entry as a phone-sized reply: the rule's lead and one short source line (and the lead of
        `also`, the other part of one rule), a button to the full rule with every citation ("依据" when
        several documents are cited), "report a leak" on rules about leaks (when reports are on),
        related questions, and 👍/👎 (until voted)."""
        related = [r for r in (self.matcher.kb.get(i) for i in entry.related) if r is not None and r is not also]
        related = related[: self.options.max_related]
        view = views.answer_view(entry, related, voted=voted, full=full, clauses=linked_clauses(self.matcher, entry),
                                 also=also)
        rows: list[tuple[Button, ...]] = [(Button("↪ " + r.title, encode("a", r.id)),) for r in related]
        if view.expandable:
            label = t("bot.citations_label") if view.several_documents else t("bot.full_answer_label")
            rows.append((Button(label, encode("e", entry.id)),))
        if view.report and self.report_flow is not None:
            rows.append((Button(t("bot.report_leak_label"), encode("l")),))
        if not voted:
            rows.append((Button(t("vote.up_label"), encode("v", entry.id, "+")),
                         Button(t("vote.down_label"), encode("v", entry.id, "-"))))
        return Reply(view.text, tuple(rows))

    def _tap_full(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        """"依据" / "详细": the same answer, in full with every citation, in place of the short one."""
        entry = self.matcher.kb.get(parts[0]) if len(parts) == 1 else None
        if entry is None:
            return self.expired()
        reply = self.answer(entry, full=True)
        return Reply(reply.text, reply.buttons, edit=True)

    def _tap_leak_report(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        """"报告泄密隐患" under a rule about leaks: the /report conversation starts."""
        if parts:
            return self.expired()
        return self.report(sender)

    def _tap_answer(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        entry = self.matcher.kb.get(parts[0]) if len(parts) == 1 else None
        if entry is None:
            return self.expired()
        return self.answer(entry)

    def _tap_choice(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        """A candidate of a clarify reply: the answer replaces the candidates."""
        reply = self._tap_answer(sender, parts)
        return reply if reply.toast else Reply(reply.text, reply.buttons, edit=True)

    def _tap_vote(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if len(parts) != 2 or parts[1] not in ("+", "-"):
            return self.expired()
        entry = self.matcher.kb.get(parts[0])
        if entry is None:
            return self.expired()
        vote = 1 if parts[1] == "+" else -1
        if self.options.store_votes:
            self.store.add_vote(sender.user_id, entry.id, vote)
        if vote < 0 and self.options.store_unanswered:
            self._down_to_inbox(sender, entry.id)
        reply = self.answer(entry, voted=vote)
        return Reply(reply.text, reply.buttons, edit=True, toast=t("vote.toast"))

    def _down_to_inbox(self, sender: Sender, entry_id: str) -> None:
        """The question this user just got `entry_id` for, into the inbox marked with that entry."""
        scope = _asked_scope(sender)
        flow = self.store.get_flow(scope, newer_than=self.clock() - ASKED_SECONDS)
        if flow is None or flow[0] != "asked":
            return
        try:
            asked = json.loads(flow[1])
        except ValueError:
            return
        if isinstance(asked, dict) and asked.get("e") == entry_id and isinstance(asked.get("q"), str):
            self.store.add_unanswered(asked["q"], entry_id=entry_id)
            self.store.end_flow(scope)

    # -- the curation inbox (admins) -----------------------------------------------------------------
    def _clusters(self) -> list[Cluster]:
        return cluster_questions(self.matcher, inbox_questions(self.store.unanswered(limit=INBOX_QUESTIONS)))

    def inbox(self, sender: Sender) -> Reply:
        """Admins: unanswered and 👎 questions in clusters, each with its likely home and an accept button."""
        if sender.role != "admin":
            return Reply(t("access.admin_only"))
        clusters = self._clusters()
        if not clusters:
            return Reply(t("inbox.empty"))
        shown = clusters[:INBOX_SHOWN]
        lines = [t("inbox.head", questions=sum(len(c.questions) for c in clusters), clusters=len(clusters),
                   shown=len(shown))]
        rows: list[tuple[Button, ...]] = []
        for n, c in enumerate(shown, 1):
            lines.append(t("inbox.cluster", n=n, size=len(c.questions), example=views.preview(c.representative)))
            if c.voted_down:
                lines.append(t("inbox.voted_down", count=c.voted_down))
            if c.kind == "entry":
                lines.append(t("inbox.target_entry", title=c.target_title))
            elif c.kind == "clause":
                lines.append(t("inbox.target_clause", citation=c.target_title))
            else:
                lines.append(t("inbox.target_none"))
            rows.append((Button(t("inbox.accept_label", n=n), encode("i", token(c))),))
        return Reply("\n".join(lines), tuple(rows))

    def _tap_inbox(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        """Accept one cluster: only an admin, only a cluster that is still in the inbox as listed."""
        if sender.role != "admin":
            return Reply(t("access.admin_only"))
        if len(parts) != 1:
            return self.expired()
        cluster = next((c for c in self._clusters() if token(c) == parts[0]), None)
        if cluster is None:
            return Reply(t("inbox.gone"))
        directory = self.matcher.kb.directory
        if directory is None:
            return Reply(t("inbox.no_directory"))
        done = accept(cluster, self.matcher, directory, self.store)
        if done.problems:
            return Reply(t("inbox.lint_failed"))
        key = "inbox.accepted_alt" if done.kind == "alternate" else "inbox.accepted_draft"
        return Reply(t(key, question=done.question, id=done.id, file=done.path.name))

    def _tap_none(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if parts:
            return self.expired()
        return Reply(t("bot.rephrase"), edit=True)

    def _tap_example(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if parts == ("0",):
            return self.ask(sender, t("start.example0_text"))
        if parts == ("1",):
            return self.check(sender, t("start.example1_text"))
        if parts == ("2",):
            return self.phrase(sender, t("start.example2_text"))
        return self.expired()

    # -- draft check -----------------------------------------------------------------------------------
    def check(self, sender: Sender, draft: str) -> Reply:
        if self.checker is None:
            return Reply(t("bot.feature_unavailable"))
        if not draft.strip():
            return Reply(t("bot.check_usage"))
        cleaned = clean_input(draft, max_chars=MAX_DRAFT_CHARS)
        if cleaned.problem:
            return Reply(t(cleaned.problem))
        result = self.checker.check(cleaned.text)
        reply = self._render_check(result)
        if cleaned.truncated:
            reply = Reply(t("check.truncated", limit=MAX_DRAFT_CHARS) + "\n" + reply.text, reply.buttons)
        return reply

    def _render_check(self, result: CheckResult) -> Reply:
        """The check view, with the standard phrase of each scenario a rule points to (buttons, filled
        with the user's settings) and, when personal data was found, the masked draft to copy."""
        rows: list[tuple[Button, ...]] = []
        known = dict(self._scenario_list())
        scenario_of = {r.id: r.scenario for r in self.checker.ruleset.rules} if self.checker else {}
        for sid in dict.fromkeys(scenario_of.get(f.rule) for f in result.findings):
            if sid and sid in known:
                rows.append((Button(t("bot.check_phrase_label", title=known[sid]), encode("p", sid)),))
        masked = result.masked_draft()
        if any(f.kind == "pii" for f in result.findings) and len(masked) <= COPY_MAX_CHARS:
            rows.append((Button(t("bot.copy_masked_label"), copy_text=masked),))
        return Reply(views.check_text(result), tuple(rows))

    # -- phrases -----------------------------------------------------------------------------------------
    def _scenario_list(self) -> list[tuple[str, str]]:
        """(id, title) of every scenario of the phrasebook, in its order."""
        return [(sc.id, sc.title) for sc in self.phrasebook.scenarios] if self.phrasebook else []

    def _scenario_title(self, scenario_id: str) -> str:
        scenario = self.phrasebook.get(scenario_id) if self.phrasebook else None
        return scenario.title if scenario else scenario_id

    def _find_scenarios(self, query: str, *, limit: int) -> list[tuple[str, float]]:
        assert self.phrasebook is not None
        return [(sc.id, score) for sc, score in self.phrasebook.find(query, limit=limit)]

    def _render_phrases(self, scenario_id: str, settings: dict[str, str]) -> list[str]:
        assert self.phrasebook is not None
        return self.phrasebook.render(scenario_id, settings)

    def phrase(self, sender: Sender, query: str) -> Reply:
        if self.phrasebook is None:
            return Reply(t("bot.feature_unavailable"))
        query = query.strip()
        if query:
            hits = self._find_scenarios(query[:64], limit=5)
            if len(hits) == 1 or (len(hits) > 1 and hits[0][1] - hits[1][1] >= 10):
                return self.render_phrase(sender, hits[0][0])
            if hits:
                rows = tuple((Button(self._scenario_title(sid), encode("p", sid)),) for sid, _ in hits)
                return Reply(t("bot.phrase_pick"), rows)
            return Reply(t("bot.phrase_not_found", query=views.preview(query)), self._scenario_keyboard())
        return Reply(t("bot.phrase_menu"), self._scenario_keyboard())

    def _scenario_keyboard(self) -> Keyboard:
        buttons = [Button(title, encode("p", sid)) for sid, title in self._scenario_list()]
        return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))

    def render_phrase(self, sender: Sender, scenario_id: str) -> Reply:
        scenario = self.phrasebook.get(scenario_id) if self.phrasebook else None
        if scenario is None:
            return self.expired()
        settings = self.store.get_settings(sender.user_id)
        texts = self._render_phrases(scenario_id, settings)
        raw = "".join(scenario.phrases)
        missing = [p.name for p in SETTINGS if p.name not in settings and "{" + p.name + "}" in raw]
        rows: list[tuple[Button, ...]] = []
        copies = [Button(t("bot.copy_label") + (f" {i}" if len(texts) > 1 else ""), copy_text=text)
                  for i, text in enumerate(texts, 1) if len(text) <= COPY_MAX_CHARS]
        rows += [tuple(copies[i:i + 3]) for i in range(0, len(copies), 3)]
        rows.append((Button(t("bot.insert_elsewhere_label"), switch_inline=self._scenario_title(scenario_id)),))
        return Reply(views.phrase_text(scenario, texts, missing=missing), tuple(rows))

    def _tap_phrase(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if self.phrasebook is None or len(parts) != 1 or parts[0] not in dict(self._scenario_list()):
            return self.expired()
        return self.render_phrase(sender, parts[0])

    # -- settings ----------------------------------------------------------------------------------------
    def settings(self, sender: Sender, args: str = "") -> Reply:
        """Show the placeholder values; "/settings 单位 某某公司" sets one directly. Private chats
        only: in a group the values would be shown to everyone."""
        if not sender.private:
            return Reply(t("settings.private_only"))
        args = args.strip()
        if args:
            label, _, value = args.partition(" ")
            field = _setting(label.strip())
            if field is None:
                return Reply(t("settings.usage"), self._settings_keyboard())
            if not value.strip():
                return self._prompt(sender, field)
            return self._set_setting(sender, field, value)
        return self._settings_view(sender)

    def _settings_view(self, sender: Sender, *, prefix: str = "", edit: bool = False) -> Reply:
        values = self.store.get_settings(sender.user_id)
        lines = ([prefix] if prefix else []) + [t("settings.title")]
        for p in SETTINGS:
            lines.append(t("settings.line", field=p.name, value=values.get(p.name) or t("settings.unset")))
        lines.append(t("settings.explain"))
        return Reply("\n".join(lines), self._settings_keyboard(), edit=edit)

    def _settings_keyboard(self) -> Keyboard:
        fields = tuple(Button(t("settings.set_label", field=p.name), encode("s", p.key)) for p in SETTINGS)
        return (fields, (Button(t("settings.clear_label"), encode("s", "clear")),))

    def _settings_prompt(self, sender: Sender) -> str | None:
        """The settings field this conversation's next message is the value of, if any."""
        flow = self.store.get_flow(_scope(sender), newer_than=self.clock() - PROMPT_SECONDS)
        return flow[1] if flow is not None and flow[0] == "settings" else None

    def _prompt(self, sender: Sender, key: str) -> Reply:
        label = placeholders.get(key).name
        busy = self.report_flow.active(sender) if self.report_flow else None
        if busy is not None:
            return self._busy(busy, t("settings.flow_name", field=label), ("s", key))
        self.store.put_flow(_scope(sender), "settings", key)
        return Reply(t("settings.prompt", field=label))

    def _setting_answer(self, sender: Sender, key: str, text: str) -> Reply:
        """The message after a settings prompt: the value, unless it reads as a question; then it is
        answered as one and nothing is saved (the reply says so and how to save it after all)."""
        value = " ".join(text.split())
        question = value.endswith(("?", "？")) or any(w in value for w in shipped_check_language().interrogatives)
        if not question:
            return self._set_setting(sender, key, value)
        label = placeholders.get(key).name
        answer = self.ask(sender, text)
        note = t("settings.not_saved_question", field=label, value=views.preview(value))
        return Reply(note + "\n\n" + answer.text, answer.buttons)

    def _busy(self, current: str, target: str, then: tuple[str, ...]) -> Reply:
        """The user is in the middle of `current` and asked for `target`: continue, or cancel and go on."""
        return Reply(t("flow.busy", current=current, target=target), (
            (Button(t("flow.continue", current=current), encode("f", "cont")),),
            (Button(t("flow.switch", target=target), encode("f", "stop", *then)),),
        ))

    def _tap_flow(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        """The buttons of `_busy`: show the current step again, or cancel it and start the other."""
        if parts == ("cont",):
            if self.report_flow is not None and self.report_flow.active(sender) is not None:
                return self.report_flow.resume(sender)
            pending = self._settings_prompt(sender)
            if pending is not None:
                return Reply(t("settings.prompt", field=placeholders.get(pending).name))
            return Reply(t("bot.nothing_to_cancel"))
        if not parts or parts[0] != "stop":
            return self.expired()
        self.store.end_flow(_scope(sender))
        if self.report_flow is not None:
            self.report_flow.cancel(sender)
        then = parts[1:]
        if len(then) == 2 and then[0] == "s" and then[1] in {p.key for p in SETTINGS}:
            return self._prompt(sender, then[1])
        if then == ("report",):
            return self.report(sender, "")
        return Reply(t("bot.cancelled"))

    def _set_setting(self, sender: Sender, key: str, value: str) -> Reply:
        label = placeholders.get(key).name
        value = " ".join(value.split())
        if not value or len(value) > SETTING_MAX_CHARS or not clean_input(value, max_chars=SETTING_MAX_CHARS).text:
            return Reply(t("settings.invalid", field=label, limit=SETTING_MAX_CHARS))
        self.store.set_setting(sender.user_id, label, value)
        return self._settings_view(sender, prefix=t("settings.saved", field=label, value=value))

    def _tap_setting(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if not sender.private:
            return Reply(t("settings.private_only"), toast=t("settings.private_only"))
        if parts == ("clear",):
            self.store.clear_settings(sender.user_id)
            self.store.end_flow(_scope(sender))
            return self._settings_view(sender, prefix=t("settings.cleared"), edit=True)
        if len(parts) == 1 and parts[0] in {p.key for p in SETTINGS}:
            return self._prompt(sender, parts[0])
        return self.expired()

    # -- leak report ---------------------------------------------------
    def report(self, sender: Sender, args: str = "") -> Reply:
        if self.report_flow is None:
            return Reply(t("report.disabled"))
        pending = self._settings_prompt(sender) if not args.strip() else None
        if pending is not None:
            label = t("settings.flow_name", field=placeholders.get(pending).name)
            return self._busy(label, t("report.flow_name.new"), ("report",))
        return self.report_flow.start(sender, args)

    def _tap_report(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if self.report_flow is None:
            return self.expired()
        return self.report_flow.on_tap(sender, ":".join(parts))


def _scope(sender: Sender) -> str:
    """The conversation a flow belongs to: this user in this chat."""
    chat = sender.chat_id if sender.chat_id is not None else sender.user_id
    return f"{chat}:{sender.user_id}"


def _asked_scope(sender: Sender) -> str:
    """Where the last answered question of a conversation waits for a possible 👎 (beside its flow)."""
    return _scope(sender) + ":asked"


def _setting(label: str) -> str | None:
    """The key of the user setting called `label` ("单位" or "unit"), None if there is none."""
    field = placeholders.by_label(label)
    return field.key if field is not None and field in SETTINGS else None


def load_assistant(store: ChatStore, *, knowledge_dir: Path | None = None,
                   options: AssistantOptions | None = None, cache: CacheDir | None = None,
                   prepare: bool = False) -> Assistant:
    """The assistant over the shipped (or given) knowledge, rules and phrasebook; the index comes
    from `cache` when valid. Raises DataError when any data file is broken (start-up is refused).

    `prepare` (a long-lived process: `serve`, `chat`): the checker is built and prepared
    (`Checker.prepare`) first, before the ask engine is loaded. Its build leaves memory free inside
    the allocator's arenas (the patterns' alternatives, its loading's temporaries), which the ask
    engine's objects then fill; loaded after it, they took new memory (serving peak RSS 12–13 MiB more)."""
    from bot.core.ask.index_cache import load_matcher
    from bot.core.check.checker import default_checker
    from bot.core.phrases.phrasebook import default_phrasebook

    checker = default_checker()
    if prepare:
        checker.prepare()
    return Assistant(load_matcher(knowledge_dir, cache=cache), store, checker=checker,
                     phrasebook=default_phrasebook(), options=options)

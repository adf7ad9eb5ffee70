"""Answers sized for a phone: the rule's lead and one short source line; the full rule with every
citation behind one button ("依据" when several documents are cited); rules about leaks offer to
report one. Driven through Telegram (process_update) and the console: one view path for both."""

from __future__ import annotations

import re

from support.clock import Clock
from support.reports import KEY
from support.tgbot import STAFF, make_bot

from bot.channels.console.app import ConsoleChat
from bot.core.chat import views
from bot.core.chat.assistant import Assistant
from bot.core.chat.reply import Sender
from bot.core.chat.store import MemoryStore
from bot.core.phrases.messages import t
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import AssistantReportFlow, ReportService
from bot.storage import ReportStore, connect

SENTENCE_END = re.compile(r"[。！？!?]")


def test_every_answer_fits_a_phone_and_loses_nothing_behind_its_button(kb):
    for entry in kb.entries:
        short = views.answer_view(entry)
        title, rule, source = short.text.splitlines()[:3]
        assert title == f"【{entry.title}】"
        assert rule == views.lead(entry.answer) and "（《" not in rule
        sentences = len(SENTENCE_END.findall(rule))
        assert sentences <= 1 or (sentences == 2 and len(rule) <= views.LEAD_CHARS)
        assert source.startswith(t("ask.source", source="")) and len(source) <= views.SOURCE_CHARS + 4
        full = views.answer_view(entry, full=True)
        assert entry.answer in full.text and all(s.cite() in full.text for s in entry.sources)
        assert not full.expandable
        documents = len({s.doc for s in entry.sources})
        assert short.several_documents == (documents > 1)
        assert short.expandable == (short.text != full.text)


async def test_several_documents_collapse_behind_the_citations_button(matcher, kb):
    entry = next(e for e in kb.entries if len({s.doc for s in e.sources}) > 2)
    bot = await make_bot(matcher, Clock())
    try:
        await bot.send(bot.updates.callback(f"1a:{entry.id}", user_id=STAFF))
        shown = bot.request.last()
        assert entry.sources[1].cite() not in shown.text and t("ask.source", source="") in shown.text
        tap = bot.updates.callback_on(shown, shown.button(t("bot.citations_label"))["callback_data"], user_id=STAFF)
        bot.clock.now += 60
        await bot.send(tap)
        edited = bot.request.last("editMessageText")
        assert entry.answer in edited.text and all(s.cite() in edited.text for s in entry.sources)
        assert not [b for b in edited.buttons if b.get("text") == t("bot.citations_label")]
    finally:
        await bot.app.shutdown()
    assert bot.errors == []


def _console(matcher, tmp_path, user_id: int = 7) -> ConsoleChat:
    service = ReportService(store=ReportStore(connect(tmp_path / "r.db")), sealer=Sealer(KEY),
                            policy=ReportPolicy(officers=(99,)))
    assistant = Assistant(matcher, MemoryStore(), report_flow=AssistantReportFlow(service))
    return ConsoleChat(assistant, Sender(user_id=user_id))


def test_a_rule_about_a_leak_offers_to_report_it_and_the_button_starts_the_report(matcher, kb, tmp_path):
    leak_rules = [e for e in kb.entries if views.REPORT_TAG in e.tags[2:]]
    assert leak_rules and all(e.domain == "secrecy" for e in leak_rules)
    chat = _console(matcher, tmp_path)
    reply = chat.assistant.answer(leak_rules[0])
    shown = chat.render(reply)
    labels = [b.label for row in reply.buttons for b in row]
    assert t("bot.report_leak_label") in labels and t("bot.report_leak_label") in shown
    number = 1 + [b.label for row in reply.buttons for b in row if b.data].index(t("bot.report_leak_label"))
    started = chat.handle(str(number)) or ""
    assert t("report.intro") in started


def test_other_rules_do_not_offer_a_report(matcher, kb, tmp_path):
    chat = _console(matcher, tmp_path)
    other = next(e for e in kb.entries if e.domain == "etiquette")
    labels = [b.label for row in chat.assistant.answer(other).buttons for b in row]
    assert t("bot.report_leak_label") not in labels

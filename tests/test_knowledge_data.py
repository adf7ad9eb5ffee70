"""The shipped knowledge base is data tested like code: it loads, validates and is consistent."""

from __future__ import annotations

import re

from bot.core.ask.knowledge import DOMAINS, MIN_QUESTIONS


def test_every_entry_is_complete(kb):
    assert len(kb) > 0
    for e in kb.entries:
        assert e.domain in DOMAINS
        assert len(e.questions) >= MIN_QUESTIONS, e.id
        assert e.sources and all(s.doc and s.clause for s in e.sources), e.id
        assert e.answer and e.title and e.keywords, e.id


def test_related_ids_resolve(kb):
    for e in kb.entries:
        for r in e.related:
            assert kb.get(r) is not None, (e.id, r)


def test_decoys_never_repeat_an_entry_question(kb):
    # an out-of-scope question that is also an entry's question would be refused and answered at once
    asked = {kb.fold(q) for e in kb.entries for q in e.questions}
    for d in kb.decoys:
        assert d.label and len(d.questions) >= 4, d.id
        assert not asked & {kb.fold(q) for q in d.questions}, d.id


# Entries whose rule turns on a count, a duration, a length or a level (脱密期 by post, rings, minutes,
# days, millimetres): staff ask them as a case to judge ("我调离秘密级岗位一年两个月了，脱密期满了吗").
THRESHOLD_ENTRIES = ("personnel.declass_period", "personnel.retired", "foreign_tech.carry_abroad", "phone.hold_wait",
                     "phone.answer_rings", "callback.three_days", "appearance.nails", "housekeeping.nails",
                     "center.training", "handshake.duration", "email.reply_same_day")
_AMOUNT = re.compile(r"[0-9一二两三四五六七八九十半]+ *(?:个)?(?:年|月|天|日|周|星期|小时|分钟|分半钟|秒|声|次|毫米)"
                     r"|[绝机]密级|秘密级|周[一二三四五六日]")
_JUDGED = re.compile(r"(?:吗|么|不|没|算不算[^，。？]*|是不是[^，。？]*)[？?]?$")


def test_threshold_rules_are_also_asked_as_a_case_to_judge(kb):
    for entry_id in THRESHOLD_ENTRIES:
        e = kb.get(entry_id)
        assert e is not None, entry_id
        assert _AMOUNT.search(e.answer), entry_id  # the rule states its figure or level
        cases = [q for q in e.questions if _AMOUNT.search(q) and _JUDGED.search(q)]
        assert cases, entry_id  # ... and some question applies it to a concrete case and asks for a verdict

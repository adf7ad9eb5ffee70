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


# Confusable pairs found by benchmarks/confusable_pairs.py (near-duplicate answers and questions, one
# clause cited by both) that split one rule: each points to the other, so `ask`
# answers them together (KnowledgeBase.one_rule) instead of treating one as the other's rival.
ONE_RULE = [("level.overview", "level.company_two_tier"), ("meeting_secret.minutes", "scope.meeting_records"),
            ("incident.education", "personnel.education"), ("personnel.declass_extend", "personnel.declass_vs_term"),
            ("attitude.no_jokes", "attitude.no_mocking_defects"),
            ("complaint.soothing_words", "complaint.fair_handling"),
            ("callback.avoid_rest", "callback.three_days"),
            ("intro.others", "intro.being_introduced"), ("email.password", "it.password"),
            ("email.official_only", "email.forbidden_content"),
            ("housekeeping.throwing_away", "housekeeping.leftovers")]


def test_entries_of_one_rule_point_to_each_other_and_share_a_source_document(kb):
    index = {e.id: i for i, e in enumerate(kb.entries)}
    for a, b in ONE_RULE:
        i, j = index[a], index[b]
        assert kb.one_rule(i, j) and kb.one_rule(j, i), (a, b)
        clauses = [{(s.doc, s.clause) for s in kb.entries[k].sources} for k in (i, j)]
        assert clauses[0] & clauses[1], (a, b)
    # One way only is a pointer, not one rule.
    one_way = next((i, index[r]) for i, e in enumerate(kb.entries) for r in e.related
                   if e.id not in kb.entries[index[r]].related)
    assert not kb.one_rule(*one_way)


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


# Entries that state one clause and cited it under different strings (a compound citation, a second
# spelling), read from the sources in round 42: each pair must share the clause's citation, so `ask`
# answers them together (`pairs: clause`) instead of offering both as rivals.
ONE_CLAUSE = [("discipline.interpretation", "platform.supplementary"), ("attitude.own_mistake", "center.penalties"),
              ("center.smile_stand", "language.farewell"), ("language.tone", "language.voice_speed"),
              ("code.need_to_know", "code.public_talk"), ("center.assessment", "platform.promotion"),
              ("center.penalties", "discipline.platform_penalties"),
              ("discipline.platform_penalties", "personal.customer_privacy"),
              ("personnel.declass_extend", "personnel.declass_period"),
              ("complaint.fair_handling", "complaint.listen_first"), ("center.discipline", "center.entertainment"),
              ("reception.external_relations", "reception.internal_relations"),
              ("discipline.legal_liability", "obligation.after_leaving"),
              ("attitude.let_customer_finish", "attitude.unfamiliar_question"),
              ("attitude.equal_treatment", "forbidden.closing_time"), ("meeting.attendee", "meeting.discipline")]


def test_entries_stating_one_clause_cite_it_alike(kb):
    index = {e.id: i for i, e in enumerate(kb.entries)}
    for a, b in ONE_CLAUSE:
        assert index[b] in kb.kin(index[a]) and index[a] in kb.kin(index[b]), (a, b)


# Entries whose citations name one part, or a list and its item, spelled alike as the source heads them
# (round 43): each pair is kin (`KnowledgeBase.kin`, `clause_parts`), so `ask` answers them together.
LISTED_KIN = [("attitude.proactive", "center.staff_rights"),
              ("obligation.entry_declaration", "obligation.no_poach_clients"),
              ("personal.overview", "personal.health_check"), ("personal.violations", "personal.report_reward"),
              ("appearance.makeup", "appearance.makeup_colors"), ("appearance.makeup", "appearance.face_ears"),
              ("code.police_overview", "code.publish"), ("callback.content", "callback.length")]


def test_a_list_and_its_items_cite_it_alike(kb):
    index = {e.id: i for i, e in enumerate(kb.entries)}
    for a, b in LISTED_KIN:
        assert index[b] in kb.kin(index[a]) and index[a] in kb.kin(index[b]), (a, b)

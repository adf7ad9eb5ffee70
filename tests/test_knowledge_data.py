"""The shipped knowledge base is data tested like code: it loads, validates and is consistent."""

from __future__ import annotations

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

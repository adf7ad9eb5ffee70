"""The legal register (knowledge/register.yaml): everyday words read in an imported statute's own
terms, and questions asking for a figure answered only by clauses that state one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.ask.knowledge import KnowledgeBase
from bot.core.rulebook.answer import ClauseAnswerer, ClauseConfig
from bot.core.rulebook.register import load_register, register_synonyms, shipped_register
from bot.core.rulebook.split import split_text
from bot.core.rulebook.store import StoredDocument
from bot.core.yamlfile import DataError

# A made-up staff rule in statutory wording (no everyday word of the register appears in it).
RULES = """员工守则
第一条 为了规范劳动关系，制定本守则。
第二条 用人单位安排劳动者在休息日工作的，应当安排同等时间补休。
第三条 劳动者在试用期内的劳动报酬不得低于本单位相同岗位最低档工资的百分之八十，试用期不得超过六个月。
第四条 用人单位应当为劳动者提供必要的劳动防护用品，并定期组织培训。
第五条 劳动者应当遵守用人单位的考勤制度，有事应当事先请示。
第六条 本守则自2025年1月1日起施行。
"""


def answerer(config: ClauseConfig | None = None) -> ClauseAnswerer:
    clauses = split_text(RULES, title="员工守则")
    doc = StoredDocument("员工守则", "rules.txt", "1", "2025-01-01", "x", clauses)
    return ClauseAnswerer(KnowledgeBase([]), [doc], config=config)


def articles(a: ClauseAnswerer, question: str) -> list[str]:
    return [a.matcher.kb.entries[r.doc].sources[0].clause.split()[-1] for r in a.ranked(question) if not r.decoy]


def test_shipped_register_loads_and_rewrites_only_everyday_words_the_document_lacks():
    register = shipped_register()
    assert len(register.groups) > 50
    texts = [RULES]
    rewrites = {t: g.canonical for g in register_synonyms(register.groups, texts) for t in g.terms}
    assert rewrites["老板"] == "用人单位"  # the statute's word, not the first one listed everywhere
    assert rewrites["礼拜六"] == "休息日"
    assert "雇主" not in rewrites  # a legal term is a concept of its own: never rewritten
    assert all(t not in RULES for t in rewrites)  # words the document uses stay as they are
    # another document that says 雇主 gets 雇主
    other = {t: g.canonical for g in register_synonyms(register.groups, ["雇主应当按时支付报酬。"]) for t in g.terms}
    assert other["老板"] == "雇主"
    # the knowledge base's own synonyms keep their terms
    taken = {t: g.canonical for g in register_synonyms(register.groups, texts, taken=["老板"]) for t in g.terms}
    assert "老板" not in taken


def test_everyday_question_reaches_the_statutory_clause():
    a = answerer()
    assert articles(a, "礼拜天老板让我来单位干活行不行")[0] == "第二条"
    assert articles(a, "周末老板喊我回去干活")[0] == "第二条"
    assert articles(a, "打工的干活要发手套口罩这些东西吗")[0] == "第四条"


def test_question_asking_for_a_figure_prefers_the_clause_that_states_one():
    a = answerer()
    off = answerer(ClauseConfig(quantity_penalty=0.0))
    question = "新来的员工试用期最长是多久"
    assert articles(a, question)[0] == "第三条"
    # a clause that states no figure loses the penalty for it, and only for such a question
    score = {articles(a, question)[i]: r.score for i, r in enumerate(a.ranked(question))}
    plain = {articles(off, question)[i]: r.score for i, r in enumerate(off.ranked(question))}
    assert score["第三条"] == plain["第三条"]
    lacking = [k for k in score if k in plain and k not in {"第三条", "第六条"}]
    assert lacking and all(score[k] < plain[k] for k in lacking)
    unasked = "新来的员工要遵守考勤吗"
    assert [r.score for r in a.ranked(unasked)] == [r.score for r in off.ranked(unasked)]


def test_a_term_in_two_groups_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "register.yaml"
    path.write_text("groups:\n  - legal: [用人单位]\n    everyday: [老板]\n  - legal: [雇主]\n    everyday: [老板]\n"
                    "quantity: {markers: [多少], units: [天]}\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_register(path)
    assert "老板" in str(err.value) and "register.yaml:4" in str(err.value)
    path.write_text("groups:\n  - legal: [用人单位]\n    everyday: [钱]\nquantity: {markers: [多少], units: [天]}\n",
                    encoding="utf-8")
    with pytest.raises(DataError):
        load_register(path)  # one character sits inside too many unrelated words

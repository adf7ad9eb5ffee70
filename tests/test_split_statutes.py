"""One statute stays one document: sentences that open like a title do not split it."""

from __future__ import annotations

from bot.core.rulebook.split import split_text

# Written for this test in the shape of a local regulation: chapters, articles that run on,
# items, and paragraphs that begin with a noun phrase ending in 办法/规定 (the subject of a sentence).
STATUTE = """某市社区服务条例

第一章 总则

第一条 为了规范社区服务，制定本条例。

第二条 本市行政区域内的社区服务活动，适用本条例。

第二章 服务规范

第三条 服务机构应当公示服务项目。

社区服务证的具体管理办法，由市民政部门另行制定。

第四条 服务人员不得有下列行为：

（一）索要财物；

（二）泄露服务对象隐私。

服务人员自行租赁住房且符合有关规定的，可以申请补贴。

第五条 鼓励服务机构参加行业组织。

第三章 附则

第六条 本条例自2030年1月1日起施行。
"""

# Two rulebooks one after the other on one page: numbering restarts, so two documents.
TWO_RULEBOOKS = """窗口服务规范

第一条 工作人员应当文明用语。

第二条 工作人员应当佩戴工牌。

保密工作守则

第一条 不该说的秘密不说。

第二条 不该问的秘密不问。
"""


def test_a_statute_whose_sentences_open_like_titles_stays_one_document():
    clauses = split_text(STATUTE, title="某市社区服务条例")
    assert {c.doc for c in clauses} == {"某市社区服务条例"}
    articles = [c.path[1] for c in clauses if len(c.path) == 2 and c.path[1].endswith("条")]
    assert articles == ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条"]
    third = next(c for c in clauses if c.path[-1] == "第三条")
    assert "社区服务证的具体管理办法" in third.text
    items = [c for c in clauses if c.path[-1] == "（二）"]
    assert items and items[0].path[:2] == ("第二章 服务规范", "第四条")
    assert "符合有关规定的" in items[0].text  # the article's closing paragraph stays with its article


def test_restarting_numbering_still_separates_rulebooks_on_one_page():
    clauses = split_text(TWO_RULEBOOKS, title="页面")
    assert [c.doc for c in clauses if c.path == ("第一条",)] == ["窗口服务规范", "保密工作守则"]

"""A topic word that is letters of ordinary words around it (bot/core/check/edges.py), on drafts written
for the test (not evaluation items)."""

from __future__ import annotations

from support.classified import is_amount

from bot.core.check.checker import default_checker
from bot.core.check.edges import WORDS_FILE, WordEdges, edge_words, shipped_digest, terms_digest
from bot.core.check.rules import load_rules


def _topics(draft: str) -> set[str]:
    return {f.rule for f in default_checker().check(draft).findings if f.category == "confidential_topic"}


def test_the_shipped_words_file_was_derived_for_the_shipped_topic_words():
    terms = [t for t in edge_words(load_rules()) if t and not t.isascii()]
    assert shipped_digest() == terms_digest(terms), "run `python -m bot.core.check.edges` after changing topic words"
    assert WordEdges.load(WORDS_FILE) is not None


def test_a_topic_word_straddling_two_words_is_no_mention():
    # 重新|开机 holds 新开, 客户|表示 holds 客户表, 需要|提供 holds 要提: each with evidence beside it.
    assert _topics("电脑死机的话请重新开机，三分钟后再试，别外传") == set()
    assert _topics("老板说客户表示满意，下次订三百箱") == set()
    assert _topics("办理前需要提供三份证明材料，别外传") == set()


def test_the_same_topic_words_standing_as_words_still_count():
    assert _topics("公司下个月新开三家店，先别外传") == {"secret.topic.plans"}
    assert _topics("客户表发你了，一共三百个客户") == {"secret.topic.customers"}
    assert _topics("他年底要提拔成主管，先别外传") == {"secret.topic.personnel"}


def test_a_longer_word_holding_the_whole_topic_word_crosses_no_edge():
    edges = WordEdges({"工资": 1000, "月工资": 500, "月": 5000, "新开": 300, "重新": 5000, "开具": 3000,
                       "重": 100, "新": 100, "开": 100, "具": 100}, 10**6)
    assert not edges.straddles("月工资", 1, 3, 0, 3)
    assert edges.straddles("重新开具", 1, 3, 0, 4)
    assert not edges.straddles("新开", 0, 2, 0, 2)  # nothing around it
    assert not edges.straddles("重新开具", 1, 3, 1, 3)  # the clause is the word alone
    assert not edges.straddles("重新招聘", 1, 3, 0, 4)  # 新招 is no word of the tables: kept
    budget = [1]
    assert edges.straddles("重新开具", 1, 3, 0, 4, budget)
    assert not edges.straddles("重新开具", 1, 3, 0, 4, budget)  # the draft's budget is spent: kept


def test_a_day_or_a_floor_is_no_amount():
    assert not is_amount("每月十5号发", 2, 4)
    assert not is_amount("在二十3楼", 1, 4)
    assert is_amount("涨了二十5万", 2, 5)
    assert not is_amount("您尾号6617的卡", 3, 7)  # a card's last digits name it


def test_a_bare_refused_telling_verb_is_a_refusal_unless_the_gist_follows():
    assert _topics("老李的病情我不方便说，你去问他本人吧") == set()
    assert _topics("机房门禁密码我不能在群里发，你来我工位找我") == set()
    assert _topics("今年交的税我不方便细说，反正比去年少了百分之三十，心里有数就行") == {"secret.topic.finance"}


def test_a_topic_word_with_one_part_in_english_is_a_topic_word():
    assert _topics("这份 customer 资料我私发你了，里面有三百个手机号") == {"secret.topic.customers"}
    assert _topics("会员 list 我导出来发你了") == {"secret.topic.customers"}
    assert _topics("把 member 名单导一份给我，下午要用") == {"secret.topic.customers"}
    assert _topics("supplier 来电话了，说明天到货") == set()  # the part alone is no topic word


def test_a_sharing_word_straddling_two_words_is_no_sharing_act():
    # 对外|发布 holds the sharing word 外发: the announcement is no handing over. (The plan carries a time:
    # since round 32 a request for discretion about a plan named without content is a rule, not a cue.)
    assert _topics("仓库下个月搬迁的通知今天对外发布，各门店照常营业") == set()
    assert _topics("仓库下个月搬迁的事先别外发") == {"secret.topic.plans"}


def _forbidden(draft: str) -> set[str]:
    return {f.rule for f in default_checker().check(draft).findings if f.kind == "forbidden"}


def test_a_mention_cue_straddling_two_words_does_not_make_its_sentence_a_mention():
    # The same edge test as the topic words': 质检 in 品质|检测 is no word about phrases, so the banned
    # phrase after it is said, not quoted; 质检 standing as a word still makes the sentence talk about one.
    edges = WordEdges.load(WORDS_FILE)
    assert edges is not None
    assert edges.straddles("品质检测中心", 1, 3, 0, 6)
    assert not edges.straddles("质检时会扣分", 0, 2, 0, 6)
    assert "ban.off_duty" in _forbidden("这里是品质检测中心，您明天再来吧")
    assert _forbidden("质检时说您明天再来吧会扣分") == set()

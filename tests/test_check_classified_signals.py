"""Classified-content mechanisms, on drafts written for the test (not evaluation items)."""

from __future__ import annotations

import pytest
from support.classified import quantity

from bot.core.check.checker import default_checker
from bot.core.check.classified import _english_key


def _rules(draft: str) -> set[str]:
    return {f.rule for f in default_checker().check(draft).findings if f.kind == "secret"}


def test_english_plural_reaches_the_singular_entry_only():
    starts = frozenset({"account", "account list", "leads"})
    assert _english_key("", "accounts", starts) == "account"
    assert _english_key("account", "lists", starts) == "account list"
    assert _english_key("", "lead", starts) == ""  # a singular never reaches a plural entry
    assert _english_key("", "boss", starts) == ""


def test_english_verb_forms_reach_their_entry():
    starts = frozenset({"resign", "transfer", "close", "patrol", "install"})
    assert _english_key("", "resigned", starts) == "resign"
    assert _english_key("", "resigning", starts) == "resign"
    assert _english_key("", "transferred", starts) == "transfer"
    assert _english_key("", "closing", starts) == "close"
    assert _english_key("", "patrolled", starts) == "patrol"
    assert _english_key("", "installed", starts) == "install"
    assert _english_key("", "red", starts) == ""  # too short to be an inflection


def test_english_entries_are_read_as_draft_words():
    from bot.core.check.rules import _english_entry
    assert _english_entry("P&L") == "p l"
    assert _english_entry("co-worker") == "co worker"
    assert _english_entry("don't tell") == "dont tell"


@pytest.mark.parametrize("draft, rule", [
    ("The P&L for the second half shows a 4 million loss, keep it to yourself", "secret.topic.finance"),
    ("Q4 numbers are out internally: sales down 15%, not public yet", "secret.topic.finance"),
    ("他这次的salary package涨到60w了，你知道就行", "secret.topic.pay"),
    ("I'll forward the CRM export with all the buyer phone numbers to your gmail", "secret.topic.customers"),
    ("Between you and me, the vendor price list has our unit cost at 12 yuan", "secret.topic.costs"),
    ("Linda resigned yesterday, HR will announce it next week, keep quiet", "secret.topic.personnel"),
    ("He is on medical leave for a heart condition, don't spread it", "secret.topic.staff_private"),
    ("The safe combination is 38-12-77", "secret.topic.credentials"),
    ("Security at the warehouse is just one guy after midnight", "secret.topic.security"),
    ("The board signed off on the reorg, just between us", "secret.topic.plans"),
    ("Mike is getting a promotion next month, HR has not announced it", "secret.topic.personnel"),
])
def test_english_is_a_spelling_of_each_topic(draft, rule):
    assert rule in _rules(draft)


@pytest.mark.parametrize("draft", [
    "Dear guests, we look forward to welcoming you at our new store opening next month.",
    "Our guards patrol the car park at night, please be assured, sir.",
    "Sorry, I'm not authorized to share salary details.",
    "Our Q3 results were officially announced in the press release last week.",
    "The employee handbook says passwords should never be shared.",
    "Your payslip for March is available in the app.",
    "The spring promotion ends next week, 20% off all shoes.",  # a sale, not a move up
])
def test_english_negative_contexts_still_apply(draft):
    assert not {r for r in _rules(draft) if r.startswith("secret.topic")}


def test_financial_numerals_are_an_amount():
    text = "标底价7佰陆拾万"
    q = quantity(text, 0, len(text))
    assert q is not None and text[q[0]:q[1]] == "7佰陆拾万"
    assert quantity("陆经理来了", 0, 5) is None  # the surname alone is no number


@pytest.mark.parametrize("draft, rule", [
    ("财务部的文件里写着，绝密级报告里写了年底要关两家店", "secret.marker"),
    ("档案袋上写的“机密”，我已经拍照发给对方了", "secret.marker"),
    ("The Q2 revenue numbers haven't been released yet: 18 million.", "secret.topic.finance"),
    ("we moved the customer lists with buyer names to my Dropbox, sending you the link",
     "secret.topic.customers"),
    ("机房服务器的管理员密码贴在显示器背面", "secret.topic.credentials"),
    ("对象存储的 access key 是 AKID9rTq27LmX0pW，别发到群外", "secret.topic.credentials"),
    ("这是涉密文件，不要拷贝到个人电脑上", "secret.marker"),
    ("内部文件 注意保管 —— 三季度渠道调整", "secret.marker"),
    ("仓库进的这批货一件才十二块，标价四十九，别跟客人讲", "secret.topic.costs"),
    ("人事说小吴下个季度要调岗，接她的人还在谈", "secret.topic.personnel"),
    ("老板打算年内把城南那家店盘出去", "secret.topic.plans"),
])
def test_new_kinds_of_disclosure_are_found(draft, rule):
    assert rule in _rules(draft)


@pytest.mark.parametrize("draft", [
    "例如“绝密★长期”这类写法，要按定密制度标注在首页。",
    "这部《机密行动》的电影票还有两张，票价三十元。",
    "题目：秘密、机密、绝密，最高是哪个？答：绝密。",
    "The results were announced yesterday in the annual report.",
    "您尾号0456的账户今天到账5200元，是单位代发的工资。",
    "顾客说是她婆婆住院了，想改约时间。",
    "请勿把登录密码写在便签上。",
    "新系统要求设置密码至少十位，包含大小写字母和数字。",
    "抱歉，我没办法把供应商报价单给您看，这需要采购部审批。",
    "办理结果会推送到手机上，到时凭取件码8812领取。",
    "小区保安电话0571-86620000，夜里有急事可以打。",
    "请问离职员工的劳动合同应该由谁保管？",
])
def test_negative_contexts_hold(draft):
    assert not _rules(draft)


# Confidential topics: disclosures without numbers, sound-alike credential
# words, service commitments to the customer.
@pytest.mark.parametrize("draft, rule", [
    ("老板已经拍板，年底把城东仓卖掉，别到处说", "secret.topic.plans"),  # 把 + unit + change verb
    ("张会计要被派去新公司做财务主管了，还没宣布", "secret.topic.personnel"),  # ahead + taking verb + post
    ("咱们科长要退二线了，位置给谁还没定，先别外传", "secret.topic.personnel"),
    ("保洁阿姨的儿子吸毒被抓了，这事别传", "secret.topic.staff_private"),
    ("这批奶粉是从代理商那里拿的，比批发还便宜，你别跟别人说", "secret.topic.costs"),  # general hush cue
    ("新来的主管工资比我们高一大截，你别说出去", "secret.topic.pay"),
    ("今年的预算比去年砍了一半", "secret.topic.finance"),  # a comparison discloses the value
    ("后台的秘码是 abc12345，登不上再问我", "secret.topic.credentials"),
    ("仓库门的口另是 7 3 1 9", "secret.topic.credentials"),
    ("放心，晚上库房没人巡逻，你直接进", "secret.topic.security"),  # reassurance to a colleague
    ("听人事那边说公司资金链快断了", "secret.topic.finance"),  # hearsay from inside
    ("我们主管在跟猎头谈，可能要跳槽去对手那边", "secret.topic.personnel"),
    ("老孙因为违反纪律要被开除了，还没公布", "secret.topic.personnel"),  # 纪律 inside a term is no rules talk
])
def test_disclosures_without_numbers_are_found(draft, rule):
    assert rule in _rules(draft)


@pytest.mark.parametrize("draft", [
    "您放心，我们营业厅晚上有保安值班，监控也是24小时开着的。",
    "先生，停车场夜间有保安值守，车辆请停在监控范围内。",
    "您下班后来取的话，保安室24小时有人，报您的名字就行。",
    "您寄存的物品放在有监控的库房里，晚上也有人值守。",
    "我们会派主管跟进您的问题，请保持电话畅通。",
    "您好，周姐今天调休，由我来为您服务。",
    "新店长的任命通知已经向全体员工公布了。",
    "很抱歉，其他客户的资料受隐私保护，我无法帮您查询。",
    "请不要跟陌生人透露您的验证码。",
    "很抱歉，王医生今天请病假了，明天我请他给您回电。",
    "李女士，您预约的手术安排在下周三上午。",
    "大家注意，保安师傅说今晚要检修电梯，请走楼梯。",
    "公司要求大家不要跟外人讲客户名单的事。",  # a ban in general words inside rules talk
])
def test_service_commitments_and_everyday_talk_stay_clean(draft):
    assert not _rules(draft)


def test_credential_homophones_sound_like_their_word():
    """Each listed sound-alike reads as 密码 or 口令 (toneless) and is merged into the vocabulary."""
    from pathlib import Path

    import yaml
    from pypinyin import lazy_pinyin

    from bot.core.check.rules import load_rules
    raw = yaml.safe_load((Path(__file__).resolve().parents[1] / "phrasebook/rules/secret.yaml").read_text("utf-8"))
    entry = next(c for c in raw["topics"]["categories"] if c["id"] == "secret.topic.credentials")
    sounds = {tuple(lazy_pinyin(w)) for w in ("密码", "口令")}
    assert entry["homophones"]
    for w in entry["homophones"]:
        assert tuple(lazy_pinyin(w)) in sounds, w
    terms = next(t for t in load_rules().topics if t.id == entry["id"]).terms
    assert set(entry["homophones"]) <= set(terms)


def test_topic_word_with_latin_edge_counts_only_as_whole_words():
    # The compact view drops spaces and underscores, so a Latin topic word is also letters of the
    # words around it: ipo in "I posted", a design word in an account name.
    assert not _rules("I posted the photo of the menu in the group, see it there.")
    assert _rules("我们的IPO计划下个月提交，先别说出去") == {"secret.topic.plans"}
    folded = _rules("账号 jwc_admin，密码 Jw@2024#x，帮他们补录一下")
    assert "secret.topic.technology" not in folded and "secret.topic.credentials" in folded


def test_compact_latin_whole_reads_the_wide_text():
    from bot.core.text.fold import fold_draft
    c = fold_draft("I posted it; IPO soon").compact
    i = c.text.index("ipo")
    assert not c.latin_whole(i, i + 3)  # "I po|sted"
    j = c.text.rindex("ipo")
    assert c.latin_whole(j, j + 3)

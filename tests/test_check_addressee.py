"""Who a draft speaks to (bot/core/check/addressee.py, phrasebook/addressee.yaml): rules about
addressing the customer do not apply between colleagues, and a customer is the default reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.check.addressee import FILE, Addressee
from bot.core.check.checker import default_checker
from bot.core.paths import PHRASEBOOK_DIR
from bot.core.text.fold import fold_draft
from bot.core.yamlfile import DataError

# Internal chat, one per kind of evidence: a colleague called at a clause head (not only the first),
# shift swaps and cover, meetings, staff transport, paperwork asked of a peer, praise, meals.
COLLEAGUE = [
    "收到。老陈，你周四那个班我帮你顶。",
    "你周日能不能跟我换个班？我家里有点事。",
    "快点快点，班车马上就开走了！",
    "晨会改到八点半了，你记得跟后面几个人说一声。",
    "你昨天的考勤没打上，去找人事补个卡。",
    "上个月的台账你整理完发我一份，谢啦。",
    "辛苦你了，今天客流这么大你一直没歇。",
    "你先下班吧，剩下的货我来上架。",
    "周五团建你去不去？报名表在群里。",
    "王姐说她下午再来拿钥匙。",
    "阿芳，你几点到店？",
    # No name called: peer small talk, the reader's own round of work, office equipment, a customer
    # spoken of in the third person, with nothing at all for a customer (least_alone).
    "你中午吃什么？我想点外卖。",
    "下班一起走吧，你坐我车。",
    "你们组今天还有几单没派？",
    "会议室的投影仪你会开吗？",
    "那位客户的资料你先收着。",
    # The reader asked to take over a piece of the writer's work, beside a service word (材料).
    "你帮我把这几份材料按日期排一下，下午要交。",
    # The reader's own desk as a place of the shared work.
    "你那边排到几号了？我这边还有五个没叫。",
]
# Drafts to a customer with 你 or another customer-only phrase: some with no evidence at all, some
# with staff words that a customer is also told (交班, 盘点), one with a colleague's title but 您.
CUSTOMER = [
    ("你好，你的证件已经办好了，过来拿吧。", "tone.ni_for_nin"),
    ("你把这张表填一下，填完交给我。", "tone.ni_for_nin"),
    ("你稍等，我帮你查一下记录。", "tone.ni_for_nin"),
    ("阿姨，你的药在二号窗口取。", "tone.ni_for_nin"),
    ("我们在盘点，你明天再来吧。", "tone.ni_for_nin"),
    ("快点，我这边马上交班了。", "ban.hurry_up"),
    ("张工您好，你的维修单已经受理了。", "tone.ni_for_nin"),
    ("小心，你的包掉在地上了。", "tone.ni_for_nin"),
    # Weak staff words alone (the writer's own shift, a customer group chat) do not make the reader a colleague.
    ("通知都发群里了，你自己翻一下。", "tone.ni_for_nin"),
    ("我这边要交班了，你明天再来吧。", "tone.ni_for_nin"),
    # A peer's word beside the customer's courtesy: the customer side still weighs.
    ("您好，火锅套餐你要几份？", "tone.ni_for_nin"),
    # A favour asked of a customer called as one: the call outweighs it.
    ("阿姨，你帮我在这儿签个字。", "tone.ni_for_nin"),
    ("你好，你那边信号不好，听不清。", "tone.ni_for_nin"),
]


@pytest.fixture(scope="module")
def checker():
    return default_checker()


def _colleague(checker, draft: str) -> bool:
    return checker._addressee.to_colleague(fold_draft(draft).compact)


def _assert_flagged_as_to_a_customer(checker, draft: str) -> None:
    """Read as written to a customer, and its forbidden language found."""
    assert not _colleague(checker, draft), draft
    assert any(f.kind == "forbidden" for f in checker.check(draft).findings), draft


@pytest.mark.parametrize("draft", COLLEAGUE)
def test_internal_chat_is_not_checked_for_customer_address(checker, draft):
    assert _colleague(checker, draft), draft
    customer_only = {r.id for r in checker.ruleset.rules if r.customer_only}
    assert not [f.rule for f in checker.check(draft).findings if f.rule in customer_only]


@pytest.mark.parametrize(("draft", "rule"), CUSTOMER)
def test_a_customer_is_still_told_off_for_ni_and_service_bans(checker, draft, rule):
    assert not _colleague(checker, draft), draft
    assert rule in {f.rule for f in checker.check(draft).findings}, draft


def test_customer_evidence_outweighs_a_colleague_name(checker):
    # A colleague's title called, then the customer's courtesy: the customer side leads.
    base = "李姐，你看一下这个。"
    assert _colleague(checker, base)
    assert not _colleague(checker, "李姐，您好，请问你要办理什么业务？")
    ev = checker._addressee.evidence(fold_draft("小王，你来一下，先生您稍等。").compact)
    assert ev.colleague >= 3 and ev.customer >= 3


def test_a_customer_call_is_not_a_nickname(checker):
    # 阿姨 / 老板 begin like 阿陈 / 老刘 but call a customer.
    for draft in ("阿姨，你慢点走。", "老板，你要的货到了。"):
        assert not _colleague(checker, draft), draft


def test_rules_that_are_not_about_the_customer_still_apply_between_colleagues(checker):
    # Coarse words are not harmless chat: tone.rude is not customer-only.
    rude = next(r for r in checker.ruleset.rules if r.id == "tone.rude")
    assert not rude.customer_only
    draft = f"老陈，{rude.examples.hit[0]}"
    assert "tone.rude" in {f.rule for f in checker.check(draft).findings}


def test_a_broken_addressee_file_is_a_file_line_problem(tmp_path: Path):
    path = tmp_path / FILE
    shutil.copy(PHRASEBOOK_DIR / FILE, path)
    text = path.read_text(encoding="utf-8").replace("where: opening", "where: everywhere", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        Addressee.load(path, surnames="王李")
    assert any(p.file == str(path) and p.line > 1 for p in err.value.problems)


def test_the_shipped_file_loads_with_cues_on_both_sides():
    a = Addressee.load(surnames="王李")
    assert a.cues["colleague"] and a.cues["customer"]
    assert a.least >= 1


def test_least_alone_counts_only_groups_a_customer_is_not_also_told(checker):
    # 交班 (weak, also said to a customer) alone is not enough; a peer's lunch question alone is.
    assert not _colleague(checker, "我要交班了，你等等。")
    assert _colleague(checker, "你吃饭了吗？")
    # The lowered threshold needs no customer evidence at all: one 您 restores `least` and `margin`.
    assert not _colleague(checker, "您吃饭了吗？你先坐。")


# Work-chat signals (WeCom / DingTalk): an @-mention, a bare 收到 reply, a colleague named by department
# and nickname or by surname and 姐, office English, the team as "ours".
WORK_CHAT = [
    "@刘洋 你下午几点回来？",
    "收到～你先忙，我晚点再看。",
    "行政部的小陈让你去拿一下钥匙。",
    "钥匙我放在周姐那里了，你下班前去拿。",
    "你那份 deck 我改了两页。",
    "隔壁组借了我们两台电脑，你跟他们要回来。",
]


@pytest.mark.parametrize("draft", WORK_CHAT)
def test_work_chat_signals_mark_a_colleague(checker, draft):
    assert _colleague(checker, draft), draft
    assert "tone.ni_for_nin" not in {f.rule for f in checker.check(draft).findings}


def test_an_at_sign_that_is_no_mention_is_no_colleague_sign(checker):
    # An e-mail address, and @ as a verb in a customer group (在群里@了你), name nobody in a work chat.
    for draft in ("发到 wang@qq.com 就行，你注意查收。", "刚在业主群里@了你，你看一下缴费通知。"):
        assert not _colleague(checker, draft), draft
        assert "tone.ni_for_nin" in {f.rule for f in checker.check(draft).findings}, draft


def test_a_reply_word_counts_only_as_a_whole_reply(checker):
    # 收到 as the whole reply is a work chat's; 收到您的… / 收到你的… tells a customer what arrived.
    assert _colleague(checker, "收到，你先歇会儿。")
    assert not _colleague(checker, "收到你的材料了，你等通知吧。")


def test_quoted_words_count_for_neither_side(checker):
    # A customer's complaint forwarded to a colleague: the 您 and 投诉 inside the quotes are the
    # customer's words, not this draft's courtesy.
    draft = "客户刚才在电话里说“您这服务太差了，我要投诉”，你先帮我记一下。"
    ev = checker._addressee.evidence(fold_draft(draft).compact)
    assert "您" not in ev.words and "投诉" not in ev.words
    assert _colleague(checker, draft)
    # Unquoted, the same courtesy is this draft's own.
    assert checker._addressee.evidence(fold_draft("您这边稍等，我要投诉的单子先记一下。").compact).customer > 0


def test_reported_words_after_a_colon_count_for_neither_side(checker):
    # A third party's words reported after a colon are theirs; the writer's own 我跟您说： is not.
    draft = "客户刚才说：您这服务太差了，我要投诉。你先帮我记一下。"
    assert "您" not in checker._addressee.evidence(fold_draft(draft).compact).words
    assert _colleague(checker, draft)
    assert "您" in checker._addressee.evidence(fold_draft("我跟您说：你的材料还差一份。").compact).words


def test_a_notice_reported_posted_or_a_deadline_is_no_colleague_sign_alone(checker):
    # Said to a customer when turning them away; a notice to be posted is still a task for a colleague.
    assert not _colleague(checker, "缴费通知贴了好几天了，你自己看公告。")
    assert not _colleague(checker, "The deadline 已经过了，你明年再来吧。")
    assert _colleague(checker, "你下午去一趟5号楼，把停电的通知贴一下。")


def test_the_reader_named_as_an_outside_organisation_is_a_customer(checker):
    assert not _colleague(checker, "张工您好，贵司的图纸我们收到了，接口的问题您找你们的项目经理吧。")


def test_the_staff_meal_break_or_an_office_named_alone_is_no_colleague_sign(checker):
    # A customer is told the staff are out eating or the office is empty when turned away; a meal
    # shared or a second sign still makes the reader a colleague.
    assert not _colleague(checker, "收费的师傅吃饭去了，你下午再来吧。")
    assert not _colleague(checker, "主任办公室今天没人，你改天再来。")
    assert _colleague(checker, "你吃了没？中午一起去吃面。")
    assert _colleague(checker, "你下午去会议室把投影仪调一下，顺便把排班表打出来。")


def test_the_served_addressed_as_a_group_at_the_head_are_customers(checker):
    draft = "各位家长晚上好，明早的例会通知大家了吗？都说了多少遍了，怎么还是有人不带接送卡？"
    assert "各位家长" in checker._addressee.evidence(fold_draft(draft).compact).words
    assert not _colleague(checker, draft)
    assert any(f.kind == "forbidden" for f in checker.check(draft).findings)


def test_office_english_of_peers_is_colleague_evidence(checker):
    assert _colleague(checker, "你周报写完了吗？写完 ping 我，boss 要看。")
    # ping alone is also what a customer may be told to do to a third party: no sign by itself.
    assert not _colleague(checker, "这个不归我管，你 ping 一下 IT 吧。")


def test_staff_only_tools_and_peer_accountability_are_colleague_evidence(checker):
    # A shared drive or the team asked to keep each other to the rules: the reader works here too.
    assert _colleague(checker, "培训课件已放到共享盘，请自行查阅。")
    assert _colleague(checker, "窗口用语请大家互相提醒，别说“自己看”。")


@pytest.mark.parametrize("draft", [
    # The staff's own channel named at the head; a newcomer joining the team or shown the ropes; a peer's
    # sign-off and the reader's own end of work asked after; the served spoken of as the other party
    # of a shared matter.
    "【工作群】你们几个明天早点到，设备要调试。",
    "我是财务部新来的小林，以后请多关照，你们有报销的事可以找我。",
    "你先忙，等会儿我再找你对一下数。",
    "你下班了没？一起去坐地铁。",
    "家长那边你先稳住，我十分钟后到。",
])
def test_team_talk_of_new_kinds_marks_a_colleague(checker, draft):
    assert _colleague(checker, draft), draft


@pytest.mark.parametrize("draft", [
    # The same words before a customer: the served's own courtesy, a greeting and service words still weigh.
    "您好，我是新来的客服小林，以后请多关照，你的订单我来跟进。",
    "你好，请多指教是客气话，你的快递到了请来取。",
])
def test_a_newcomers_courtesy_to_a_customer_still_reads_as_to_a_customer(checker, draft):
    assert not _colleague(checker, draft), draft


# The served called by role (这位家长，/ 那位大哥你… / 市民，): a customer call, though 这位/那位 spoken of in
# the third person is a colleague's word; and 工服 is not read inside 人工服务.
@pytest.mark.parametrize("draft", [
    "这位家长，报名处已经关门了，你下周再来。",
    "那位大姐你别急，没看见我在忙吗",
    "乘客，末班车已经开走了，你明天再来坐吧。",
    "我们的人工服务今天结束了，你明早再打过来。",
])
def test_the_served_called_by_role_is_a_customer(checker, draft):
    _assert_flagged_as_to_a_customer(checker, draft)


def test_a_customer_spoken_of_by_role_leaves_a_colleague_draft_to_a_colleague(checker):
    assert _colleague(checker, "小周，那位客户的资料你先收着，我开完会来拿。")


# Speech relayed to a customer in a message to a colleague (你就跟他说…, 我跟她讲了…) is judged by the
# customer-only rules; the word rules (你→您) and a decision handed on (你跟她说不行) are not.
@pytest.mark.parametrize(("draft", "rule"), [
    ("小王，那个业主再打来，你就跟他说这事不归我们管，让他自己找开发商去。", "tone.buck_passing"),
    ("李姐，三号桌那位客人又催了，你直接跟她说我们这边管不了，我先去开会。", "tone.buck_passing"),
])
def test_speech_relayed_to_a_customer_is_checked(checker, draft, rule):
    assert _colleague(checker, draft), draft
    assert rule in {f.rule for f in checker.check(draft).findings if f.kind == "forbidden"}, draft


@pytest.mark.parametrize("draft", [
    "小王，那个业主再打来，你就跟他说维修师傅明天上午到，我这边已经派单了。",
    "老陈，实习生问能不能用打印机印私人材料，你跟她说不行，要先登记。",
    "小刘，你帮我把周报整理一下，我下午要开会。",
])
def test_a_colleague_draft_relaying_a_plain_answer_stays_clean(checker, draft):
    assert _colleague(checker, draft), draft
    assert not [f for f in checker.check(draft).findings if f.kind == "forbidden"], draft


# A duty handed to the reader (你负责…, 你跟进…), news told to a peer (跟你说一下), internal checks and
# staffing (复核, 抽检, 人手不够): a colleague; the customer's 您 forms and Cantonese 同你讲 are not among them.
@pytest.mark.parametrize("draft", [
    "周六的义诊你负责登记台，八点前到。",
    "跟你说一下，明天的物料我已经订好了，你到了直接拿。",
    "你把库房的灭火器点一遍，下周有抽检。",
])
def test_duties_and_news_for_a_peer_are_colleague_talk(checker, draft):
    assert _colleague(checker, draft), draft


def test_the_polite_telling_form_stays_a_customer_draft(checker):
    assert not _colleague(checker, "跟您说一下，您的材料我们已经收到了，你明天来取。")


# A title greeted with 您好 (赵工您好 / 孙姐，您好): a reply to an outside party, checked as one to a customer.
@pytest.mark.parametrize("draft", [
    "赵工您好，您要的检测报告还没出，这事跟我们没关系，您自己问检测站吧。",
    "孙姐，您好。您的快递到了，我们这边五点就下班了，您明天再来取吧。",
])
def test_a_title_greeted_with_nin_hao_is_a_customer(checker, draft):
    _assert_flagged_as_to_a_customer(checker, draft)


# The one a customer is sent to (问你们领导, 找值班主管去, 您的客户经理) and the writer's own books closed (轧账)
# do not make the reader a colleague; the boss reported to still does (领导说…).
@pytest.mark.parametrize("draft", [
    "这事我说了不算，你问你们单位领导去。",
    "网点已经轧账了，你下周一再来。",
    "理财亏损不关我们柜台的事，你问你的客户经理。",
])
def test_the_party_sent_to_is_not_the_reader(checker, draft):
    _assert_flagged_as_to_a_customer(checker, draft)


def test_the_boss_reported_to_is_colleague_talk(checker):
    assert _colleague(checker, "领导说了，你明天早点到，帮我把周报交上去。")


@pytest.mark.parametrize("draft", [
    "你记一下，电话里的开口语“啊、嗯、那”都算扣分。",
    "这段录音里的口头语你标出来，明天讲评用。",
    "案例分析，错误示范：你自己去网上查；正确示范：我帮您查一下，请稍等。",
])
def test_talk_about_service_language_is_among_staff(checker, draft):
    # Service language as the subject (话术, 禁用语, a wrong and a right example) is taught and checked among
    # staff; an example given after its label is not the writer's own words, its 您 no customer evidence.
    assert checker.check(draft).findings == ()


def test_an_example_label_blanks_only_the_example(checker):
    view = fold_draft("错误示范：您自己看牌子。您好，你的证件办好了。").compact
    evidence = checker._addressee.evidence(view)
    assert evidence.customer > 0 and "您" in evidence.words  # the second sentence is the writer's own
    assert {f.rule for f in checker.check("客户原话：你们快点。你好，你的证件办好了。").findings} >= {"tone.ni_for_nin"}


def test_the_checker_names_the_reader_it_judged(checker):
    # Checker.addressee reports the same reading check() acts on: the whole internal-chat and customer
    # lists, and a draft with no sign of either side.
    assert {checker.addressee(d) for d in COLLEAGUE} == {"colleague"}
    readers = [checker.addressee(d) for d, _ in CUSTOMER]
    assert "colleague" not in readers and "customer" in readers
    assert checker.addressee("今天天气不错。") == ""

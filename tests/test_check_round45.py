"""Forbidden language by category of cause (round 45): venting in a work chat, a hand-off taken back
only by a commitment that opens the next sentence, the reader's organisation as another one, reported
words limited to their clause, contractions, and the spoken connective before an exclamation. The
drafts are written for these tests, not taken from an evaluation set."""

from __future__ import annotations

from bot.core.check.checker import Finding, default_checker

CHECKER = default_checker()


def forbidden(draft: str) -> list[Finding]:
    return [f for f in CHECKER.check(draft).findings if f.kind == "forbidden"]


def rules(draft: str) -> set[str]:
    return {f.rule for f in forbidden(draft)}


def test_exasperation_in_a_work_chat_is_venting_but_fillers_and_joy_are_not():
    # The document's 口头语 said to a co-worker is the venting it forbids in the office (一·5).
    assert "tone.venting" in rules("@小周 我晕，系统又把排班表清空了，你帮我重新导一份")
    assert "tone.venting" in rules("李姐，仓库又少了三箱货，我真是服了，下午一起去盘一下吧")
    # Fillers are how colleagues talk; tiredness is news of the shift; 我去 as "I'll go".
    assert not forbidden("小王，那个那个，明天的会改到下午三点了，你通知一下组里")
    assert not forbidden("李姐，客户那边的拜访我去吧，您下午还要开会")
    # Laughter or good news beside it: banter, not dissatisfaction.
    assert not forbidden("天哪，咱们组这个季度的满意度第一名🎉 晚上一起吃饭")
    # Said to a customer it is still 口头语, joy or not.
    assert "tone.venting" in rules("您好，天哪，您的快递终于到了，请来前台取一下。")
    # Talk about the words is no venting.
    assert not forbidden("培训时讲过，口头语比如我晕、天啊都不能在电话里出现。")


def test_a_hand_off_is_taken_back_only_by_a_commitment_that_opens_the_next_sentence():
    handed = "您好，退款是支付平台处理的，我们这边管不了，您自己找支付平台客服吧。"
    assert "ban.go_ask_others" in rules(handed + "您订单里的发票明天会寄出，我们会短信通知您。")
    assert not forbidden(handed.replace("您好，", "") + "我来帮您联系支付平台，十分钟内给您回电。")


def test_the_readers_organisation_named_as_another_one_reads_as_an_outside_party():
    draft = "赵工，你们公司上周送来的样品我们测完了，两项超标，你让你们质量部自己去看报告吧。"
    assert CHECKER.addressee(draft) != "colleague"  # checked as written to a customer (the default)
    assert "tone.ni_for_nin" in rules(draft)


def test_reported_words_are_their_clause_not_the_writers_whole_sentence():
    # The writer's own words after a party's reported ones are checked.
    draft = "您好，房东说了租金不能再降，您要是嫌贵就别租了。"
    assert "tone.rude" in rules(draft)
    # Quoted words after a verb of saying, reported to correct them, are not the writer's.
    assert not forbidden("上周有同事临下班时对顾客说“明天再来”，被投诉了，大家注意。")


def test_contractions_are_no_quote_marks():
    assert "ban.told_you_already" in rules("I've told you twice，密码要先重置，you still don't get it？")


def test_a_spoken_connective_may_open_the_clause_before_an_exclamation():
    draft = "您好您上周做的那个入职体检报告已经出来了然后天哪您的血脂又高了下周记得空腹来复查一下"
    assert "tone.venting" in rules(draft)

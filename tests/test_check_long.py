"""Long and dictated drafts: how the forbidden stages cut and read them."""

from __future__ import annotations

from bot.core.check.checker import Checker, Finding, _dictated, default_checker
from bot.core.phrases.phrasebook import load_phrasebook
from bot.core.text.fold import fold_draft

CHECKER = default_checker()


def forbidden(draft: str) -> list[Finding]:
    return [f for f in CHECKER.check(draft).findings if f.kind == "forbidden"]


def test_dictated_draft_is_cut_where_speech_pauses():
    draft = "您好这边材料我们收下了审核要一段时间您回家等消息吧有结果了系统会自动发短信的然后别的也没什么了"
    folded = fold_draft(draft)
    view = _dictated(folded).compact
    text = view.text
    # A sentence ends after the closing particle; a clause (not a sentence) before the connective.
    assert text.index("有结果") in view.sentences
    assert text.index("然后") in view.clauses and text.index("然后") not in view.sentences
    # The draft's own view is left as typed (the addressee, personal data and classified read it).
    assert folded.compact.sentences == (0,)


def test_punctuated_or_short_draft_is_not_recut():
    folded = fold_draft("您好，材料收下了，您回家等消息吧，有结果会通知您。")
    assert _dictated(folded) is folded
    short = fold_draft("您回家等消息吧有结果通知您")
    assert _dictated(short) is short


def test_clause_end_frame_found_in_a_dictated_draft():
    dictated = "您好这边材料我们收下了审核要一段时间您回家等消息吧有结果了系统会自动发短信的然后别的也没什么了"
    assert any(f.rule == "ban.go_ask_others" and "等消息吧" in f.text for f in forbidden(dictated))
    # Still cleared by the patterns when the speaker takes the matter on (the scored detector's warning
    # is its own verdict of the sentence's words).
    patterns = Checker.load(phrasebook=load_phrasebook(), scored=False)
    assert not [f for f in patterns.check("您好这边是营业厅然后您问的那个套餐变更我们这里办不了"
                                          "我帮您问一下客服热线吧然后今天下午给您回电话").findings
                if f.kind == "forbidden"]


def test_conditional_promise_in_the_next_sentence_does_not_take_the_act_back():
    handed = "这个是厂家负责的，您打厂家电话问吧。"
    other = "小区里的路灯如有损坏，欢迎随时报修，我们会在当天处理。"
    assert any(f.rule == "ban.go_ask_others" for f in forbidden(handed + other))
    assert not forbidden(handed + "这边我们会帮您跟进结果。")


def test_dictated_clause_begins_at_an_exclamation():
    # A coarse exclamation inside a long unpunctuated clause opens its own clause, where the coarse
    # words' clause-head frame finds it; words that merely start the same way stay whole.
    draft = "小陈你把三楼的仓库盘点表整理一下下午要交我靠这批货又少了两箱你再去核对一遍入库单和出库单"
    assert any(f.rule == "tone.rude" and f.text == "我靠" for f in forbidden(draft))
    wiping = "小陈你把三楼的仓库盘点表整理一下我擦一下柜台玻璃上的灰马上过来帮你核对入库单和出库单"
    assert not [f for f in forbidden(wiping) if f.rule == "tone.rude"]


def test_office_english_buck_passing_and_questions_back():
    assert any(f.rule == "tone.buck_passing" for f in forbidden("您好，这个 refund 的问题 is beyond our scope，抱歉。"))
    assert any(f.rule == "ban.go_ask_others" for f in forbidden("关于发票，please ask 财务 yourself 吧。"))
    assert any(f.rule == "tone.rhetorical" for f in forbidden("Didn't you check 邮件里的 notice？"))
    assert any(f.rule == "tone.rhetorical" for f in forbidden("系统是你们自己选的，凭什么怪我们？"))
    assert not forbidden("您好，您的 refund 已经处理完成，请查收。")


def test_the_readers_organisation_called_gui_is_an_outside_party():
    # 贵公司 is said to a client whatever title the reader is called by: the customer-only rules apply.
    draft = "赵工您好，贵公司提交的样品检测报告已经出来了，另外运费的事不归我们负责，您直接找物流公司吧。"
    assert any(f.category == "推诿" or f.rule == "ban.go_ask_others" for f in forbidden(draft))


def test_the_reader_called_after_the_closing_particle_still_ends_the_clause():
    # Spoken 明天再来吧您: the clause-end frames still see the clause's end; a particle must come first.
    assert any(f.rule == "ban.off_duty" for f in forbidden("窗口下午三点才开，您下午再来吧您。"))
    assert any(f.rule == "ban.off_duty" for f in forbidden("窗口下午三点才开，您下午再来吧。"))
    assert not any(f.rule == "ban.off_duty" for f in forbidden("下午再来您的材料就齐了，我帮您先登记。"))


def test_another_partys_matter_or_ours_to_refuse_in_new_words():
    assert any(f.rule == "ban.go_ask_others" for f in forbidden("您好，包裹丢了那是快递公司的问题，您问您的快递去。"))
    assert any(f.category == "推诿" for f in forbidden("您好，退押金的事不归我们门店管。"))
    assert any(f.category == "推诿" for f in forbidden("您好，装修纠纷我们物业不参与的。"))
    assert not forbidden("您好，这是我们的问题，我马上给您重新办理。")

"""The checker over the shipped rules: normalisation, look-alikes, offsets, register, hints."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.check.checker import CheckResult, Finding, default_checker
from bot.core.check.sounds import _split

CHECKER = default_checker()


def forbidden(draft: str) -> list[Finding]:
    return [f for f in CHECKER.check(draft).findings if f.kind == "forbidden"]


def test_result_is_plain_frozen_dataclasses():
    result = CHECKER.check("我晕,你等一下")
    assert isinstance(result, CheckResult)
    assert dataclasses.is_dataclass(result) and all(isinstance(f, Finding) for f in result.findings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.findings[0].start = 3  # type: ignore[misc]
    assert {f.rule for f in result.findings} == {"tone.venting", "tone.ni_for_nin"}


@pytest.mark.parametrize("draft", [
    "下 班 了，明 天 再 来",                    # spaces between Han characters
    "下\u200b班\u200d了\ufeff",                  # zero-width characters
    "下😂班了",                                  # emoji between Han characters
    "下—班—了",                                  # dashes
    "下班了，明天再來",                          # traditional
    "下下班了",                                  # repeated characters
    "ＸＸ下班了",                                # full-width letters before
    "已经跟你说过一遍了你还不懂啊",              # added words and particles
])
def test_normalisation_withstands_obfuscation(draft):
    assert any(f.rule.startswith("ban.") for f in forbidden(draft)), draft


@pytest.mark.parametrize("draft", [
    "不知道您是否方便明天上午来一趟?",
    "明天啊,我们九点开门,欢迎您来。",
    "我们明天再来拜访您,感谢您的配合。",
    "这是有牌子的商品,质量有保证。",
    "为了让您快点拿到证照,我们已经为您加急办理。",
    "如果您晕车,我们可以为您安排前排座位。",
    "您的手机真是的士司机送回来的,请您核对一下。",
    "我们提供迷你装试用品,欢迎您领取。",
    "请您到那边的3号窗口办理。",
    "前面的同事正忙着为其他客户办理,请您稍候片刻。",
])
def test_innocent_look_alikes_are_not_flagged(draft):
    assert forbidden(draft) == []


def test_spans_point_at_the_original_characters():
    draft = "有牌\u200b子,你自\u200b己看吧"
    for f in forbidden(draft):
        assert draft[f.start:f.end] == f.text
    texts = {f.text for f in forbidden(draft)}
    assert "有牌\u200b子" in texts and "你" in texts


def test_spans_with_spaced_and_traditional_text():
    draft = "  沒看我正忙著嗎"
    (f,) = [f for f in forbidden(draft) if f.rule == "ban.busy"]
    assert (f.start, draft[f.start:f.end]) == (2, "沒看我正忙著")


def test_ni_for_nin_each_occurrence_and_greeting():
    found = [f for f in forbidden("你好,你的手续已经办好了") if f.rule == "tone.ni_for_nin"]
    assert [f.start for f in found] == [0, 3]


def test_quoted_text_is_exempt():
    assert forbidden("您说“你们这里下班了”，非常抱歉让您久等了。") == []
    assert forbidden("请您在备注里写上「你好」两个字。") == []


def test_rhetorical_and_buck_passing():
    cats = {f.category for f in forbidden("难道您没看通知吗？这事不归我管")}
    assert {"反问/质问", "推诿"} <= cats


def test_no_ending_only_at_the_end_of_a_clause():
    assert [f.text for f in forbidden("这个问题我们也不知道。")] == ["不知道"]
    assert forbidden("如果上午不行的话,下午也可以为您办理。") == []


def test_finding_carries_why_source_and_rewrite():
    (f,) = forbidden("都下班了")
    assert "依据" in f.message and "便民服务中心" in f.message
    assert f.suggestion and "标准用语" in f.suggestion


def test_hints_are_soft_and_separate():
    result = CHECKER.check("您的手续已经办好了请带好资料")
    assert result.findings == ()
    assert len(result.hints) == 2
    polite = CHECKER.check("您好，您的手续已办好，请核对，谢谢！")
    assert polite.hints == () and polite.ok


def test_marked_draft_wraps_spans_and_masks_pii():
    result = CHECKER.check("你的手机13912345678")
    marked = result.marked()
    assert "【你】" in marked and "【139****5678】" in marked
    assert "13912345678" not in marked and "13912345678" not in result.masked_draft()


def test_long_and_odd_drafts_do_not_break():
    assert CHECKER.check("").findings == ()
    assert CHECKER.check("😂" * 50).findings == ()
    long = ("您好，请稍等。" * 1500)[:10000]
    assert CHECKER.check(long).findings == ()
    mixed = "ﬁ" + "下班了"  # a compatibility ligature widens to two characters
    (f,) = forbidden(mixed)
    assert mixed[f.start:f.end] == "下班了"


def test_fold_agrees_with_normalize_except_digits():
    from bot.core.text.fold import INVISIBLE, NUMERALS, TONE_MARKS, fold_char
    from bot.core.text.normalize import to_simplified

    # and except pinyin tone marks, which the fold drops (yāo sān bā is yao san ba)
    for code in [*range(0x20, 0x3000, 7), *range(0x4E00, 0xA000, 11), *range(0xF900, 0x10000, 3), 0xC1, 0x101]:
        ch = chr(code)
        expected = "" if ch in INVISIBLE else to_simplified(ch)
        expected = "".join(NUMERALS.get(c, TONE_MARKS.get(c, c)) for c in expected)
        assert fold_char(ch) == expected, hex(code)


def test_pinyin_spelling_of_a_banned_phrase_is_a_warning():
    checker = default_checker()
    spelt = [f for f in checker.check("xia ban le, ming tian zai lai").findings if f.kind == "forbidden"]
    assert spelt and all(f.severity == "warning" and f.rule == "ban.off_duty" for f in spelt)
    mixed = [f for f in checker.check("wo yun，系统又卡住了").findings if f.kind == "forbidden"]
    assert mixed[0].rule == "tone.venting" and mixed[0].severity == "warning" and mixed[0].text == "wo yun"
    # The clause after it is read as the scored detector reads it alone.
    alone = [f.rule for f in checker.check("系统又卡住了").findings if f.kind == "forbidden"]
    assert [f.rule for f in mixed[1:]] == alone and all(f.severity == "warning" for f in mixed[1:])
    for english in ("Thank you for waiting, I will check the system now.", "ok我马上为您处理"):
        assert not [f for f in checker.check(english).findings if f.kind == "forbidden"]


def test_an_english_word_that_splits_into_pinyin_only_through_m_or_n_is_not_read_as_pinyin():
    # mention -> men ti o n: the consonant-only interjections (嗯 n, 呣 m) are a syllable only alone.
    assert _split("mention") is None and _split("fountain") is None
    assert _split("n") == [0, 1] and _split("nin") == [0, 3] and _split("xiabanle") == [0, 3, 6, 8]
    checker = default_checker()
    draft = "您好，您 mention 的 billing 问题我已经转给 finance 了。"
    assert not [f for f in checker.check(draft).findings if f.kind == "forbidden"]
    assert any(f.kind == "forbidden" for f in checker.check("nin qu wen bie ren ba").findings)


def test_widest_frames_spelt_in_pinyin_are_found_as_from_every_literal(monkeypatch):
    """The pinyin matcher reads the widest frames from their pieces (`Pattern.pieces`) instead of a key
    per literal: on drafts spelling their literals (wholly or partly in pinyin, joined, with the joins
    whose pieces meet on one character among them) it finds exactly the hits, and the rule reporting
    each, of a matcher keyed by every literal."""
    import random

    from bot.core.check import sounds
    from bot.core.check.rules import load_rules
    from bot.core.text.fold import fold_draft
    from bot.core.text.pinyin import readings

    rules = load_rules().rules
    read = sounds.SoundMatcher(rules)
    read.prepare()
    monkeypatch.setattr(sounds, "_PRODUCT_MIN", 10**9)
    every = sounds.SoundMatcher(rules)
    every.prepare()
    wide = [p for r in rules for p in r.patterns if len(p.parts[0]) > 10_000]
    assert wide and all(p.pieces for p in wide)
    spelt, rng = readings(), random.Random(7)
    literals = [a for p in wide for a in p.parts[0]] + [a for r in rules for p in r.patterns for a in p.parts[0][:3]]
    literals += [a for r in rules for p in r.patterns for a in p.irregular]
    found = 0
    for _ in range(1500):
        draft = ""
        for _ in range(rng.randint(1, 3)):
            lit = rng.choice(literals)
            draft += "".join(spelt[c] if c in spelt and rng.random() < 0.6 else c for c in lit)
            draft += rng.choice(["", "，", "的", " ", "了"])
        view = fold_draft(draft).compact
        expected = sorted((h.rule.id, h.start, h.end) for h in every.find(view))
        assert sorted((h.rule.id, h.start, h.end) for h in read.find(view)) == expected, draft
        found += bool(expected)
    assert found > 1000


def test_a_repeated_phrase_is_capped_with_a_count():
    result = default_checker().check("下班了。" * 300)
    off = [f for f in result.findings if f.rule == "ban.off_duty"]
    assert 1 <= len(off) <= 20
    assert "另有" in off[-1].message or "很多处" in off[-1].message


def test_a_colleague_called_by_name_may_be_addressed_as_ni():
    checker = default_checker()
    assert not [f for f in checker.check("李姐，你明天几点到？").findings if f.rule == "tone.ni_for_nin"]
    assert [f for f in checker.check("你明天几点到？").findings if f.rule == "tone.ni_for_nin"]


def test_a_banned_phrase_typed_with_a_homophone_is_a_warning():
    checker = default_checker()
    for draft, rule in (("下斑了，明天再徕", "ban.off_duty"), ("这事不归窝管", "tone.buck_passing"),
                        ("您去问别仁吧", "ban.go_ask_others")):
        found = [f for f in checker.check(draft).findings if f.rule == rule]
        assert found and all(f.severity == "warning" and "同音字" in f.message for f in found), draft
    # The phrase matcher's own conditions still apply, and ordinary words that sound alike stay clean.
    for clean in ("我们下半年再谈合作", "我们明天再来拜访您，感谢您的配合。", "请您到三号窗口办理。"):
        assert not [f for f in checker.check(clean).findings if f.kind == "forbidden"], clean
    # A phrase written out is reported once, as an error, not again as a homophone.
    written = [f for f in checker.check("下班了，明天再来").findings if f.rule == "ban.off_duty"]
    assert written and all(f.severity == "error" for f in written)


def test_pinyin_reading_table_matches_pypinyin_for_every_character():
    from pypinyin import Style, lazy_pinyin

    from bot.core.text.pinyin import readings

    table = readings()
    assert len(table) > 20000
    assert [k for k, v in table.items() if lazy_pinyin(k, style=Style.NORMAL)[0] != v] == []
    assert table["绿"] == "lv" and table["一"] == "yi"


def test_prefix_trie_regex_matches_as_a_longest_first_alternation():
    import random
    import re

    from bot.core.check.checker import _trie_regex

    rng = random.Random(3)
    for _ in range(200):
        words = list({"".join(rng.choice("甲乙丙") for _ in range(rng.randint(1, 4)))
                      for _ in range(rng.randint(1, 8))})
        flat = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
        trie = re.compile(_trie_regex(words))
        text = "".join(rng.choice("甲乙丙丁") for _ in range(30))
        for i in range(len(text)):
            a, b = flat.match(text, i), trie.match(text, i)
            assert (a and a.group()) == (b and b.group()), (words, text[i:])


def test_markings_put_on_the_document_and_prose_about_them():
    checker = default_checker()

    def marked(draft: str) -> bool:
        return any(f.rule == "secret.marker" for f in checker.check(draft).findings)

    assert marked("这份方案已经列为绝密，不要外借")
    assert marked("档案袋上盖着“机密”章")
    assert marked("这张表是秘密级的")
    assert not marked("这是我们的小秘密")
    assert not marked("文件分为绝密（最重要）和机密两级")
    # A label or a graded title heading the text, or a label with a ban on passing it on.
    assert marked("内部材料：下季度排班调整草案")
    assert marked("关于门店装修的通知\n内部文件 请勿外传")
    assert marked("保密资料，禁止截图，看完即删")
    assert marked("绝密级项目简报：华东区试点")
    assert not marked("绝密级文件应当存放在保密柜中。")
    assert not marked("内部资料的管理办法见第三章。")
    # Reworded: 级别, whose secret it is, a closing particle, English typed with digits or said anywhere.
    assert marked("这份材料属于绝密级别")
    assert marked("该方案属于公司绝密，仅限高管阅读")
    assert marked("这个是机密哦，你自己看")
    assert marked("以下内容涉密，请勿转发")
    assert marked("C0NFIDENTIAL 门店调整名单")
    assert marked("这个报价单是internal only的，别发出去")
    assert marked("Highly confidential - board pack")
    # A level in quotes is a word being talked about; so is a question about its translation.
    assert not marked("培训时说，'这是公司机密'这种话要委婉地讲")
    assert not marked("请问“绝密”英文怎么说？是top secret吗？")


def test_topic_exemptions_for_the_customer_and_for_refusals():
    checker = default_checker()

    def topic(draft: str) -> bool:
        return any(f.kind == "secret" and f.category == "confidential_topic" for f in checker.check(draft).findings)

    assert topic("下个月门店要提价一成，先别往外讲")
    assert topic("Our supplier cost is 40 percent of retail, don't tell anyone")
    assert not topic("您的工资卡已经收到本月工资6200元")
    assert not topic("同事的病情属于个人隐私，不方便讨论")
    # A public word followed by "not yet" or "before" is no longer public (公告里还没写, 正式通知前).
    assert topic("项目控制价内部定在一百二十万，公告里还没写")
    assert topic("明年采购成本要压两成，正式通知前不要对外说")
    assert not topic("薪资范围在招聘启事上写着，月薪五千到七千")
    assert not topic("交易流水号 2024061210332198761，请保留好")
    # Names told by 姓/叫, industry suffixes, English in Chinese drafts, dialect cues.
    assert topic("我们的大客户是鼎盛物流，对接人姓王，每月下单八十万")
    assert topic("The unit cost is 9 per piece, we sell at 30")
    assert topic("Lisa is on antidepressants, keep it between us")
    assert topic("老细话下个月要搬厂去东莞，大家仲未知")


def test_a_lone_surrogate_inside_a_finding_leaves_as_a_replacement_character():
    from bot.cli.check import result_json
    from bot.cli.common import json_line

    draft = "你这个不受\udc47理了"  # what a hostile API caller can pass; the compact view skips it
    result = default_checker().check(draft)
    hit = [f for f in result.findings if f.kind == "forbidden" and f.start <= 5 < f.end]
    assert hit and "\ufffd" in hit[0].text and draft[hit[0].start:hit[0].end].replace("\udc47", "\ufffd") == hit[0].text
    json_line(result_json(result)).encode("utf-8")
    assert result.masked_draft().encode("utf-8") and "".join(p for p, _ in result.pieces).encode("utf-8")


def test_pinyin_readings_come_from_pypinyin_table_without_importing_the_package():
    # A fresh interpreter: the readings are built, the package (and its 45 MiB phrase dictionary) is not
    # imported; the table read from the JSON file equals the one pypinyin itself loads.
    code = (
        "import sys\n"
        "from bot.core.text.pinyin import readings\n"
        "r = readings()\n"
        "assert 'pypinyin' not in sys.modules, sorted(m for m in sys.modules if 'pinyin' in m)\n"
        "from pypinyin.pinyin_dict import pinyin_dict\n"
        "from bot.core.text.pinyin import toneless\n"
        "own = {chr(c): toneless(v.split(',')[0]) for c, v in pinyin_dict.items() if 0x4E00 <= c <= 0x9FFF}\n"
        "assert r == own and len(r) > 20000\n"
        "print(r['班'], r['下'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ban", "xia"]


def test_a_phrase_talked_about_without_quotation_marks_is_not_said():
    # The norms or a training quiz in the sentence or the one before, or a customer's words reported.
    for draft in ("培训小测：哪一句算服务禁语？甲、请您稍候 乙、下班了，明天再来。",
                  "规范里不能说不归我管，要说我帮您联系。",
                  "顾客说你们这儿下班了明天再来，我解释了营业时间。"):
        assert not [f.rule for f in CHECKER.check(draft).findings if f.kind == "forbidden"], draft
    # The same phrase said, with such a word far away in another sentence, is still found (to a customer
    # greeted as one: a draft about 服务禁语 with nothing for a customer reads as written among staff).
    draft = "您好，下班了，明天再来。这是昨天的事。培训时讲过服务禁语。"
    assert "ban.off_duty" in {f.rule for f in CHECKER.check(draft).findings}


def test_a_homophone_spelling_does_not_run_across_punctuation():
    # 您好：本… is a greeting and a new clause, not 您好笨 typed with a homophone.
    assert CHECKER.check("您好：本周六上午停电检修。").ok
    assert not CHECKER.check("您好，本店今天八折。").findings


def test_wide_index_skips_the_characters_the_repeat_collapse_dropped():
    from bot.core.text.fold import fold_draft

    for draft in ["谢谢谢谢，好好好的的", "快快快 快快点！！好好", "哈哈哈哈哈", "a  b，，c", "下下班班了了"]:
        folded = fold_draft(draft)
        c = folded.compact
        wide = [c.wide_index(i) for i in range(len(c.text))]
        # Each compact character points to that character in the wide text, in order, the first of a run kept.
        assert [folded.wide.text[w] for w in wide] == list(c.text)
        assert wide == sorted(set(wide))
        assert all(w == 0 or folded.wide.text[w - 1] != folded.wide.text[w] for w in wide)
    assert fold_draft("快快快点").compact.wide_index(1) == 3


def test_a_not_a_question_is_no_mention_of_a_rule():
    # 不能说 is a mention cue (规范里不能说“…”); 能不能说清楚点 asks, and is judged as said.
    checker = default_checker()
    said = [f.rule for f in checker.check("您到底能不能讲明白一点？").findings if f.kind == "forbidden"]
    assert "tone.rhetorical" in said
    assert not [f for f in checker.check("培训时讲过，不能说“您自己看”。").findings if f.kind == "forbidden"]


def test_a_promise_about_another_matter_does_not_take_back_a_banned_act():
    # A first-person commitment in the next sentence still answers the act before it; one in a
    # sentence that opens on another matter or a condition (另外…, 如果…) goes on with the message.
    assert not [f for f in forbidden("这个您去问售后吧。我帮您把电话找出来。") if f.rule == "ban.go_ask_others"]
    for draft in ("这个您去问售后吧。另外，我们会为您免费延长保修。",
                  "这个您去问售后吧。如果有其他问题，我们会尽力帮您。"):
        assert "ban.go_ask_others" in {f.rule for f in forbidden(draft)}, draft


@pytest.mark.parametrize("draft", [
    "您好，笨重的行李可以托运，我帮您办理托运手续。",   # 您好 | 笨重: no 您好笨
    "您好，傻瓜相机的说明书给您放包装里了。",
])
def test_a_short_phrase_is_not_read_across_a_clause_break(draft):
    assert forbidden(draft) == []


@pytest.mark.parametrize(("draft", "rule"), [
    ("快点，下班了", "ban.hurry_up"),            # two acts in two clauses are each still found
    ("有牌子，自己看", "ban.read_the_sign"),
    ("你好笨啊", "tone.rude"),
])
def test_short_acts_in_their_own_clauses_are_still_found(draft, rule):
    assert rule in {f.rule for f in forbidden(draft)}


def test_a_prohibition_of_saying_it_to_the_served_is_talk_about_a_phrase():
    # 不能对群众说 / 不要跟顾客讲 teach staff what not to say; 这种话 refers to a phrase as a kind of saying.
    for draft in ("新人注意：快下班了也要把号叫完，这话绝对不能对群众说。",
                  "小李，不要跟顾客讲没看我正忙着吗，要先说请稍等。",
                  "交接提醒：快关门了也要把号叫完，“明天再来”这种话绝对不能对群众说。"):
        assert not [f.rule for f in forbidden(draft)], draft
    # The phrase said to the reader, with no such words in its sentence or the one before, is still found.
    assert "ban.off_duty" in {f.rule for f in forbidden("您好，快关门了，明天再来吧。")}


def test_the_writer_handing_over_the_matter_clears_an_act_shaped_like_a_banned_one():
    # The reader spared a second trip, the writer sending the written matter itself or the reason in
    # writing, 得不行 as a degree complement, a third party already told.
    for draft in ("您的材料齐了，我现在就给您办，不用明天再跑一趟。",
                  "我把收费标准整理好发到您手机上了，您对着看就清楚了。",
                  "这个按规定办不了，原因我写给您了。",
                  "听说孩子录取了，老人家高兴得不行。",
                  "我已经跟司机说过两遍了，他十分钟内到。"):
        assert not [f.rule for f in forbidden(draft)], draft
    for draft, rule in (("今天办不了，明天再跑一趟吧。", "ban.off_duty"),
                        ("门口有牌子，您自己看。", "ban.read_the_sign"),
                        ("已经跟您说过两遍了，还不懂？", "ban.told_you_already")):
        assert rule in {f.rule for f in forbidden(draft)}, draft

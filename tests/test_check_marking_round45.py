"""Round 45: markings both ways — a level or label given to one thing at hand in forms the grammar had not read,
and a level word or label that gives no document a level (everyday or slang sense, a case supposed or asked, a
class under a rule, a kind or slogan quoted, a work's title, English denied, named or a class). Drafts written for
the test from the categories, not evaluation items (benchmarks/blind/adv45m is the set written for measuring)."""

from __future__ import annotations

import pytest

from bot.core.check.checker import default_checker


def _marked(draft: str) -> bool:
    return any(f.category == "secret_marker" for f in default_checker().check(draft).findings)


@pytest.mark.parametrize("draft", [
    "档案室刚转来一份省局的秘密级通报，我放你办公桌上了",  # a graded thing pointed at by a count, mid-sentence
    "那册机密级的台账你先别还，下午我还要核对",  # a demonstrative and a measure word
    "绝密级的那两份我已经锁进柜子，钥匙在我这",  # 级的 + a pointer after it
    "那张秘密级的地图我夹在文件夹里给你了",
    "咱们手上这个是绝密级的项目，外面的人一概不提",  # a copula's graded thing named
    "这套样图被上面划成绝密了，复印要登记",  # 划成: a stamp verb in another word
    "报告封皮有标机密，别拿去会议室投屏",  # 有标
    "清单的页脚标的是机密级，打印的时候别漏了",  # a stamp read out, unquoted
    "图纸右下角有绝密两个字，你发外协之前裁掉",  # the place that carries the level
    "这个是那个嗯机密的啊，你看完就收起来",  # dictated: a filler between the copula and the level
    "这个是机机密的，看完还我",  # dictated: a stutter
    "这卷宗定密为绝密级，里面是去年的事故调查",  # 定密为 gives the grade, no rule cited
    "this memo is marked 机密，会后收回",  # an English frame around a Chinese level
    "这份课件仅供内部交流，别发到家长群",  # 仅供内部… in another word
    "附件是排班调整方案，属于内部资料，请勿外传",  # the label's own refusal word with its instruction
    "这个底价是机密级的，谁问都不能说",  # a hush for askers, not a refusal
])
def test_a_level_given_to_one_thing(draft):
    assert _marked(draft)


@pytest.mark.parametrize("draft", [
    "如果是机密级的图纸，要单独装袋送保密室",  # a case supposed
    "这份算不算机密文件？我拿不准",  # asked
    "那本档案要不要定为秘密级，得报保密办定",  # asked whether to grade it
    "咱们的内部资料能不能给外包看？",  # asked after the label
    "标着绝密的材料都要放进保险柜",  # a class named by its marking under a rule
    "印着“内部资料”的，只能在阅览室看",
    "涉密文件只能在涉密计算机上处理",  # the kind a rule is about
    "保密制度里写了，内部资料不得带回家",  # the rule's ban cited
    "按单位的保密制度，投标文件都属于机密级",  # a class graded in a rule
    "您说的那种“绝密”贴纸我们这里没有卖的",  # a kind of label
    "本月宣传口号是“涉密文件不离身”，大家记一下",  # a slogan quoted
    "《绝密档案》这本小说在三楼文学区",  # a work's title
    "告诉你个绝密消息，今晚食堂加鸡腿",  # slang for news
    "「机密」这两个字用英语怎么说？",  # the word named
    "这个报价单不是 confidential 的，可以发客户",  # English denied
    "confidential 这个词怎么拼？",  # English named
    "Never forward anything marked CONFIDENTIAL to a personal mailbox.",  # English: a class in a rule
    "“秘密★”“机密★”“绝密★”后面的数字是保密期限",  # the formats listed
    "处理秘密文件的规矩，培训时都讲过",  # a label before the handling rules of its kind
])
def test_no_level_given(draft):
    assert not _marked(draft)

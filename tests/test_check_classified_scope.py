"""Where the evidence of a classified topic must sit, and which context of a long draft covers a
sentence: drafts written for the test (not evaluation items), each clean one beside a leak of the
same shape that stays found."""

from __future__ import annotations

from support.classified import clean_beside_leaks, is_amount

from bot.core.check.checker import default_checker
from bot.core.text.fold import fold_draft

CLEAN = [
    # A surname and a title joined across a comma by the compact view are no name.
    "老人家血糖偏高，医生说要住院观察两天。",
    # A number heading a code (a tax number) is not an amount in m or k.
    "开票信息：税号91330106MB2X7K9Q1L，纳税人名称杭州远帆贸易有限公司。",
    # English words after a credential word are prose, though one carries digits.
    "The WiFi 密码 reset is handled by IT desk 305 downstairs.",
    # A handing verb that cannot be done is a refusal.
    "你要的那份成本核算表我私下给不了，得找财务走流程。",
    # Months counted back are a span of time, not an amount.
    "您好，申请公积金贷款需要带身份证、婚姻证明和近六个月的工资流水。",
    # A topic the draft calls public stays public in its later sentences.
    "各位同事：今年的年终奖发放办法已在公司官网正式公布。年终奖平均为两个月工资，月底随工资发放。",
    # What the customer asked about is told to them (您 + a short verb + 的).
    "您好，您咨询的定期存款产品期限一年，业绩比较基准年化百分之二点一，到期自动转存。",
    # A draft that greets outsiders speaks to them in every sentence.
    "尊敬的业主：小区近期更换了门岗系统。夜间时段的保安巡逻已经加强。",
    # A report on a customer goes on about them in a sentence that names nobody.
    "王经理，那位客户的申请我核过了。单位是市二医院，月收入约一万二，没有逾期。",
    # A two-character prohibition reaches a sharing verb over a longer object.
    "报废的设计图纸不能直接当旧纸卖给回收站，要送去粉碎。",
]

LEAKS = [
    # A name and its title in one clause are a person.
    "高医生那边说老李的检查结果不好，要做手术，你先别往外说。",
    # An amount in m still counts.
    "the tender ceiling is 4.8M RMB internally, keep it quiet",
    # A spaced code after the credential word is still a value.
    "仓库门禁密码是 7 3 9 1，晚上没人的时候用。",
    # Months as a bonus stay an amount.
    "听财务说今年年终奖发四个月，你先别声张。",
    # A later secrecy cue still counts after an announcement of the same topic.
    "年终奖发放办法已在官网公布。不过老王私下多拿了三万年终奖，这个别外传。",
    # A colleague named after the customer: the pay is the colleague's.
    "客户资料我核过了。小王这个月工资才三千二，他让我别跟别人说。",
    # A rules word clauses before a colon does not reach past it.
    "这些事培训时不会讲，但你早晚要知道，我跟你交个底：公司账上的现金只够发两个月工资了。",
    # A later time and 才 before the telling verb: not public yet.
    "财报下周才公布，但这季度净利润跌了三成，先别往外说。",
    "报废的设计图纸我偷偷卖给回收站了。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_span_of_time_is_not_an_amount():
    text = "近6个月的流水"
    assert not is_amount(text, 1, 2)
    assert is_amount("拿4个月", 1, 2)


def test_a_quoted_english_sentence_opens_with_no_name():
    f = fold_draft('规范里 "Wait outside, we are busy" 这种话不能说，Kevin 也知道。')
    names = [f.compact.text[a:b] for a, b in default_checker().classified._names(f)]
    assert names == ["kevin"]

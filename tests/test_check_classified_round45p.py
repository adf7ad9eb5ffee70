"""Round 45's negative contexts (issue 11, classified precision): a secrecy cue denied (没有内部价) or a ban on
telling whose object is a wording (别说"你自己看"), acting in secret banned (不要私下收现金); a prize of a prize
draw; the customer's price difference; the reader's own matter in the informal 你 forms, unless the sentence
confides; a refusal that says one cannot say; the promise to tell once the matter is out; an official document
pointed to as what counts; the speaker's own pay; the till balanced and a room's upkeep; a rulebook quoted; a
product already launched or a notice posted; a job seeker's expected pay. Drafts written for the test (not
evaluation items), each clean one beside a leak of the same shape."""

from __future__ import annotations

from support.classified import clean_beside_leaks, topic_found

CLEAN = [
    # A cue word denied: no such thing.
    "我们店所有价格都按价目表，不存在内部价，也没有员工价。",
    "会员卡的价格官网上都有公示，我们门店这边没有内部价。",
    # A ban on a wording, not on telling a matter.
    "客人问起退票的事，千万别说\"你自己去网上查\"，要把流程讲清楚。",
    "以后接待客户不要再说员工价这种话，一律按标价。",
    # Acting in secret ruled out.
    "按标价收费，不要私下收现金，也不要自己给客户打折。",
    # A prize of a prize draw, paid to whoever holds the ticket.
    "恭喜您，这张彩票中了四等奖，奖金两百元，可以在本站直接兑奖。",
    # The customer's price difference, settled with them.
    "您改签到晚上那班，补差价六十元就可以。",
    # The reader's own pay, told to them.
    "小刘，你本月工资六千三已经到账了，有疑问找财务。",
    # Saying one cannot say.
    "您问我们员工一个月挣多少，这个我真不好说，每个岗位都不一样。",
    # The promise to tell once it is out.
    "年终奖方案还没出来，出来了会统一通知大家。",
    # The official document pointed to.
    "干部任免以集团正式发文为准，大家别听传言。",
    # The speaker's own pay or money.
    "我把自己的工资流水打印出来给了银行，办房贷要用。",
    # The till balanced, a room's upkeep.
    "下班前把收银台的现金轧一下账，和系统对一下。",
    "机房的空调今天检修，师傅下午两点到。",
    # A rulebook quoted.
    "规范里说董事会的会议资料要编号管理，你装订的时候注意页码。",
    # Already launched, or posted.
    "这款是去年已经上市的型号，说明书可以随便拿。",
    "新的收费标准已经张贴在大厅门口，下月起执行。",
    # A job seeker's expected pay.
    "面试时人家问期望月薪，你就说八千左右，按行情来。",
]

LEAKS = [
    # A cue not denied: the internal price told.
    "跟你说个内部价，这款进货价才三十八，别往外说。",
    # A ban on telling a name (quoted), not a wording.
    "收购的事还没公告，谁都不许提\"苏州\"两个字，目标公司估值五个亿。",
    # Told in secret, not banned.
    "我私下跟你说，下个月全线涨价百分之十。",
    # A bonus of the organisation's, no prize draw.
    "今年部门奖金按四个月发，先别往外说。",
    # Our margin, not the customer's difference.
    "这批货进销差价有三成，利润很可观，别跟客户说。",
    # The reader's own word, but the sentence confides others' pay.
    "你上个月业绩好，跟你透个底：这次调薪顾问底薪从四千五涨到五千二。",
    # A decision told before the document is pointed to.
    "下个月要裁掉三个门店，具体以正式发文为准，先别外传。",
    # A colleague's pay, not the speaker's.
    "老王这个月到手九千多，比我们都高，别往外说。",
    # The arrangement, not the upkeep.
    "机房晚上十点以后就没人值守了，门禁也没开。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_a_denied_cue_leaves_the_public_word_to_clear_the_figure():
    # 官网公示 calls the price public; 没有内部价 no longer hides that behind a secrecy cue.
    assert not topic_found("团费都在官网公示，三千六百八十元就是最终价格，没有内部价。")
    assert topic_found("团费官网写的是三千六，其实内部价才两千九，别往外说。")

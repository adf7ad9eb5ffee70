"""Round 31's sentence-scoped negatives: a matter undecided, unknown to the speaker or denied tells
nothing; a security detail under a prohibition is a rule; a marking keeps the handling rules that follow
it. Drafts written for the test (not evaluation items), each clean one beside a leak of the same shape
that stays found — a long draft may hold a reminder and a leak."""

from __future__ import annotations

from support.classified import clean_beside_leaks, marking_found

CLEAN = [
    # Undecided, with the promise to tell once decided (定了 after 还没定 is that promise).
    "各位同事，年终奖方案还没定，定了会第一时间通知大家，这几天别到处打听了。",
    # A future word that qualifies the topic word names it (明年的…方案), tells nothing.
    "各位同事，明年的工资调整方案目前还在测算，出来以后人事会逐个沟通，大家不要听信小道消息。",
    # Unknown to the speaker.
    "标底的事别问我了，我也不知道，开标那天才公布。",
    # A rumour denied.
    "关于公司搬迁的传言，行政说目前没有任何计划，大家不要相信。",
    # Where a thing must not be kept is a rule, not where it is.
    "备用金每天早上到财务室领，下班前交回，不要放在收银台抽屉里过夜。",
]

LEAKS = [
    # A plan told before 还没最终定 is told: the undecided phrase comes after the content.
    "馆里下学期要压缩经费，外文期刊订阅砍掉一部分，这些还没最终定，大家先不要跟读者讲。",
    # Undecided, but a figure is told with it.
    "年终奖方案还没最终定，不过主管大概三个月，普通员工一个半月，先别外传。",
    # Decided and not yet announced (还没公布) is a secrecy cue, not undecided.
    "下季度要关掉城西两家门店，董事会已经定了，还没对外公布。",
    # A reminder and a leak in one long draft: the reminder's sentence does not clear the leak's.
    "各位同事，年终奖方案还没定，定了会通知大家。另外悄悄跟你们说，调薪方案人事已经定了，平均涨百分之六，先别外传。",
    # A weakness of the arrangement still discloses beside a prohibition elsewhere in the sentence.
    "库房晚上十点以后就没人了，监控也坏了一周了，这事不要告诉别人。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_a_marking_keeps_the_handling_rules_that_follow_it():
    assert marking_found("这份文件标注为机密级，请各位在机要室内阅读，不得拍照、复印。")
    assert marking_found("这份文件标注为机密级，请各位在机要室内阅读。")


def test_prose_about_markings_states_its_rule_in_the_levels_clause():
    assert not marking_found("秘密级文件应当存放在保密柜中，不得带出。")
    assert not marking_found("绝密级文件由专人保管，不得复印。")

"""Round 33's evidence forms for a topic word: a credential dictated in words (letters by their case,
symbols by name, a repeated digit), a credential's value further on when the word after it is not the
value, a formula or line of code holding a number for technology, and an English-mixed secrecy cue (a
Chinese not-yet or hush word before an English publishing or passing-on verb). Drafts written for the
test (not evaluation items), each clean one beside a leak of the same shape that stays found."""

from __future__ import annotations

from support.classified import clean_beside_leaks

CLEAN = [
    # A password rule names letter cases but tells no value.
    "新密码要包含大写字母、小写字母和数字，至少八位。",
    # The password is somewhere else, not told: the word after it is not the value.
    "The password for the guest wifi is on the card at the front desk.",
    # A version requirement is no formula of ours: no name or number before the operator.
    "数据库版本要 >= 8.0 才能装，装之前先备份。",
    # Asking whether something was announced is no cue.
    "请问今年的调休安排 announce 了吗？",
]

LEAKS = [
    # Dictated: letters by case, symbols by name.
    "仓库电脑的密码是小写的m大写的T然后五五八然后星号，登进去把库存表打出来。",
    # A repeated digit is the whole code.
    "后门门禁密码就是六个九，晚上最后走的人记得锁。",
    # The value further on, after a word that is not it.
    "Password for 财务电脑 is 'Mt 5590 !!'，别外传。",
    # A formula holding a number, in technology.
    "报价公式是 price = cost * 1.35 + 20，别给代理商看。",
    # English-mixed cues.
    "区域经理 next month 要被调走，还没 announce。",
    "今年的提成方案定了，销售提成 3%，千万别 spread。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)

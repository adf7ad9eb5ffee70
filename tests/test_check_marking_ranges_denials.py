"""Marking grammar: a range of levels is a class of documents a rule speaks of; a negation right
before a level or label denies the marking; the bare 涉密 marks only in a frame of its own; the English
SECRET is a level; a rules word only in a later clause after a stamped English level is the handling of
the marked document. Drafts written for the test, not evaluation items."""

from __future__ import annotations

import pytest
from support.classified import marking_found


@pytest.mark.parametrize("draft", [
    "【涉密】关于调整门店排班的请示，请各位审阅",
    "★涉密★ 下季度采购计划",
    "封面印着 SECRET，看完交回",
    "SECRET - 年度预算草案",
    "这份清单顶部标着 CONFIDENTIAL，是明天培训的座位表，别外传",
    "密级：机密",
    "这份不是普通文件，是机密级的，看完交回",
])
def test_markings_are_found(draft):
    assert marking_found(draft)


@pytest.mark.parametrize("draft", [
    "密级为机密及以上的文件，借阅须经部门负责人批准",
    "秘密级或以上的资料不得带出办公区",
    "这份不是机密文件，已经在网站上公开了",
    "这些都不属于涉密文件，可以正常归档",
    "涉密载体请统一交保密办登记",
    "涉密人员出国须报批",
    "keep it a secret, it's a birthday surprise",
    "CONFIDENTIAL 文件应当锁进保密柜",
])
def test_their_neighbours_stay_clean(draft):
    assert not marking_found(draft)

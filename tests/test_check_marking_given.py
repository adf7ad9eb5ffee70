"""Round 38: a level given to the thing at hand in forms beside the plain grammar, on drafts written for the
test (not evaluation items)."""

from __future__ import annotations

import pytest

from bot.core.check.checker import default_checker


def _marked(draft: str) -> bool:
    return any(f.category == "secret_marker" for f in default_checker().check(draft).findings)


@pytest.mark.parametrize("draft", [
    "呢份文件係机密，睇完还俾我",  # Cantonese: 呢份 (这份) + 係 (是)
    "这套图纸按机密级保管，你看完放回去",  # handled as a level, the thing pointed at
    "主任说这份名单按绝密处理",
    "每一页都印着公司绝密的水印",  # the level with its mark
    "档案袋上印着“涉密”两个字",  # the quoted 涉密 read out after a stamp verb
    "此文件属公司秘密级材料，请勿外传",  # 公司秘密 + 级: the owner and the grade, not rules talk
])
def test_a_level_given_to_the_thing_at_hand(draft):
    assert _marked(draft)


@pytest.mark.parametrize("draft", [
    "涉密文件按密级管理，不得带出办公室",  # a rule, no level given
    "带有机密水印的文件不得复印",  # a rule about marked documents
    "秘密的印章在哪里刻？",  # the everyday 秘密
    "门上写着“内部通道”，顾客请走正门",  # a door sign
    "公司秘密包括客户名单和财务报表",  # rules talk
    "机密级文件应当按机密级管理",  # prose about the levels
])
def test_no_level_given(draft):
    assert not _marked(draft)

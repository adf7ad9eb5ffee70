"""Markings hidden from a reader looking for the word: a level split by a separator, a homophone label
after a demonstrative and handed over, an English level in a Chinese marking frame; and their clean
neighbours (a spaced-out draft, a kind of document, a question, a code-switched refusal). Drafts written
for the test, not evaluation items."""

from __future__ import annotations

import pytest
from support.classified import marking_found


@pytest.mark.parametrize("draft", [
    "机·密 的那份预算表我放你邮箱了",
    "附上绝 密级的方案，看完删掉",
    "秘\u200b密件在我抽屉第二格",
    "那个鸡密文件我放你桌上了",
    "这个 report 是 Confidential 的，我先 forward 给你",
    "封面写着 Top Secret，你拿去参考",
])
def test_disguised_markings_are_found(draft):
    assert marking_found(draft)


@pytest.mark.parametrize("draft", [
    "机 密 级 文 件 要 如 何 保 管",  # every character spaced: no word is split
    "我 告 诉 你 一 个 秘 密",
    "这是我们的秘 密，别告诉别人",  # the everyday 秘密, not before a document
    "这个绝密文件怎么处理？",  # a demonstrative alone may name a kind
    "这个是 confidential 的吗？",  # asking whether it is marked
    "这个 info 是 confidential 的，我们不能 share，请您理解。",  # a code-switched refusal
])
def test_their_neighbours_stay_clean(draft):
    assert not marking_found(draft)

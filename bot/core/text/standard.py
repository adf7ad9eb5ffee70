"""Regional and formal words read as the standard Mandarin the knowledge base is written in
("俺上班穿运动鞋中不中" -> "我上班穿运动鞋行不行", "侬晓得伐" -> "你知道吗", "冇问题" -> "没问题").

Staff ask in dialect, in Cantonese-influenced writing, in Wu, and in official formal prose; the
knowledge and the embedder read standard written Chinese. Dropping such words as fillers keeps
them out of the lexical coverage, but the embedder still reads them, and words that carry meaning
(冇, 唔, 晓得, 明儿) lose it when dropped. Reading them as their standard word serves both signals.

Applied to the folded text (simplified, lower case, compact), longest word first in one pass, so
"啥子" is read before "啥" and a rewritten word is never rewritten again. The words are data:
knowledge/voices.yaml ``standard:``; a word is listed only when it is not part of an ordinary
standard word (系 alone is in 联系, so only 本人系, 系唔系 are listed), which the tests check against
the knowledge base's own texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.core.text.normalize import normalize_query


class StandardWords:
    """Regional and formal words -> standard Mandarin, on folded text."""

    def __init__(self, words: Mapping[str, str]):
        folded = {normalize_query(k): normalize_query(v) for k, v in words.items()}
        self.words = {k: v for k, v in folded.items() if k and k != v}
        keys = sorted(self.words, key=lambda k: (-len(k), k))  # the longest word at a place wins
        self._pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, folded: str) -> str:
        if self._pattern is None:
            return folded
        return self._pattern.sub(lambda m: self.words[m.group(0)], folded)

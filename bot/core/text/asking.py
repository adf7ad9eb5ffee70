"""Where a long message asks its question.

A story or a situation puts what happened first and the question last ("我在银行大堂做引导，……
按制度这样做可以吗？"); a formal message wraps it in scaffolding ("……应先确认哪些信息？敬请明示。").
The asking part is the message's last sentence that asks — ends with a question mark, ends with a
question particle, or holds an asking word (language data: `asking` of knowledge/language.yaml) —
with the sentences before it while it is too short to name a subject on its own ("这样做可以吗？",
"敬请明示。"). A message of one sentence, or none that asks, has no asking part of its own: the whole
message is what it asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A sentence ends at these (kept with the sentence before them); a comma only separates clauses,
# and a clause alone ("这算不算违规") rarely names what it asks about.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n…])")
_QUESTION_MARKS = ("?", "？")
# Below this many folded characters an asking sentence takes the sentence before it too: "这样做
# 可以吗" (6) asks about the story, "接别人名片时到底应该怎么做" (13) names its subject itself.
MIN_ASKING_CHARS = 12


# A clause ends at these too: "这样做违规吗" after a comma is a clause of its own.
_CLAUSE_END = re.compile(r"(?<=[，,、：:。！？!?；;\n…])")
# What may remain of a clause once its frame words are gone for it still to be all frame: nothing
# (one character would already take a story's "还骂我们公司" for frame).
FRAME_REST = 0
# Below this many folded characters what remains of a message without its frame clauses says too
# little to be read on its own.
MIN_MATTER_CHARS = 4


@dataclass(frozen=True, slots=True)
class AskingWords:
    """What makes a sentence ask: words anywhere in it, particles at its end (both folded); and
    the words that only frame a question (`frame`: "这样做违规吗", "规范里是怎么要求的", "敬请明示"),
    which name no subject."""

    words: tuple[str, ...] = ()
    endings: tuple[str, ...] = ()
    frame: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.endings)

    @property
    def frame_pattern(self) -> re.Pattern[str] | None:
        """Frame and asking words, longest first (None when there are none)."""
        words = sorted({*self.frame, *self.words, *self.endings}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words))) if words else None


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence-final mark, blank pieces dropped."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


def clauses(text: str) -> list[str]:
    """`text` cut after each clause mark (commas too), blank pieces dropped."""
    return [s for s in (p.strip() for p in _CLAUSE_END.split(text)) if s]


def is_frame(folded: str, pattern: re.Pattern[str] | None) -> bool:
    """A folded clause that is frame words only ("这样做违规吗", "规范里是怎么要求的")."""
    return pattern is not None and len(pattern.sub("", folded)) <= FRAME_REST


def all_frame(text: str, pattern: re.Pattern[str] | None, fold: Callable[[str], str]) -> bool:
    """Every clause of `text` only frames a question ("按规范这种情况应该怎么处理？")."""
    parts = clauses(text)
    return bool(parts) and all(is_frame(fold(p), pattern) for p in parts)


def matter(text: str, pattern: re.Pattern[str] | None, fold: Callable[[str], str], *,
           min_chars: int = MIN_MATTER_CHARS) -> str:
    """`text` without its frame clauses, as written ('' when none is frame, or when what remains
    is too short to say anything): a situation's "……，这算违规吗" or a story's "规范里这种情况是怎么
    要求的？" asks for a judgement and names no subject, while it pulls both signals towards entries
    that speak of violations and rules in general."""
    if pattern is None:
        return ""
    parts = clauses(text)
    kept = [p for p in parts if not is_frame(fold(p), pattern)]
    if len(kept) == len(parts) or not kept:
        return ""
    rest = "".join(kept)
    return rest if len(fold(rest)) >= min_chars else ""


def asking_part(text: str, asking: AskingWords, fold: Callable[[str], str], *,
                min_chars: int = MIN_ASKING_CHARS) -> str:
    """The sentences of `text` that ask, as written ('' when that is the whole message: one
    sentence, or none asks). `fold` reads a sentence as the matcher does (markers are folded)."""
    parts = sentences(text)
    if len(parts) < 2:
        return ""
    folded = [fold(p) for p in parts]

    def asks(i: int) -> bool:
        f = folded[i]
        return (parts[i].rstrip("。！!…；; \n").endswith(_QUESTION_MARKS) or f.endswith(asking.endings)
                or any(w in f for w in asking.words))

    last = next((i for i in range(len(parts) - 1, -1, -1) if asks(i)), None)
    if last is None:
        return ""
    first, size = last, len(folded[last])
    while first > 0 and size < min_chars:
        first -= 1
        size += len(folded[first])
    return "" if first == 0 else "".join(parts[first:last + 1])

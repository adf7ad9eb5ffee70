"""Who a draft speaks to: a colleague or a customer.

Rules about addressing the customer (`customer_only`: 你 for 您, 快点, 明天再来) do not apply to a
message between colleagues. The judgement weighs cue groups from phrasebook/addressee.yaml: names and
titles called at a clause head, internal-work and peer-talk vocabulary for a colleague; customer
calls, an opening greeting, 您 and courtesy, service done on the reader's behalf for a customer.
The customer is the default: a draft is to a colleague only when that evidence is strong and leads.
It runs on the draft's compact view, only when a customer-only rule matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.schema import NonEmpty, pydantic_problems
from bot.core.text.fold import Compact, fold_literal
from bot.core.yamlfile import DataError, load_with_lines

FILE = "addressee.yaml"
Side = Literal["colleague", "customer"]
Where = Literal["anywhere", "head", "call", "opening"]
# What may follow a called name inside its clause (李姐你… / 先生您… / 小王啊，).
_AFTER_CALL = "你您侬啊呀哈呢"


class CueModel(BaseModel):
    """One group of cue words for one side."""

    model_config = ConfigDict(extra="forbid")
    side: Side
    where: Where
    # required: a surname first (李姐); optional: 先生 or 李先生; after: a surname follows (小王); none.
    surname: Literal["required", "optional", "after", "none"] = "none"
    weight: Annotated[int, Field(ge=1, le=5)]
    most: Annotated[int, Field(ge=1, le=5)] = 1  # distinct words of the group that count
    words: Annotated[list[NonEmpty], Field(min_length=1)]


class AddresseeModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    least: Annotated[int, Field(ge=1, le=10)]
    margin: Annotated[int, Field(ge=0, le=10)]
    cues: Annotated[list[CueModel], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class Cue:
    side: Side
    where: Where
    weight: int
    most: int
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Points for each side and the cue words that earned them (for tests and explanations)."""

    colleague: int
    customer: int
    words: tuple[str, ...]


class Addressee:
    """Judges whether a draft is written to a colleague (build once; thread-safe)."""

    def __init__(self, model: AddresseeModel, *, surnames: str):
        self.least, self.margin = model.least, model.margin
        names = f"[{re.escape(surnames)}]" if surnames else "(?!)"
        cues = []
        for cm in model.cues:
            words = sorted({fold_literal(w) for w in cm.words} - {""}, key=len, reverse=True)
            alt = "|".join(map(re.escape, words))
            body = {"required": f"{names}(?:{alt})", "optional": f"{names}?(?:{alt})",
                    "after": f"(?:{alt}){names}", "none": f"(?:{alt})"}[cm.surname]
            cues.append(Cue(cm.side, cm.where, cm.weight, cm.most, re.compile(body)))
        self.cues = tuple(cues)

    @classmethod
    def load(cls, path: Path | None = None, *, surnames: str) -> Addressee:
        """phrasebook/addressee.yaml (or `path`); DataError with file:line when broken."""
        path = path or PHRASEBOOK_DIR / FILE
        data, node = load_with_lines(path)
        try:
            model = AddresseeModel.model_validate(data)
        except ValidationError as exc:
            raise DataError(pydantic_problems(exc, str(path), node, what="file")) from None
        return cls(model, surnames=surnames)

    def evidence(self, view: Compact) -> Evidence:
        """Points for a colleague and for a customer as the reader of `view`."""
        text, bounds = view.text, view.clauses
        heads = sorted(b for b in bounds if b < len(text))
        points = {"colleague": 0, "customer": 0}
        words: list[str] = []
        called: set[tuple[int, int]] = set()  # a customer call is not also a colleague's nickname (阿姨, 老板)
        for cue in sorted(self.cues, key=lambda c: c.side != "customer"):
            found: dict[str, None] = {}
            if cue.where == "anywhere":
                found = dict.fromkeys(m.group() for m in cue.regex.finditer(text))
            else:
                for h in heads[:1] if cue.where == "opening" else heads:
                    m = cue.regex.match(text, h)
                    if m is None or (cue.where == "call" and not _call_ends(text, bounds, m.end())):
                        continue
                    if cue.side == "customer":
                        called.add(m.span())
                    elif any(s <= m.start() and m.end() <= e for s, e in called):
                        continue
                    found[m.group()] = None
            if found:
                points[cue.side] += cue.weight * min(len(found), cue.most)
                words += found
        return Evidence(points["colleague"], points["customer"], tuple(words))

    def to_colleague(self, view: Compact) -> bool:
        """The draft reads as written to a colleague, not to a customer."""
        ev = self.evidence(view)
        return ev.colleague >= self.least and ev.colleague - ev.customer >= self.margin


def _call_ends(text: str, bounds: frozenset[int], end: int) -> bool:
    """A called name ends its clause or is followed by a particle or the pronoun it calls."""
    return end in bounds or end >= len(text) or text[end] in _AFTER_CALL


@lru_cache(maxsize=4)
def shipped_addressee(surnames: str) -> Addressee:
    """The shipped phrasebook/addressee.yaml with these surnames (loaded once per process)."""
    return Addressee.load(surnames=surnames)

"""A scored sentence detector of forbidden language: what the rule patterns miss said in new words.

Character 1–3-gram logistic models over a sentence of the folded draft (`Compact` text, so that
traditional characters, width, spaces and junk separators are already folded): one scores "this
sentence is 服务禁语/反问/推诿/不文明 aimed at the customer", one per rule says which rule's category
it is, so that the finding cites that rule's why, source clause and rewrite. Fitted by
benchmarks/fit_forbidden.py on the fit drafts (leave-one-file-out chooses the threshold) and stored
in phrasebook/forbidden_model.json; used only at or above its threshold.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bot.core.text.fold import Compact

MODEL_PATH = Path(__file__).resolve().parents[3] / "phrasebook" / "forbidden_model.json"
NGRAMS = (1, 2, 3)


def ngrams(sentence: str, ending: str = "") -> set[str]:
    """The sentence's character n-grams, its start and end marked (^吗 and 吗$ differ from 吗), and
    how it ends as typed: a question mark or an exclamation (the folded text keeps no punctuation)."""
    t = "^" + sentence + "$"
    # Built by C-level maps (str concatenation of shifted copies), not a Python loop per position.
    out = set(t) if 1 in NGRAMS else set()
    two = list(map(add, t, t[1:]))
    if 2 in NGRAMS:
        out.update(two)
    if 3 in NGRAMS:
        out.update(map(add, two, t[2:]))
    for n in NGRAMS:
        if n > 3:
            out.update(t[i:i + n] for i in range(len(t) - n + 1))
    if "?" in ending:
        out.add("#?")
    if "!" in ending:
        out.add("#!")
    return out


def sentence_units(view: Compact) -> Iterator[tuple[int, int, str]]:
    """(start, end, the wide text between the sentence and the next) of each sentence of the
    compact view: the ending's punctuation (width folded, so ？ is ?) is a feature of the sentence."""
    starts = [*view.sentences, len(view.text)]
    wide = view.wide.text
    for a, b in pairwise(starts):
        if b <= a:
            continue
        i = view.wide_index(b - 1) + 1
        j = view.wide_index(b) if b < len(view.text) else len(wide)
        yield a, b, wide[i:j]


@dataclass(frozen=True, slots=True)
class SentenceModel:
    """Weights of the forbidden-sentence score and of each rule's share of the flagged sentences."""

    threshold: float
    bias: float
    weights: dict[str, float]
    rule_bias: dict[str, float]
    rule_weights: dict[str, dict[str, float]]
    # n-gram -> ((rule index in sorted rule ids, weight), ...): one pass over a sentence's n-grams
    # scores every rule.
    _by_gram: dict[str, tuple[tuple[int, float], ...]] = field(default_factory=dict, compare=False)
    _rules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        rules = tuple(sorted(self.rule_bias))
        by_gram: dict[str, list[tuple[int, float]]] = {}
        for i, rid in enumerate(rules):
            for g, w in self.rule_weights[rid].items():
                by_gram.setdefault(g, []).append((i, w))
        object.__setattr__(self, "_rules", rules)
        object.__setattr__(self, "_by_gram", {g: tuple(v) for g, v in by_gram.items()})

    def score(self, grams: set[str]) -> float:
        """0–100: how likely the sentence is forbidden language (`grams`: its `ngrams`)."""
        w = self.weights
        # Looked up by C-level maps: most of a sentence's n-grams carry no weight (None, dropped).
        z = self.bias + sum(filter(None, map(w.get, grams)))
        return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def rule(self, grams: set[str]) -> str:
        """The rule whose category the flagged sentence most resembles."""
        z = [self.rule_bias[r] for r in self._rules]
        by_gram = self._by_gram
        for refs in filter(None, map(by_gram.get, grams)):
            for i, w in refs:
                z[i] += w
        return self._rules[max(range(len(z)), key=z.__getitem__)]

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SentenceModel:
        rules = data["rules"]
        assert isinstance(rules, dict)
        weights = data["weights"]
        assert isinstance(weights, dict)
        return cls(float(str(data["threshold"])), float(str(data["bias"])),
                   {str(k): float(v) for k, v in weights.items()},
                   {str(r): float(v["bias"]) for r, v in rules.items()},
                   {str(r): {str(k): float(x) for k, x in v["weights"].items()} for r, v in rules.items()})


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> SentenceModel | None:
    """The shipped model, or None when the file is absent (the rule patterns still run)."""
    if not path.is_file():
        return None
    return SentenceModel.from_json(json.loads(path.read_text(encoding="utf-8")))

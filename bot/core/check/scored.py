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
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    """Weights of the forbidden-sentence score and of each rule's share of the flagged sentences.

    Kept compact (the serving process is at its memory budget): the rules' weights are columns of
    32-bit floats over one n-gram index, no float or tuple object per weight; only the score, run on
    every sentence, keeps a plain dict.
    """

    threshold: float
    bias: float
    weights: dict[str, float]  # n-gram -> weight in the score
    index: dict[str, int]  # n-gram -> row of the rule columns
    rules: tuple[str, ...]  # rule ids, sorted
    rule_bias: tuple[float, ...]
    rule_weights: tuple[array[float], ...]  # per rule: row -> weight

    def score(self, grams: set[str]) -> float:
        """0–100: how likely the sentence of these `ngrams` is forbidden language."""
        # Looked up by C-level maps: most n-grams carry no weight (None, dropped).
        z = self.bias + sum(filter(None, map(self.weights.get, grams)))
        return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def rule(self, grams: set[str]) -> str:
        """The rule whose category the flagged sentence most resembles."""
        rows = [i for i in map(self.index.get, grams) if i is not None]
        z = [b + sum(map(w.__getitem__, rows)) for b, w in zip(self.rule_bias, self.rule_weights, strict=True)]
        return self.rules[max(range(len(z)), key=z.__getitem__)]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SentenceModel:
        """From the file's form: {"threshold", "bias", "weights": {gram: w}, "rules": {id: {"bias", "weights"}}}."""
        rules = data["rules"]
        ids = tuple(sorted(rules))
        # A rule's weight counts only on n-grams the score itself weighs: a flagged sentence is told
        # apart by what flagged it, and the rest would double the index.
        grams = sorted(data["weights"])
        index = {g: i for i, g in enumerate(grams)}

        def column(w: dict[str, float]) -> array[float]:
            return array("f", (float(w.get(g, 0.0)) for g in grams))

        weights = {g: float(data["weights"][g]) for g in grams}
        return cls(float(data["threshold"]), float(data["bias"]), weights, index, ids,
                   tuple(float(rules[r]["bias"]) for r in ids), tuple(column(rules[r]["weights"]) for r in ids))


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> SentenceModel | None:
    """The shipped model, or None when the file is absent (the rule patterns still run)."""
    if not path.is_file():
        return None
    return SentenceModel.from_json(json.loads(path.read_text(encoding="utf-8")))

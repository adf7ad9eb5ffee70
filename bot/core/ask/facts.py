"""What kind of fact a question asks for, and which kinds an entry states.

"多少 / 什么时候 / 在哪 / 找谁" want a figure, a time, a place, a person to contact. A rule that
states none of them does not answer such a question however close its topic: the out-of-scope
questions that still get an answer (pay, allowances, repairs, forms) and many wrong confident
answers ask for exactly such a fact. The language data is knowledge/fact_kinds.yaml; the decision
reads the match as calibration features (`fact_features`), fitted like the others.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.text.alternation import literal_alternation, longest_first

FACT_FILE = "fact_kinds.yaml"
KINDS = ("number", "time", "money", "place", "person")
FACT_FEATURES = frozenset({"fact_asked", "fact_unmet"})  # of calibration.FEATURES
_NUMERALS = "零二两三四五六七八九十百千万半"  # 一 only before a unit of measure (see `counted`)


@dataclass(frozen=True, slots=True)
class FactKinds:
    """Per kind, what asks for it in a folded question and what states it in a folded entry text."""

    # Per kind, its cues and the longer words that contain one of them without asking for it (如何处理
    # holds 何处, 在哪些 holds 在哪; None: none), blanked out before the kind's cues are searched.
    asks: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...]
    states: tuple[tuple[str, re.Pattern[str]], ...]
    # An entry also states a kind that at least this share of its alternate questions asks for: they
    # are what its curator wrote it to answer ("电话响几声要接" of a rule whose figure is 三声 in words
    # the cues miss); None: the answer's words alone.
    questions_share: float | None = None

    def asked(self, folded: str) -> frozenset[str]:
        """The kinds of fact the folded question asks for."""
        return frozenset(k for k, p, mask in self.asks if p.search(mask.sub("|", folded) if mask else folded))

    def stated(self, folded: str) -> frozenset[str]:
        """The kinds of fact the folded text (an entry's title and answer) states."""
        return frozenset(k for k, p in self.states if p.search(folded))


def _english(words: Iterable[str]) -> str:
    spelt = longest_first(words, fold=lambda w: " ".join(w.lower().split()))
    return "|".join(rf"(?<![a-z]){re.escape(w)}(?![a-z])" for w in spelt)


def parse_fact_kinds(data: object, fold: Callable[[str], str]) -> FactKinds:
    """The kinds in `data` (knowledge/fact_kinds.yaml), cues folded with `fold` as questions are.
    ValueError when malformed."""
    if not (isinstance(data, dict) and isinstance(data.get("kinds"), dict) and isinstance(data.get("states"), dict)):
        raise ValueError(f"{FACT_FILE}: needs `kinds` and `states`")
    kinds, states = data["kinds"], data["states"]

    def words(section: dict[str, object], key: str) -> list[str]:
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise ValueError(f"{FACT_FILE}: {key} must be a list of words")
        return value

    def cues(section: dict[str, object], key: str) -> str:
        return literal_alternation(words(section, key), fold=fold)

    asks = []
    for kind in KINDS:
        spec = kinds.get(kind)
        if not isinstance(spec, dict):
            raise ValueError(f"{FACT_FILE}: kinds.{kind} is missing")
        parts = [p for p in (cues(spec, "asks"), _english(words(spec, "asks_english"))) if p]
        mask = cues(spec, "not_asks")
        asks.append((kind, re.compile("|".join(parts)), re.compile(mask) if mask else None))
    units, counted, time_units = cues(states, "units"), cues(states, "counted"), cues(states, "time_units")
    figure = rf"[0-9]|[{_NUMERALS}一]+(?:{units})|[{_NUMERALS}]+(?:{counted})"
    said = {kind: cues(states, kind) for kind in KINDS}
    extra = {"number": figure, "time": rf"[0-9{_NUMERALS}一]+(?:{time_units})",
             "money": rf"[0-9{_NUMERALS}一]+(?:元|块)"}
    stated = tuple((k, re.compile("|".join(p for p in (said[k], extra.get(k, "")) if p))) for k in KINDS)
    share = data.get("questions_share")
    if share is not None and not (isinstance(share, int | float) and 0 <= share <= 1):
        raise ValueError(f"{FACT_FILE}: questions_share must be a share between 0 and 1")
    return FactKinds(tuple(asks), stated, None if share is None else float(share))


def load_fact_kinds(path: Path, fold: Callable[[str], str]) -> FactKinds | None:
    """`path` parsed (None when absent); read with the YAML loader alone, as `ask` starts without pydantic."""
    import yaml

    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{FACT_FILE}: not YAML ({exc})") from None
    return parse_fact_kinds(data or {}, fold)


def entry_facts(kinds: FactKinds | None, title: str, answer: str, fold: Callable[[str], str],
                questions: Sequence[str] = ()) -> frozenset[str]:
    """The kinds of fact an entry states in its title and answer, folded as questions are, and those
    its alternate `questions` ask for often enough (`FactKinds.questions_share`)."""
    if kinds is None:
        return frozenset()
    stated = kinds.stated(fold(title + "。" + answer))
    if kinds.questions_share is None or not questions:
        return stated
    counts = Counter(k for q in questions for k in kinds.asked(fold(q)))
    least = max(1.0, kinds.questions_share * len(questions))
    return stated | {k for k, c in counts.items() if c >= least}


def unmet_facts(asked: frozenset[str], docs: Iterable[int], stated: Callable[[int], frozenset[str]]
                ) -> dict[int, float]:
    """Per entry of `docs`, 1 when the question asks for kinds of fact (`asked`) the entry states none
    of (`stated`: an entry's kinds); the reranker's `fact_unmet`, for `ask` and the fitting tool alike."""
    return {d: float(bool(asked) and not asked & stated(d)) for d in docs}


def fact_features(asked: frozenset[str], stated: frozenset[str]) -> dict[str, float]:
    """What the decision reads: whether the question asks for a fact of a kind, and whether the
    first entry states none of the kinds asked."""
    if not asked:
        return {"fact_asked": 0.0, "fact_unmet": 0.0}
    return {"fact_asked": 1.0, "fact_unmet": float(not asked & stated)}

"""A scored sentence detector of forbidden language: what the rule patterns miss said in new words.

Character 1–3-gram logistic models over a sentence of the folded draft (`Compact` text, so that
traditional characters, width, spaces and junk separators are already folded), and over the same
sentence with each word of the rule files' synonym classes (下班/收工/打烊 …, 别人/物业/售后 …) read as
its class, so that what the fit learnt of one member counts for every member: one scores "this
sentence is 服务禁语/反问/推诿/不文明 aimed at the customer", one per rule says which rule's category
it is, so that the finding cites that rule's why, source clause and rewrite. Fitted by
benchmarks/fit_forbidden.py on the fit drafts (leave-one-file-out chooses the threshold) and stored
in phrasebook/forbidden_model.json; used only at or above its threshold.
"""

from __future__ import annotations

import json
import math
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import add, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ahocorasick

from bot.core.paths import PHRASEBOOK_DIR

if TYPE_CHECKING:
    from collections.abc import Iterator

    from bot.core.text.fold import Compact

# Found through the package's data folder, not this file's place: an installed wheel keeps the
# phrasebook in bot/_data/.
MODEL_PATH = PHRASEBOOK_DIR / "forbidden_model.json"
NGRAMS = (1, 2, 3)
CLASS_BASE = 0xE000  # class i is read as chr(CLASS_BASE + i): private use, never in a folded draft
_ROW = itemgetter(1)


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


def class_text(classes: ahocorasick.Automaton | None, text: str) -> str:
    """`text` with each class word (longest first, left to right) replaced by its class's character
    (a private-use character no folded text holds); `text` itself when none is there."""
    return class_reading(classes, text)[0]


def class_reading(classes: ahocorasick.Automaton | None, text: str) -> tuple[str, list[int]]:
    """`class_text` and the positions of its class characters in it."""
    if classes is None:
        return text, []
    out: list[str] = []
    at = 0
    where: list[int] = []
    size = 0
    for end, (length, ch) in classes.iter_long(text):
        piece = text[at:end + 1 - length]
        out.append(piece)
        out.append(ch)
        size += len(piece)
        where.append(size)
        size += 1
        at = end + 1
    if not out:
        return text, []
    out.append(text[at:])
    return "".join(out), where


def class_automaton(classes: dict[str, list[str]]) -> ahocorasick.Automaton | None:
    """The automaton `class_text` reads: each member word -> (its length, its class's character);
    a word in two classes is read as the first."""
    index = ahocorasick.Automaton()
    for i, name in enumerate(sorted(classes)):
        for w in classes[name]:
            if w and not index.exists(w):
                index.add_word(w, (len(w), chr(CLASS_BASE + i)))
    if not len(index):
        return None
    index.make_automaton()
    return index


def sentence_grams(sentence: str, ending: str = "", classes: ahocorasick.Automaton | None = None) -> set[str]:
    """`ngrams` of the sentence and of its `class_text`: the n-grams with a class character added
    (the others are the sentence's own)."""
    out = ngrams(sentence, ending)
    read = class_text(classes, sentence)
    if read != sentence:
        out |= ngrams(read)
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

    Kept compact (the serving process is at its memory budget): the weighted n-grams are the keys of
    one automaton whose values are their rows (no dict, no string object per n-gram), the score's
    weights a tuple over the rows and the rules' weights columns of 32-bit floats over them. `rows`
    finds a sentence's weighted n-grams by one pass of the automaton over it (in C, no string or set
    entry for each of its many unweighted n-grams).
    """

    threshold: float
    bias: float
    index: ahocorasick.Automaton  # weighted n-gram (at most max(NGRAMS) characters) -> row
    weights: tuple[float, ...]  # row -> weight in the score
    rules: tuple[str, ...]  # rule ids, sorted
    rule_bias: tuple[float, ...]
    rule_weights: tuple[array[float], ...]  # per rule: row -> weight
    marks: tuple[tuple[str, int], ...] = ()  # the rows of the endings' n-grams (#?, #!) and their characters
    classes: ahocorasick.Automaton | None = None  # class word -> (length, class character), see `class_text`

    def score(self, grams: set[str]) -> float:
        """0–100: how likely the sentence of these `ngrams` is forbidden language."""
        return self.score_rows(self._rows(grams))

    def rule(self, grams: set[str]) -> str:
        """The rule whose category the flagged sentence most resembles."""
        return self.rule_of(self._rows(grams))

    def rows(self, sentence: str, ending: str = "") -> set[int]:
        """The rows of the weighted n-grams among `ngrams(sentence, ending)`."""
        if not self.weights:
            return set()
        # Every occurrence of a weighted n-gram in the marked sentence: the same n-grams as `ngrams`
        # keeps, found without building the unweighted ones.
        marked = "^" + sentence + "$"
        rows = set(map(_ROW, self.index.iter(marked)))
        if self.classes is not None:
            # The n-grams holding a class character: only the class reading's (its other n-grams are
            # the sentence's own, already found).
            read, where = class_reading(self.classes, marked)
            # Looked up around each class character (six n-grams at most hold it; "^" comes first, so
            # it is never at 0), not by another pass over the whole sentence.
            get = self.index.get
            for p in where:
                for g in (read[p], read[p - 1:p + 1], read[p:p + 2], read[max(0, p - 2):p + 1],
                          read[p - 1:p + 2], read[p:p + 3]):
                    if (i := get(g, None)) is not None:
                        rows.add(i)
        for ch, i in self.marks:
            if ch in ending:
                rows.add(i)
        return rows

    def verdict(self, sentence: str, ending: str = "", least: float = 0.0) -> str | None:
        """The rule a sentence is flagged under (its score at or above the threshold, and `least`), else None."""
        rows = self.rows(sentence, ending)
        return None if self.score_rows(rows) < max(self.threshold, least) else self.rule_of(rows)

    def ending_marks(self, ending: str) -> str:
        """The characters of `ending` the model weighs (? and !): with the sentence, all `verdict` reads."""
        return "".join(ch for ch, _ in self.marks if ch in ending)

    def score_rows(self, rows: set[int] | list[int]) -> float:
        """`score` of the n-grams of these rows."""
        z = self.bias + sum(map(self.weights.__getitem__, rows))
        return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def rule_of(self, rows: set[int] | list[int]) -> str:
        """`rule` of the n-grams of these rows."""
        z = [b + sum(map(w.__getitem__, rows)) for b, w in zip(self.rule_bias, self.rule_weights, strict=True)]
        return self.rules[max(range(len(z)), key=z.__getitem__)]

    def _rows(self, grams: set[str]) -> list[int]:
        if not self.weights:
            return []
        get = self.index.get
        return [i for i in (get(g, None) for g in grams) if i is not None]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SentenceModel:
        """From the file's form: {"threshold", "bias", "weights": {gram: w}, "rules": {id: {"bias", "weights"}},
        "classes": {name: [folded words]}} (classes optional)."""
        rules = data["rules"]
        ids = tuple(sorted(rules))
        # A rule's weight counts only on n-grams the score itself weighs: a flagged sentence is told
        # apart by what flagged it, and the rest would double the index.
        grams = [g for g in sorted(data["weights"]) if len(g) <= max(NGRAMS)]  # longer ones `ngrams` never makes

        def column(w: dict[str, float]) -> array[float]:
            return array("f", (float(w.get(g, 0.0)) for g in grams))

        index = ahocorasick.Automaton()
        for i, g in enumerate(grams):
            index.add_word(g, i)
        index.make_automaton()
        marks = tuple((mark[1], i) for mark in ("#?", "#!") if (i := index.get(mark, None)) is not None)
        return cls(float(data["threshold"]), float(data["bias"]), index,
                   tuple(float(data["weights"][g]) for g in grams), ids,
                   tuple(float(rules[r]["bias"]) for r in ids), tuple(column(rules[r]["weights"]) for r in ids),
                   marks, class_automaton(data.get("classes") or {}))


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> SentenceModel | None:
    """The shipped model, or None when the file is absent (the rule patterns still run)."""
    if not path.is_file():
        return None
    return SentenceModel.from_json(json.loads(path.read_text(encoding="utf-8")))


# --- The topic opinion: a learned second opinion on the rule grammar's disclosed-topic findings. ---

# Found like the forbidden model: the package's data folder.
OPINION_PATH = PHRASEBOOK_DIR / "topic_opinion.json"
# What `topic_features` computes; a model file written for other features is not used (refit).
OPINION_FEATURES = 1
_WINDOW = 6  # characters either side of the topic word read as its own n-grams
_GRAM_PREFIXES = "SLRPN"  # the prefixes of `topic_spans`; the other features are "name=…"


def _probability(z: float) -> float:
    return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def topic_features(view: Compact, hit: Any) -> set[str]:
    """What the topic opinion weighs of one disclosed-topic finding (`classified.SecretHit`): its
    category, the kind of evidence the rule grammar found, the sentence's signals as the grammar read
    them (cue, share, neg_customer …), the topic word, the character n-grams of its sentence, of a few
    characters either side of the word and of the sentences before and after it. Written from the
    folded compact view, so traditional characters, width and separators are already one spelling.
    General on purpose: what makes a mention a disclosure (a figure, a sharing act, a secrecy cue,
    a customer served), not which draft it was."""
    out = topic_labels(view.text, hit)
    for prefix, a, b in topic_spans(view, hit):
        out.update(prefix + g for g in ngrams(view.text[a:b]) if len(g) > 1)
    return out


def topic_labels(text: str, hit: Any) -> set[str]:
    """The features of `topic_features` that are not n-grams: category, evidence, signals, topic word."""
    ts, te = hit.term if hit.term != (0, 0) else (hit.start, hit.end)
    out = {f"c={hit.rule}", f"k={hit.evidence}", f"ck={hit.rule}|{hit.evidence}", f"t={text[ts:te]}"}
    out.update(f"s={s}" for s in hit.signals)
    out.update(f"cs={hit.rule}|{s}" for s in hit.signals)
    return out


def topic_spans(view: Compact, hit: Any) -> list[tuple[str, int, int]]:
    """(prefix, start, end) of each span of `view.text` whose character 2–3-grams `topic_features`
    reads under that prefix: S the sentence, L/R the window before/after the topic word, P/N the
    sentences before/after. One definition for the features (the fitter) and the fast score."""
    text = view.text
    ts, te = hit.term if hit.term != (0, 0) else (hit.start, hit.end)
    ss, se = view.sentence_of(ts)
    spans = [("S", ss, se), ("L", max(ss, ts - _WINDOW), ts), ("R", te, min(se, te + _WINDOW))]
    if ss > 0:
        ps, _ = view.sentence_of(ss - 1)
        spans.append(("P", ps, ss))
    if se < len(text):
        _, ne = view.sentence_of(se)
        spans.append(("N", se, ne))
    return spans


@dataclass(frozen=True, slots=True)
class TopicOpinion:
    """A logistic score, 0–100, of how likely a disclosed-topic finding is a real disclosure; a finding
    scored below `threshold` is dropped (the grammar's reading was a mention, not a disclosure).
    Fitted by benchmarks/fit_topics.py, stored in phrasebook/topic_opinion.json.

    `clean` does not build `topic_features` (≈ 120 µs a finding: every 2–3-gram of five spans as a
    prefixed string, each looked up): only the few n-grams with a weight matter, so it finds them by
    one automaton pass over each span (as `SentenceModel.rows` does) and sums their weights under the
    span's prefix, and remembers a span's grams in the caller's per-draft memo (several findings
    share a sentence, and a sentence is also the next one's P and the previous one's N). The same features, so the same
    score up to the order of the float sum."""

    threshold: float
    bias: float
    weights: dict[str, float]
    categories: frozenset[str]  # the topic categories it was fitted on (others are never judged)
    keep: frozenset[str] = frozenset()  # evidence kinds never judged (a finding with one always stands)
    # Built on first use (the fitter makes many models and only calls `score`): see `_gram_index`.
    _grams: list[Any] = field(default_factory=list, init=False, repr=False, compare=False)

    def score(self, features: set[str]) -> float:
        get = self.weights.get
        return _probability(self.bias + sum(get(g, 0.0) for g in features))

    def clean(self, view: Compact, hit: Any, memo: dict[tuple[int, int], tuple[int, ...]] | None = None) -> bool:
        """The finding's score says it is clearly no disclosure. `memo` (one dict per draft, i.e. per
        `view`) keeps each span's weighted grams for the draft's other findings."""
        return (hit.rule in self.categories and hit.evidence not in self.keep
                and self.fast_score(view, hit, memo) < self.threshold)

    def fast_score(self, view: Compact, hit: Any, memo: dict[tuple[int, int], tuple[int, ...]] | None = None) -> float:
        """`score(topic_features(view, hit))` without building the features. The n-gram features of
        different prefixes never meet (each is its prefix + a gram) nor meet the labels (a lowercase
        name and "="), so the set's sum is the labels' sum plus, per span, the sum over the distinct
        weighted grams of that span under its prefix."""
        get = self.weights.get
        z = self.bias + sum(get(g, 0.0) for g in topic_labels(view.text, hit))
        index, columns = self._gram_index()
        if index is None:
            return _probability(z)
        text = view.text
        for prefix, a, b in topic_spans(view, hit):
            rows = memo.get((a, b)) if memo is not None else None
            if rows is None:
                # The marked span ("^" + span + "$", as `ngrams` reads it): every occurrence of a
                # weighted gram, each distinct row once (the features are a set).
                rows = tuple(set(map(_ROW, index.iter("^" + text[a:b] + "$"))))
                if memo is not None:
                    memo[a, b] = rows
            z += sum(map(columns[prefix].__getitem__, rows))
        return _probability(z)

    def _gram_index(self) -> tuple[ahocorasick.Automaton | None, dict[str, tuple[float, ...]]]:
        """One automaton over the grams any n-gram feature weighs (gram -> row) and, per prefix, the
        weight of each row under it (0.0 where the prefix weighs no such gram: adds nothing)."""
        if not self._grams:
            grams: dict[str, int] = {}
            for f in self.weights:
                if f[:1] in _GRAM_PREFIXES and 2 <= len(f) - 1 <= 3:  # `ngrams` makes nothing longer than 3
                    grams.setdefault(f[1:], len(grams))
            columns = {}
            for prefix in _GRAM_PREFIXES:
                column = [0.0] * len(grams)
                for g, i in grams.items():
                    column[i] = self.weights.get(prefix + g, 0.0)
                columns[prefix] = tuple(column)
            index = None
            if grams:
                index = ahocorasick.Automaton()
                for g, i in grams.items():
                    index.add_word(g, i)
                index.make_automaton()
            self._grams.append((index, columns))
        return self._grams[0]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TopicOpinion | None:
        """From the file's form ({"threshold", "bias", "weights", "categories", "keep_evidence", "features"}); None when
        it was written for other features than `topic_features` computes."""
        if data.get("features") != OPINION_FEATURES:
            return None
        return cls(float(data["threshold"]), float(data["bias"]),
                   {str(g): float(w) for g, w in data["weights"].items()}, frozenset(data["categories"]),
                   frozenset(data.get("keep_evidence") or ()))


@lru_cache(maxsize=2)
def load_opinion(path: Path = OPINION_PATH) -> TopicOpinion | None:
    """The shipped topic opinion, or None when the file is absent or stale (the grammar alone decides)."""
    if not path.is_file():
        return None
    return TopicOpinion.from_json(json.loads(path.read_text(encoding="utf-8")))

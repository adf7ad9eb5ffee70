"""Whether a topic word found in a draft is a word there, or letters of longer words around it.

A topic word matched as a substring can straddle two ordinary words: 新开 in 重新开具 (重新 | 开具),
客户表 in 客户表示 (客户 | 表示), 要提 in 需要提供 (需要 | 提供). The test is jieba's: the most likely
segmentation of a few characters around the word (word probabilities, a dynamic programme over the
candidate words) against the most likely one in which no word crosses the topic word's edges. The
topic word is letters of other words when the first beats the second by more than `MARGIN` (natural
log units); a longer word that holds the whole topic word (月工资 holds 工资) crosses no edge. The
same test serves the words that make a sentence speak about a phrase (质检 in 水质检测 is none).

jieba's full dictionary (350,000 words, ≈0.6 s and tens of MiB to load) is not loaded at run time.
The question only needs the topic words and the words that can cross their edges (a word whose end
is a proper prefix of a topic word, or whose start a proper suffix), so those are derived once from
it (`python -m bot.core.check.edges`, words of frequency ≥ `MIN_FREQ`) into
phrasebook/secret_words.txt with a digest of the topic words; every other character is a single
character with its jieba frequency (kept in the same file). A test says when the file is stale.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.text.language import shipped_check_language

if TYPE_CHECKING:
    from bot.core.check.rules import RuleSet

WORDS_FILE = PHRASEBOOK_DIR / "secret_words.txt"
_HEADER = "# libao topic-word edges, derived by `python -m bot.core.check.edges`; do not edit. digest "
# Chosen leave-one-file-out over the check fit files (README, check section): 4, 5 and 6 tie
# on the twelve files pooled; 5 is the middle.
MARGIN = 5.0
# Characters of context each side, within the clause (3, 4 and 6 gave the same fit results; 4 costs less).
WINDOW = 4
# Crossing words rarer than this in jieba's dictionary never win a segmentation that matters here.
MIN_FREQ = 100
_MAX_WORD = 8
# Segmentations compared per draft at most (a real draft asks a handful; ≈ 60 µs each).
BUDGET = 64


def terms_digest(terms: Iterable[str]) -> str:
    """Digest of the (Chinese) topic words a words file was derived for."""
    return hashlib.sha256("\n".join(sorted(set(terms))).encode("utf-8")).hexdigest()[:32]


class WordEdges:
    """Word frequencies for the edge test; `straddles` is thread-safe (read-only tables)."""

    def __init__(self, freq: dict[str, int], total: int):
        self.log_total = math.log(total) if total > 0 else 0.0
        # Log probabilities, computed once (a logarithm per look-up was most of the test's time).
        self.logp = {w: math.log(max(f, 1)) - self.log_total for w, f in freq.items()}
        self.longest = min(_MAX_WORD, max((len(w) for w in freq), default=1))

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> WordEdges | None:
        """The shipped tables, or None when the file is missing or not one (the test is then skipped)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        first, _, rest = text.partition("\n")
        if not first.startswith(_HEADER):
            return None
        freq: dict[str, int] = {}
        total = 0
        for line in rest.splitlines():
            word, _, f = line.partition(" ")
            if word == "#total":
                total = int(f)
            elif word and f.isdigit():
                freq[word] = int(f)
        return cls(freq, total) if total else None

    def _best(self, text: str, lo: int, hi: int, s: int, e: int) -> tuple[float, float]:
        """Log probabilities of the most likely segmentation of text[lo:hi], freely and with no word
        crossing position s or e (start inside and end outside [s, e), or the reverse): both in one
        walk, which reads each candidate word's frequency once for the two."""
        floor = -self.log_total  # an unknown character: frequency 1, as jieba counts it
        inf = -math.inf
        free = [inf] * (hi - lo + 1)
        kept = [inf] * (hi - lo + 1)
        free[0] = kept[0] = 0.0
        logp = self.logp
        for i in range(lo, hi):
            here, held = free[i - lo], kept[i - lo]
            if here == inf and held == inf:
                continue
            for j in range(i + 1, min(hi, i + self.longest) + 1):
                p = logp.get(text[i:j])
                if p is None:
                    if j == i + 1:
                        p = floor
                    else:
                        continue
                if here != inf and here + p > free[j - lo]:
                    free[j - lo] = here + p
                if held != inf and not ((i < s < j < e) or (s < i < e < j)) and held + p > kept[j - lo]:
                    kept[j - lo] = held + p
        return free[-1], kept[-1]

    def _crossed(self, text: str, s: int, e: int, lo: int, hi: int) -> bool:
        """Whether some word of the tables within [lo, hi) crosses position s or e (a few look-ups; most
        topic words have none, and their segmentations need not be compared)."""
        freq, longest = self.logp, self.longest
        for a in range(max(lo, s - longest + 1), s):  # starts before the topic word, ends inside it
            for b in range(s + 1, min(e, a + longest + 1)):
                if text[a:b] in freq:
                    return True
        for a in range(s + 1, e):  # starts inside, ends after it
            for b in range(e + 1, min(hi, a + longest) + 1):
                if text[a:b] in freq:
                    return True
        return False

    def straddles(self, text: str, s: int, e: int, lo: int, hi: int, budget: list[int] | None = None) -> bool:
        """Whether text[s:e], a topic word, is letters of words that cross its edges; `lo`, `hi` bound
        its clause. A word the tables do not hold (a pattern's span, a rule set's own word) is kept.
        `budget` (one per draft: [segmentations left]) bounds a hostile draft of such words repeated;
        once spent, words are kept, as before this test."""
        if text[s:e] not in self.logp:
            return False
        lo, hi = max(lo, s - WINDOW), min(hi, e + WINDOW)
        if lo >= s and hi <= e:
            return False
        if not self._crossed(text, s, e, lo, hi):
            return False  # no word of the tables crosses an edge: both segmentations are the same
        if budget is not None:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
        free, kept = self._best(text, lo, hi, s, e)
        return free - kept > MARGIN


def derive(terms: Iterable[str]) -> str:
    """The words file's text for these topic words, from jieba's full dictionary."""
    from bot.core.text.segment import _import_jieba

    chinese = sorted({t for t in terms if t and not t.isascii()})
    jieba = _import_jieba()
    tok = jieba.Tokenizer()
    with tok.get_dict_file() as f:
        full, total = tok.gen_pfdict(f)
    prefixes = {t[:k] for t in chinese for k in range(1, len(t))}
    suffixes = {t[k:] for t in chinese for k in range(1, len(t))}
    keep: dict[str, int] = {}
    for word, f in full.items():
        if not f:
            continue  # a prefix entry of jieba's table, not a word
        # Every single character (unknown words still split sensibly), and the crossing words.
        crossing = f >= MIN_FREQ and any(word[k:] in prefixes or word[:k] in suffixes for k in range(1, len(word)))
        if len(word) == 1 or crossing:
            keep[word] = f
    for t in chinese:
        keep[t] = full.get(t) or keep.get(t) or 1
    lines = [f"{_HEADER}{terms_digest(chinese)}", f"#total {total}"]
    lines += [f"{w} {f}" for w, f in sorted(keep.items()) if " " not in w]
    return "\n".join(lines) + "\n"


def shipped_digest(path: Path = WORDS_FILE) -> str | None:
    """The digest in the words file's header (None: no file)."""
    try:
        with path.open(encoding="utf-8") as fh:
            first = fh.readline()
    except OSError:
        return None
    return first[len(_HEADER):].strip() if first.startswith(_HEADER) else None


def edge_words(rules: RuleSet) -> list[str]:
    """The words the edge test is for: the topic words, the sharing and secrecy signal words, and the
    words that make a sentence speak about a phrase (phrasebook/language.yaml's mention cues)."""
    words = [t for topic in rules.topics for t in topic.terms]
    words += [w for role in ("share", "cue") for w in rules.signals.words.get(role, ())]
    words += shipped_check_language().mention_cues
    return words


def main() -> int:
    from bot.core.check.rules import load_rules

    terms = edge_words(load_rules())
    WORDS_FILE.write_text(derive(terms), encoding="utf-8")
    print(f"wrote {WORDS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

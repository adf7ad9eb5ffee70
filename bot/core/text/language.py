"""Language data kept in YAML: the matcher's (knowledge/language.yaml) and the checker's
(phrasebook/language.yaml), validated with file:line problems for `kb lint`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.core.paths import KNOWLEDGE_DIR, PHRASEBOOK_DIR
from bot.core.schema import load_file_model
from bot.core.text.asking import AskingWords

ASK_FILE = "language.yaml"


@dataclass(frozen=True, slots=True)
class AskLanguage:
    """Words that carry no topic, groups of mutually exclusive terms, typo fixes for questions, and
    what makes a sentence of a long message the one that asks (bot/core/text/asking.py)."""

    stopwords: frozenset[str]
    exclusive: tuple[tuple[str, ...], ...]
    typos: tuple[tuple[str, str], ...]
    asking: AskingWords = field(default_factory=AskingWords)


@dataclass(frozen=True, slots=True)
class CheckLanguage:
    """Particles around clause-bound phrases, greetings and farewells, forbidden-rule categories,
    the words that make a message a question (a prompt for a value does not take it), and the
    frequent function characters a homophone slip does not produce (的 for 得 is grammar, not a dodge),
    the words that make a sentence speak about a phrase rather than say it (禁语, 客户说), what keeps a
    promise from answering a banned act (另外, 如有), and the words said between a dictated number's groups."""

    trailing_particles: frozenset[str]
    leading_interjections: frozenset[str]
    greetings: tuple[str, ...]
    farewells: tuple[str, ...]
    forbidden_categories: tuple[str, ...]
    interrogatives: tuple[str, ...] = ()
    function_characters: frozenset[str] = frozenset()
    mention_cues: tuple[str, ...] = ()
    # Saying something to the served forbidden (不能对群众说, 不要跟客户讲): staff talk about phrases.
    mention_parties: tuple[str, ...] = ()
    mention_prohibitions: tuple[str, ...] = ()
    reassurances: tuple[str, ...] = ()
    # Where a dictated draft (no punctuation over a long stretch) is read as ending a sentence: after
    # one of these closing particles, and before one of these openers (然后, 所以 …).
    dictated_ends: frozenset[str] = frozenset()
    dictated_openers: tuple[str, ...] = ()
    # What opens a sentence on another matter (另外, 如您…) and the conditions a promise may be made on
    # (如有…): a commitment there does not answer the banned act before it.
    new_matter_openers: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    # Words said between the groups of a dictated number (然后, 杠), and the fillers spoken there (嗯, 对).
    number_sequence_words: tuple[str, ...] = ()
    number_separator_words: tuple[str, ...] = ()
    number_fillers: tuple[str, ...] = ()
    # Exclamations a dictated draft says as a clause of their own (我靠, 我的天): a clause begins at one.
    dictated_interjections: tuple[str, ...] = ()
    # The reader addressed after the closing particle, in speech (明天再来吧您): still the clause's end.
    trailing_address: frozenset[str] = frozenset()
    # Words relayed to a customer inside a message to a colleague (你就跟他说…, 我跟她讲了…, 就说…): the
    # customer spoken of, the verbs of telling, and frames that relay without naming them.
    relay_parties: tuple[str, ...] = ()
    relay_verbs: tuple[str, ...] = ()
    relay_frames: tuple[str, ...] = ()


def load_ask_language(knowledge_dir: Path | None = None) -> AskLanguage:
    """`language.yaml` of a knowledge directory; DataError with file:line when broken."""
    from bot.core.text.language_schema import AskLanguageModel

    path = (knowledge_dir or KNOWLEDGE_DIR) / ASK_FILE
    m = load_file_model(path, AskLanguageModel)
    from bot.core.text.normalize import fold  # normalize reads this module's typos

    # Asking words are matched in folded sentences: folded here the same way.
    def folded(words: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for w in (fold(x).text for x in words) if w))

    return AskLanguage(frozenset(m.stopwords), tuple(tuple(g) for g in m.exclusive), tuple(m.typos.items()),
                       AskingWords(folded(m.asking), folded(m.asking_endings), folded(m.frame)))


def load_check_language(path: Path | None = None) -> CheckLanguage:
    """phrasebook/language.yaml (or `path`); DataError with file:line when broken."""
    from bot.core.text.language_schema import CheckLanguageModel

    path = path or PHRASEBOOK_DIR / "language.yaml"
    m = load_file_model(path, CheckLanguageModel)
    return CheckLanguage(frozenset(m.trailing_particles), frozenset(m.leading_interjections),
                         tuple(m.greetings), tuple(m.farewells), tuple(m.forbidden_categories),
                         tuple(m.interrogatives), frozenset(m.function_characters),
                         tuple(m.mention_cues),
                         tuple(m.mention_parties), tuple(m.mention_prohibitions),
                         tuple(m.reassurances), frozenset(m.dictated_ends), tuple(m.dictated_openers),
                         tuple(m.new_matter_openers), tuple(m.conditions), tuple(m.number_sequence_words),
                         tuple(m.number_separator_words), tuple(m.number_fillers),
                         tuple(m.dictated_interjections), frozenset(m.trailing_address),
                         tuple(m.relay_parties), tuple(m.relay_verbs), tuple(m.relay_frames))


_SHIPPED_ASK: list[AskLanguage] = []


def shipped_ask_language() -> AskLanguage:
    """The shipped knowledge/language.yaml (loaded once per process, or restored with an index of
    the shipped knowledge: see `restore_shipped_ask_language`)."""
    if not _SHIPPED_ASK:
        _SHIPPED_ASK.append(load_ask_language())
    return _SHIPPED_ASK[0]


def restore_shipped_ask_language(language: AskLanguage) -> None:
    """The shipped language as restored from an index of the shipped knowledge, whose digest covers
    knowledge/language.yaml: read and validated again, it imported pydantic for a quarter of a warm
    start."""
    if not _SHIPPED_ASK:
        _SHIPPED_ASK.append(language)


@lru_cache(maxsize=1)
def shipped_check_language() -> CheckLanguage:
    """The shipped phrasebook/language.yaml (loaded once per process)."""
    return load_check_language()


@lru_cache(maxsize=1)
def function_characters() -> frozenset[str]:
    """The shipped phrasebook/language.yaml's function characters alone, for `ask` (its homophone
    respeller): read with the YAML loader, without validating the check's whole language, so that
    `ask` starts without pydantic. A checker in the same process reads the same list validated."""
    import yaml

    data = yaml.safe_load((PHRASEBOOK_DIR / "language.yaml").read_text(encoding="utf-8")) or {}
    return frozenset(str(data.get("function_characters", "")))

"""The YAML schemas of the language files (pydantic), apart from bot.core.text.language so that a
warm start, which reads no YAML, never imports pydantic."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.core.fields import NonEmpty


class AskLanguageModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stopwords: Annotated[list[NonEmpty], Field(min_length=1)]
    exclusive: list[Annotated[list[NonEmpty], Field(min_length=2)]] = []
    typos: dict[NonEmpty, NonEmpty] = {}
    asking: list[NonEmpty] = []
    asking_endings: list[NonEmpty] = []
    frame: list[NonEmpty] = []


class CheckLanguageModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trailing_particles: NonEmpty
    leading_interjections: NonEmpty
    greetings: Annotated[list[NonEmpty], Field(min_length=1)]
    farewells: Annotated[list[NonEmpty], Field(min_length=1)]
    forbidden_categories: Annotated[list[NonEmpty], Field(min_length=1)]
    interrogatives: list[NonEmpty] = []
    function_characters: str = ""
    mention_cues: list[NonEmpty] = []
    mention_parties: list[NonEmpty] = []
    mention_prohibitions: list[NonEmpty] = []
    reassurances: list[NonEmpty] = []
    dictated_ends: str = ""
    dictated_openers: list[NonEmpty] = []
    new_matter_openers: list[NonEmpty] = []
    conditions: list[NonEmpty] = []
    number_sequence_words: list[NonEmpty] = []
    number_separator_words: list[NonEmpty] = []
    number_fillers: list[NonEmpty] = []
    dictated_interjections: list[NonEmpty] = []
    relay_parties: list[NonEmpty] = []
    relay_verbs: list[NonEmpty] = []
    relay_frames: list[NonEmpty] = []
    trailing_address: str = ""

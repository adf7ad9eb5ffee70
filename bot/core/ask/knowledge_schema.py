"""The YAML schemas of the knowledge files (pydantic), apart from bot.core.ask.knowledge so that a
warm start, which restores the index and reads no YAML, never imports pydantic."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.core.ask.knowledge import MIN_QUESTIONS
from bot.core.fields import DottedId, NonEmpty, SourceModel


class EntryModel(BaseModel):
    """Schema of one knowledge entry as written in YAML."""

    model_config = ConfigDict(extra="forbid")
    id: DottedId
    title: NonEmpty
    answer: NonEmpty
    questions: Annotated[list[NonEmpty], Field(min_length=MIN_QUESTIONS)]
    keywords: Annotated[list[NonEmpty], Field(min_length=1)]
    sources: Annotated[list[SourceModel], Field(min_length=1)]
    tags: Annotated[list[NonEmpty], Field(min_length=2)]
    related: list[NonEmpty] = []
    # Imported clauses the rule rests on, as 《document title》citation (e.g. 《员工手册》第三章 第十二条);
    # shown under the answer verbatim, checked by `kb lint` against the clause store.
    clauses: list[NonEmpty] = []


class DecoyModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, StringConstraints(pattern=r"^oos\.[a-z0-9_]+$")]
    label: NonEmpty
    questions: Annotated[list[NonEmpty], Field(min_length=3)]


class DecoyFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: list[DecoyModel]


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: Annotated[list[dict[str, Any]], Field(min_length=1)]


class SynonymGroupModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    canonical: NonEmpty
    terms: Annotated[list[NonEmpty], Field(min_length=1)]


class SynonymFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    groups: list[SynonymGroupModel]


class VoicesModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fillers: list[list[NonEmpty]] = []
    english: dict[NonEmpty, NonEmpty] = {}
    standard: dict[NonEmpty, NonEmpty] = {}

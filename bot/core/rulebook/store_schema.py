"""The YAML schema of a clause store file (pydantic), apart from bot.core.rulebook.store so that a
warm start, which only asks whether any document was imported, never imports pydantic."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class DocumentModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: NonEmpty
    source: NonEmpty
    version: NonEmpty
    effective: str = ""
    sha256: NonEmpty


class ClauseModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc: NonEmpty
    path: Annotated[list[NonEmpty], Field(min_length=1)]
    text: NonEmpty
    numbered: bool = True


class StoreFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: DocumentModel
    clauses: Annotated[list[ClauseModel], Field(min_length=1)]

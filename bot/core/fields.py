"""Pydantic field types and the source model shared by the data files' schemas.

Kept apart from bot.core.schema so that what only reads data already validated (a warm `ask`,
restoring its index) never imports pydantic: importing it and building these models was a quarter
of a warm start. bot.core.schema still offers every name here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# "phone.ring_three", "tone.blame_customer": a lower-case prefix and at least one dotted part.
DottedId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
# "greeting_phone": one lower-case word.
PlainId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class SourceModel(BaseModel):
    """Where a rule comes from: the document's own title and the clause or section in it."""

    model_config = ConfigDict(extra="forbid")
    doc: NonEmpty
    clause: NonEmpty
    file: NonEmpty = Field(description="source file stem in shared/sources, e.g. 000 or 004")

"""Schema pieces shared by every data file: non-empty strings, id patterns, source citations, and
pydantic errors turned into file:line problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.core.yamlfile import DataError, Problem, line_of, load_with_lines

M = TypeVar("M", bound=BaseModel)

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


@dataclass(frozen=True, slots=True)
class Source:
    doc: str
    clause: str
    file: str

    def cite(self) -> str:
        return f"《{self.doc}》{self.clause}"


def sources_from(models: Iterable[SourceModel]) -> tuple[Source, ...]:
    """Validated source models as plain citations."""
    return tuple(Source(s.doc, s.clause, s.file) for s in models)


def cite_all(sources: tuple[Source, ...]) -> str:
    """All citations joined, e.g. 《客户服务人员行为规范》一、电话接听；《…》…"""
    return "；".join(s.cite() for s in sources)


def pydantic_problems(exc: ValidationError, file: str, node: Any, prefix: tuple[str | int, ...] = (),
                      *, what: str = "item") -> list[Problem]:
    """One file:line problem per validation error; `prefix` locates the validated item in the file."""
    out = []
    for err in exc.errors():  # err["msg"] never contains the input value
        loc = tuple(err["loc"])
        where = ".".join(str(x) for x in loc) or what
        out.append(Problem(file, line_of(node, *prefix, *loc), f"{where}: {err['msg']}"))
    return out


def load_file_model(path: Path, model: type[M]) -> M:
    """A whole YAML file validated as `model`; DataError with file:line problems when broken."""
    data, node = load_with_lines(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DataError(pydantic_problems(exc, str(path), node, what="file")) from None

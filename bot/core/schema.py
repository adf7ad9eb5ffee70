"""Schema pieces shared by every data file: non-empty strings, id patterns, source citations, and
pydantic errors turned into file:line problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.yamlfile import DataError, Problem, line_of, load_with_lines

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from bot.core.fields import DottedId, NonEmpty, PlainId, SourceModel

M = TypeVar("M", bound="BaseModel")

_FIELDS = ("NonEmpty", "DottedId", "PlainId", "SourceModel")
__all__ = ["DottedId", "M", "NonEmpty", "PlainId", "Source", "SourceModel", "cite_all", "load_file_model",
           "pydantic_problems", "sources_from"]


def __getattr__(name: str) -> Any:
    """The pydantic field types (bot.core.fields), imported on first use: see that module."""
    if name in _FIELDS:
        from bot.core import fields

        return getattr(fields, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    from pydantic import ValidationError

    data, node = load_with_lines(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DataError(pydantic_problems(exc, str(path), node, what="file")) from None

"""Schema pieces shared by every data file: non-empty strings, id patterns, source citations, and
pydantic errors turned into file:line problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.yamlfile import MAX_DATA_FILE_BYTES, DataError, Problem, line_of, load_with_lines

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from bot.core.fields import DottedId, NonEmpty, PlainId, SourceModel

M = TypeVar("M", bound="BaseModel")

_FIELDS = ("NonEmpty", "DottedId", "PlainId", "SourceModel")
__all__ = ["DottedId", "M", "NonEmpty", "PlainId", "Source", "SourceModel", "cite_all", "load_file_model",
           "pydantic_problems", "sources_from", "validate_file"]


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


def validate_file(path: Path, model: type[M], *, name: str | None = None, max_bytes: int = MAX_DATA_FILE_BYTES,
                  what: str = "file") -> tuple[M | None, Any, list[Problem]]:
    """A whole YAML file validated as `model`, with its root node (for the lines of the checks that
    follow): (model, node, []) or, when it does not validate, (None, node, file:line problems). Every
    loader of a data file reads it this way; DataError when the file is no YAML at all."""
    from pydantic import ValidationError

    name = name or str(path)
    data, node = load_with_lines(path, name=name, max_bytes=max_bytes)
    try:
        return model.model_validate(data), node, []
    except ValidationError as exc:
        return None, node, pydantic_problems(exc, name, node, what=what)


def load_file_model(path: Path, model: type[M]) -> M:
    """A whole YAML file validated as `model`; DataError with file:line problems when broken."""
    m, _, problems = validate_file(path, model)
    if m is None:
        raise DataError(problems)
    return m

from os import PathLike
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence, TypedDict, overload

__version__: str

Format = Literal["auto", "html", "text"]
Output = Literal["text", "markdown", "html", "json"]
Page = str | bytes | bytearray

class Removal(TypedDict):
    line: int
    category: str
    rule: str
    origin: str
    score: float | None
    text: str

class RuleError(ValueError):
    problems: list[str]

class PageError(Exception): ...

class CleanResult:
    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def site(self) -> str | None: ...
    @property
    def site_source(self) -> str | None: ...
    @property
    def lang(self) -> str | None: ...
    @property
    def fallback(self) -> bool: ...
    @property
    def fallback_reason(self) -> str | None: ...
    @property
    def comments(self) -> str | None: ...
    @property
    def removed(self) -> list[Removal]: ...
    @property
    def metadata(self) -> dict[str, Any] | None: ...
    def to_dict(self) -> dict[str, Any]: ...

class Cleaner:
    def __init__(
        self,
        rules: Sequence[str | PathLike[str]] | None = None,
        site: str | None = None,
        *,
        format: Format = "auto",
        output: Output = "text",
        plain: bool = False,
        title: bool = False,
        links: bool = False,
        images: bool = False,
        tables: bool = True,
        comments: bool = False,
        metadata: bool = False,
        favor: Literal["balanced", "precision", "recall"] = "balanced",
    ) -> None: ...
    @property
    def output(self) -> Output: ...
    @property
    def site(self) -> str | None: ...
    @property
    def rules(self) -> list[Path]: ...
    def clean(
        self, page: Page, url: str | None = None, *, format: Format | None = None
    ) -> CleanResult: ...
    @overload
    def clean_many(
        self,
        pages: Iterable[Page],
        urls: Iterable[str | None] | None = None,
        *,
        jobs: int | None = None,
        format: Format | None = None,
        errors: Literal["raise"] = "raise",
        repeated: bool = False,
    ) -> list[CleanResult]: ...
    @overload
    def clean_many(
        self,
        pages: Iterable[Page],
        urls: Iterable[str | None] | None = None,
        *,
        jobs: int | None = None,
        format: Format | None = None,
        errors: Literal["return"],
        repeated: bool = False,
    ) -> list[CleanResult | PageError]: ...

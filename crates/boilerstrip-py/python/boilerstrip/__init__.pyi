from ._native import (
    CleanResult as CleanResult,
    Cleaner as Cleaner,
    PageError as PageError,
    RuleError as RuleError,
    __version__ as __version__,
)
from ._native import Format, Output, Page

def clean(
    page: Page, url: str | None = None, *, format: Format = "auto", output: Output = "text"
) -> str: ...

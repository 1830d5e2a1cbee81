"""boilerstrip: cleans scraped web pages into article bodies.

Two ways in:

- ``boilerstrip.clean(page, url=None, *, format="auto", output="text")``
  returns what ``boilerstrip clean`` writes for the page, with the shipped
  rules (compiled once per process);
- ``boilerstrip.Cleaner(rules=[...], site=None, ...)`` holds a rule book and
  options; its ``clean(page, url=None)`` returns a ``CleanResult`` (text,
  title, url, site, lang, fallback, removed, ``to_dict()``) and its
  ``clean_many(pages, jobs=N)`` cleans in parallel, results in input order.

A page is ``str`` or ``bytes``; bytes are decoded as the command line
decodes HTML. Cleaning releases the GIL, and a ``Cleaner`` may be shared
between threads. ``boilerstrip.datatrove`` holds a datatrove step; it is
imported only when asked for.
"""

import threading

from ._native import CleanResult, Cleaner, PageError, RuleError, __version__

__all__ = ["clean", "Cleaner", "CleanResult", "PageError", "RuleError", "__version__"]

_shared: dict = {}
_shared_lock = threading.Lock()


def _shared_cleaner(output: str) -> Cleaner:
    cleaner = _shared.get(output)
    if cleaner is None:
        with _shared_lock:
            cleaner = _shared.get(output)
            if cleaner is None:
                cleaner = Cleaner(output=output)
                _shared[output] = cleaner
    return cleaner


def clean(page, url=None, *, format="auto", output="text"):
    """Cleans one page with the shipped rules and returns the text that
    ``boilerstrip clean --output OUTPUT`` writes for it.

    ``page`` is ``str`` or ``bytes``; ``url`` the page's URL (its host
    selects site rules; relative links resolve against it); ``format`` is
    "auto" (HTML when the page starts with a tag), "html" or "text";
    ``output`` is "text", "markdown", "html" or "json".
    """
    return _shared_cleaner(output).clean(page, url, format=format).text

"""A datatrove step: ``BoilerstripExtractor``, usable where datatrove's
``Trafilatura(...)`` step is.

    from boilerstrip.datatrove import BoilerstripExtractor
    pipeline = [JsonlReader("crawl/"), BoilerstripExtractor(), JsonlWriter("clean/")]

Each document's ``text`` (its HTML, or a text dump) is replaced by its clean
body. The page's URL comes from the document's metadata (``url_key``,
default ``"url"``), so site rules apply and relative links resolve: what
``boilerstrip clean --jsonl`` does with a record's URL. This module needs
datatrove; ``import boilerstrip`` does not.
"""

from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.extractors.base import BaseExtractor, ExtractorSandbox
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from ._native import Cleaner


class BoilerstripExtractor(BaseExtractor):
    """Cleans each document's text with boilerstrip.

    Args:
        rules: rule directories added on top of the shipped rules.
        site: a site (host or URL) whose rules apply to every document;
            by default each document's URL decides.
        url_key: the metadata key holding a document's URL.
        timeout: seconds per document. None (the default) cleans in this
            process, with no sandbox; a number runs the cleaning in
            datatrove's sandbox process, and a document that takes longer
            is dropped (or kept, with ``keep_on_failure``).
        keep_on_failure: keep a document whose cleaning failed or timed out,
            its text unchanged and ``metadata["boilerstrip_error"]`` saying
            why, instead of dropping it.
        keep_empty: keep documents whose clean body is empty (dropped by
            default, as datatrove's extractors do).
        add_metadata: add the page's ``title``, ``lang`` and ``site`` to
            the document's metadata (keys already there are left alone).
        **options: the other ``boilerstrip.Cleaner`` options (``format``,
            ``output``, ``favor``, ``tables``, ...).
    """

    name = "🧹 boilerstrip"

    def __init__(
        self,
        rules=None,
        site=None,
        *,
        url_key: str = "url",
        timeout: float | None = None,
        keep_on_failure: bool = False,
        keep_empty: bool = False,
        add_metadata: bool = False,
        **options,
    ):
        super().__init__(timeout)
        self.rules = list(rules) if rules else None
        self.site = site
        self.url_key = url_key
        self.keep_on_failure = keep_on_failure
        self.keep_empty = keep_empty
        self.add_metadata = add_metadata
        self.options = options
        self._cleaner = None
        # Checks the rules and options now, in the process that builds the
        # pipeline, rather than in every task.
        self._get_cleaner()
        self._cleaner = None

    def _get_cleaner(self) -> Cleaner:
        if self._cleaner is None:
            self._cleaner = Cleaner(rules=self.rules, site=self.site, **self.options)
        return self._cleaner

    def __getstate__(self):
        # A Cleaner stays in its process: tasks build their own.
        state = self.__dict__.copy()
        state["_cleaner"] = None
        return state

    def extract(self, text: str, url: str | None = None) -> str:
        """The clean body of one page (``text``: HTML or a text dump)."""
        return self._get_cleaner().clean(text, url).text

    def _clean(self, text, url):
        """The result of one page, or the exception that stopped it: what
        the sandbox sends back to this process."""
        try:
            result = self._get_cleaner().clean(text, url)
            return (result.text, result.title, result.lang, result.site)
        except Exception as e:  # noqa: BLE001 - every failure is reported per document
            return RuntimeError(str(e))

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        sandbox = None
        if self.timeout is not None:
            sandbox = ExtractorSandbox(timeout=self.timeout, warmup_text=("", None))
            sandbox.__enter__()
        try:
            for doc in data:
                self.stat_update(StatHints.total)
                url = doc.metadata.get(self.url_key) if doc.metadata else None
                if not isinstance(url, str):
                    url = None
                with self.track_time():
                    try:
                        if sandbox is None:
                            got = self._clean(doc.text, url)
                            if isinstance(got, Exception):
                                raise got
                        else:
                            got = sandbox.process_document((doc.text, url), self._clean)
                    except TimeoutError:
                        failure = ("timeout", f"timed out after {self.timeout} s")
                    except EOFError:
                        failure = ("broken_process", "the sandbox process died")
                    except Exception as e:  # noqa: BLE001
                        failure = ("clean_error", str(e))
                    else:
                        failure = None
                if failure is not None:
                    stat, why = failure
                    self.stat_update(stat)
                    logger.warning(f"boilerstrip: document {doc.id}: {why}")
                    if self.keep_on_failure:
                        doc.metadata["boilerstrip_error"] = why
                        self.stat_update(StatHints.forwarded)
                        yield doc
                    continue
                text, title, lang, site = got
                self.stat_update("extracted")
                doc.text = text
                if self.add_metadata:
                    for key, value in (("title", title), ("lang", lang), ("site", site)):
                        if value is not None:
                            doc.metadata.setdefault(key, value)
                if text or self.keep_empty:
                    self.stat_update(StatHints.forwarded)
                    self.update_doc_stats(doc)
                    yield doc
                else:
                    self.stat_update(StatHints.dropped)
        finally:
            if sandbox is not None:
                sandbox.__exit__(None, None, None)

"""One Cleaner shared by Python threads; the GIL released while cleaning."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boilerstrip
from conftest import FIXTURES, fixture_pages

PAGES = [p.read_bytes() for p in fixture_pages("html", "input.html")]


def test_a_cleaner_shared_by_threads_gives_the_serial_results():
    cleaner = boilerstrip.Cleaner()
    serial = [cleaner.clean(p).text for p in PAGES]
    work = PAGES * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda p: cleaner.clean(p).text, work))
    assert threaded == serial * 8


def big_page() -> bytes:
    """A long article: the news fixture's paragraphs many times over."""
    page = (FIXTURES / "html" / "news-article" / "input.html").read_text()
    head, body = page.split("<body", 1)
    body = body.split(">", 1)[1].rsplit("</body>", 1)[0]
    return (head + "<body>" + body * 2000 + "</body></html>").encode()


def test_the_gil_is_released_while_a_page_is_cleaned():
    cleaner = boilerstrip.Cleaner()
    page = big_page()
    started = time.perf_counter()
    cleaner.clean(page)
    alone = time.perf_counter() - started
    assert alone > 0.05, f"the page cleans in {alone:.3f}s: too quick to tell"

    # While another thread cleans, this one keeps running Python: the
    # longest pause between its steps stays far below the cleaning time
    # (holding the GIL, the pause would be the whole of it).
    done = threading.Event()
    worker = threading.Thread(target=lambda: (cleaner.clean(page), done.set()))
    longest, last = 0.0, time.perf_counter()
    worker.start()
    steps = 0
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        steps += 1
    worker.join()
    assert steps > 100
    assert longest < alone / 2, f"a {longest:.3f}s pause while a {alone:.3f}s clean ran"

"""clean_many: in parallel in Rust, results in input order."""

import boilerstrip
from conftest import fixture_pages

HTML = [p.read_bytes() for p in fixture_pages("html", "input.html")]
TEXT = [p.read_bytes() for p in fixture_pages("text", "input.txt")]


def test_results_come_back_in_input_order_for_any_jobs():
    cleaner = boilerstrip.Cleaner()
    pages = (HTML + TEXT) * 5
    one_by_one = [cleaner.clean(p).text for p in pages]
    for jobs in (1, 2, 3, None):
        many = cleaner.clean_many(pages, jobs=jobs)
        assert [r.text for r in many] == one_by_one, jobs


def test_urls_go_with_their_pages():
    cleaner = boilerstrip.Cleaner()
    pages = HTML * 3
    urls = [f"https://site{i}.example.org/story/{i}" for i in range(len(pages))]
    results = cleaner.clean_many(pages, urls, jobs=2)
    assert [r.url for r in results] == urls
    assert [r.site for r in results] == [f"site{i}.example.org" for i in range(len(pages))]
    assert [r.text for r in results] == [cleaner.clean(p, u).text for p, u in zip(pages, urls)]


def test_any_iterable_of_pages_and_no_pages():
    cleaner = boilerstrip.Cleaner()
    assert cleaner.clean_many([]) == []
    from_generator = cleaner.clean_many(p for p in HTML[:3])
    assert [r.text for r in from_generator] == [cleaner.clean(p).text for p in HTML[:3]]


def test_format_applies_to_every_page():
    cleaner = boilerstrip.Cleaner()
    as_text = cleaner.clean_many(HTML[:2], format="text")
    assert [r.text for r in as_text] == [cleaner.clean(p, format="text").text for p in HTML[:2]]
    assert as_text[0].text != cleaner.clean(HTML[0]).text


def test_repeated_lines_of_the_batch_go_as_the_command_removes_them():
    # Five dumps of one site sharing a footer: cleaned as one batch (as the
    # command cleans a directory) they come out as the fixture expects;
    # page by page, the footer stays.
    from conftest import FIXTURES

    case = FIXTURES / "batch" / "shared-footer"
    names = sorted(p.name for p in (case / "input").iterdir())
    pages = [(case / "input" / n).read_bytes() for n in names]
    expected = [(case / "expected" / n).read_text(encoding="utf-8") for n in names]
    cleaner = boilerstrip.Cleaner()
    for jobs in (1, 2):
        batch = cleaner.clean_many(pages, jobs=jobs, repeated=True)
        assert [r.text for r in batch] == expected, jobs
    alone = cleaner.clean_many(pages)
    assert all("Newsroom hours are Monday to Friday" in r.text for r in alone)
    # Each such removal names the detector that made it.
    why = [r for r in batch[0].removed if "Newsroom hours" in r["text"]]
    assert [(r["category"], r["rule"]) for r in why] == [("navigation", "batch-repeated")]

"""The Python API gives what the command line gives, byte for byte."""

import json

import pytest

import boilerstrip
from conftest import FIXTURES, REPO, fixture_pages

HTML = fixture_pages("html", "input.html") + fixture_pages("metadata", "input.html")
TEXT = fixture_pages("text", "input.txt")


@pytest.mark.parametrize("path", HTML, ids=lambda p: p.parent.name)
def test_html_bytes_as_the_cli_cleans_them(cli, path):
    page = path.read_bytes()
    expected = cli(["clean", "--format", "html", "-"], page)
    assert boilerstrip.clean(page).encode() == expected
    assert boilerstrip.clean(page, format="html").encode() == expected
    assert boilerstrip.Cleaner().clean(page).text.encode() == expected


@pytest.mark.parametrize("path", TEXT, ids=lambda p: p.parent.name)
def test_text_dumps_as_the_cli_cleans_them(cli, path):
    page = path.read_bytes()
    expected = cli(["clean", "--format", "text", "-"], page)
    assert boilerstrip.clean(page).encode() == expected
    # A str is the same page already decoded.
    assert boilerstrip.clean(page.decode("utf-8"), format="text").encode() == expected


@pytest.mark.parametrize("output", ["markdown", "html", "json"])
def test_other_outputs_match_the_cli(cli, output):
    for path in HTML:
        page = path.read_bytes()
        expected = cli(["clean", "--format", "html", "--output", output, "-"], page)
        assert boilerstrip.clean(page, output=output).encode() == expected, path


def test_options_match_the_cli(cli):
    cleaner = boilerstrip.Cleaner(
        output="markdown", title=True, links=True, images=True, metadata=True, favor="recall"
    )
    args = ["--output", "markdown", "--title", "--links", "--images", "--with-metadata"]
    for path in HTML:
        page = path.read_bytes()
        expected = cli(["clean", "--format", "html", *args, "--favor", "recall", "-"], page)
        assert cleaner.clean(page).text.encode() == expected, path


def test_a_str_page_is_the_same_page_as_its_utf8_bytes():
    for path in HTML:
        page = path.read_bytes()
        try:
            decoded = page.decode("utf-8")
        except UnicodeDecodeError:
            continue
        assert boilerstrip.clean(decoded) == boilerstrip.clean(page), path


def test_legacy_encoded_bytes_are_decoded_as_the_cli_does(cli):
    # latin1 and windows-1250 pages: their bytes are not UTF-8.
    for name in ("latin1-page", "windows-1250-page"):
        page = (FIXTURES / "html" / name / "input.html").read_bytes()
        with pytest.raises(UnicodeDecodeError):
            page.decode("utf-8")
        got = boilerstrip.clean(page)
        assert got.encode() == cli(["clean", "--format", "html", "-"], page)
        assert "\ufffd" not in got


def test_a_url_selects_site_rules_as_a_record_url_does(cli):
    rules = str(REPO / "rules")  # the worked example's site file: rules/sites/example.com.toml
    page = (FIXTURES / "sites" / "example.com" / "story.html").read_bytes()
    cleaner = boilerstrip.Cleaner(rules=[rules])
    for url in ("https://www.example.com/news/2024/story.html", "https://other.org/a"):
        record = json.dumps({"id": "a", "url": url, "html": page.decode("utf-8")}) + "\n"
        out = json.loads(cli(["clean", "--rules", rules, "--jsonl", "-"], record.encode()))
        result = cleaner.clean(page, url)
        assert result.text == out["text"], url
        assert result.site_source == "url" and result.url == url
    on_site = cleaner.clean(page, "https://www.example.com/news/2024/story.html")
    assert on_site.site == "example.com"
    assert any("sites/example.com.toml" in r["origin"] for r in on_site.removed)
    assert "since 1921" not in on_site.text
    # The record's URL wins over the page's canonical URL (www.example.com).
    elsewhere = cleaner.clean(page, "https://other.org/a")
    assert elsewhere.site == "other.org"
    assert not any("sites/example.com.toml" in r["origin"] for r in elsewhere.removed)


def test_a_given_site_wins_as_with_the_site_flag(cli):
    page = (FIXTURES / "sites" / "example.com" / "story.html").read_bytes()
    rules = str(REPO / "rules")
    expected = cli(["clean", "--rules", rules, "--format", "html", "--site", "example.com", "-"], page)
    cleaner = boilerstrip.Cleaner(rules=[rules], site="example.com")
    assert cleaner.site == "example.com"
    result = cleaner.clean(page, "https://other.org/a")
    assert result.text.encode() == expected
    assert result.site == "example.com" and result.site_source == "flag"


def test_result_fields_agree_with_the_cli_json(cli):
    cleaner = boilerstrip.Cleaner()
    for path in HTML:
        page = path.read_bytes()
        j = json.loads(cli(["clean", "--format", "html", "--output", "json", "-"], page))
        r = cleaner.clean(page)
        assert (r.title, r.url, r.site, r.site_source, r.lang) == (
            j["title"], j["url"], j["site"], j["site_source"], j["lang"]
        ), path
        assert r.fallback == j["fallback"] and r.fallback_reason == j["fallback_reason"]
        assert len(r.removed) == len(j["removed"])
        for mine, theirs in zip(r.removed, j["removed"]):
            assert mine["line"] == theirs["line"]
            assert mine["category"] == theirs["category"]
            assert mine["text"] == theirs["text"]
            if "rule" in theirs:
                assert (mine["rule"], mine["origin"]) == (theirs["rule"], theirs["origin"])
                assert mine["score"] is None
            else:
                assert mine["rule"] == theirs["detector"] and mine["origin"] == "detector"
                assert mine["score"] == pytest.approx(theirs["score"], abs=1e-6)
        d = r.to_dict()
        assert d["text"] == r.text and d["removed"] == r.removed and d["title"] == r.title
        assert set(d) >= {"text", "title", "url", "site", "lang", "fallback", "removed"}


def test_json_metadata_is_a_dict_as_in_the_cli_json(cli):
    page = (FIXTURES / "metadata" / "json-ld" / "input.html").read_bytes()
    j = json.loads(cli(["clean", "--format", "html", "--output", "json", "-"], page))
    meta = boilerstrip.Cleaner(output="json").clean(page).metadata
    assert meta["author"] == j["author"] and meta["date"] == j["date"]
    assert boilerstrip.Cleaner().clean(page).metadata is None


def test_auto_tells_html_from_text():
    for path in HTML:
        page = path.read_bytes()
        assert boilerstrip.clean(page) == boilerstrip.clean(page, format="html"), path
    for path in TEXT:
        page = path.read_bytes()
        assert boilerstrip.clean(page) == boilerstrip.clean(page, format="text"), path


def test_the_shipped_rules_are_compiled_once_per_output():
    a = boilerstrip._shared_cleaner("text")
    boilerstrip.clean("<p>Hello</p>")
    assert boilerstrip._shared_cleaner("text") is a
    assert boilerstrip._shared_cleaner("markdown") is not a


def test_bytearray_is_a_page_too():
    page = (FIXTURES / "html" / "news-article" / "input.html").read_bytes()
    assert boilerstrip.clean(bytearray(page)) == boilerstrip.clean(page)

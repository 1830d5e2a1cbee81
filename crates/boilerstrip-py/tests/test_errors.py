"""Bad rule files, bad arguments and unreadable pages: clear exceptions."""

import pytest

import boilerstrip
from conftest import FIXTURES

PAGE = (FIXTURES / "html" / "news-article" / "input.html").read_bytes()


def write_rules(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_rule_error_lists_every_problem_with_file_line_col(tmp_path):
    rules = write_rules(
        tmp_path / "rules",
        {
            "a.toml": '[[rule]]\nid = "a"\ncategory = "share"\nselectors = ["div["]\n',
            "b.toml": '[[rule]]\nid = "b"\ncategory = "no-such-category"\nphrases = ["x"]\n',
            "sites/x.org.toml": 'disable = ["no.such"]\n',
        },
    )
    with pytest.raises(boilerstrip.RuleError) as caught:
        boilerstrip.Cleaner(rules=[rules])
    err = caught.value
    assert isinstance(err, ValueError)
    assert len(err.problems) == 3, err.problems
    joined = "\n".join(err.problems)
    assert "a.toml:4:14: bad CSS selector" in joined
    assert "b.toml:3:" in joined
    assert 'x.org.toml:1:1: `disable` names unknown rule id "no.such"' in joined
    for problem in err.problems:
        assert problem in str(err)


def test_a_missing_rule_directory_is_a_rule_error(tmp_path):
    with pytest.raises(boilerstrip.RuleError) as caught:
        boilerstrip.Cleaner(rules=[tmp_path / "absent"])
    assert str(tmp_path / "absent") in str(caught.value)
    assert len(caught.value.problems) == 1


def test_good_rules_load_from_a_path_like(tmp_path):
    weekend = "The weekend timetable stays as it is, with a boat every forty minutes until late in the evening."
    rules = write_rules(
        tmp_path / "rules",
        {"mine.toml": f'[[rule]]\nid = "mine.weekend"\ncategory = "navigation"\nphrases = ["{weekend}"]\n'},
    )
    page = (
        "The harbor ferry will run every twenty minutes on weekdays from March, the authority said on Tuesday.\n\n"
        f"{weekend}\n\n"
        "The authority will lease two more boats and hire fourteen crew members to run the extra trips.\n"
    )
    default = boilerstrip.Cleaner().clean(page)
    mine = boilerstrip.Cleaner(rules=[rules]).clean(page)
    assert default.text == page and default.removed == []
    assert weekend not in mine.text and "fourteen crew members" in mine.text
    assert [(r["rule"], r["line"], r["text"]) for r in mine.removed] == [("mine.weekend", 3, weekend)]
    assert mine.removed[0]["origin"].endswith("mine.toml:1")


@pytest.mark.parametrize(
    "call",
    [
        lambda: boilerstrip.clean(3),
        lambda: boilerstrip.clean(None),
        lambda: boilerstrip.clean(["<p>a</p>"]),
        lambda: boilerstrip.clean(PAGE, url=5),
        lambda: boilerstrip.Cleaner(rules="rules"),
        lambda: boilerstrip.Cleaner(rules=[3]),
        lambda: boilerstrip.Cleaner(site=1),
        lambda: boilerstrip.Cleaner(title="yes"),
        lambda: boilerstrip.Cleaner().clean_many("<p>one page</p>"),
        lambda: boilerstrip.Cleaner().clean_many([PAGE, 7]),
        lambda: boilerstrip.Cleaner().clean_many([PAGE], urls=[8]),
        lambda: boilerstrip.Cleaner().clean_many(5),
    ],
)
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_the_type_error_names_the_argument():
    with pytest.raises(TypeError, match=r"pages\[1\] must be str or bytes, not int"):
        boilerstrip.Cleaner().clean_many([PAGE, 7])
    with pytest.raises(TypeError, match="page must be str or bytes, not int"):
        boilerstrip.clean(3)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: boilerstrip.clean(PAGE, format="pdf"), "format must be"),
        (lambda: boilerstrip.clean(PAGE, output="xml"), "output must be"),
        (lambda: boilerstrip.Cleaner(favor="speed"), "favor must be"),
        (lambda: boilerstrip.Cleaner(site="not a host"), "site: "),
        (lambda: boilerstrip.Cleaner(links=True), "links keeps links"),
        (lambda: boilerstrip.Cleaner().clean_many([PAGE], jobs=0), "jobs must be at least 1"),
        (lambda: boilerstrip.Cleaner().clean_many([PAGE, PAGE], urls=[None]), "2 pages but 1 urls"),
        (lambda: boilerstrip.Cleaner().clean_many([PAGE], errors="ignore"), "errors must be"),
    ],
)
def test_bad_values_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_page_that_is_not_text_is_a_page_error_naming_it():
    with pytest.raises(boilerstrip.PageError, match=r"^page: binary file \(NUL byte at offset 3\)"):
        boilerstrip.clean(b"abc\0def", format="text")
    with pytest.raises(boilerstrip.PageError, match=r"page \(https://example.org/x\): not valid UTF-8"):
        boilerstrip.clean(b"caf\xe9 au lait\n", "https://example.org/x", format="text")
    # As HTML the same bytes are decoded (never an error), as the CLI does.
    assert "caf\u00e9 au lait" in boilerstrip.clean(b"<p>caf\xe9 au lait</p>", format="html")


def test_clean_many_names_the_failing_page_and_can_return_errors_in_place():
    good = "The harbor ferry will run every twenty minutes on weekdays from March, the authority said.\n"
    pages = [good, b"bad\0page", good]
    cleaner = boilerstrip.Cleaner(format="text")
    with pytest.raises(boilerstrip.PageError, match=r"^page 1 \(https://b.example.org/\): binary file"):
        cleaner.clean_many(pages, urls=[None, "https://b.example.org/", None], jobs=2)
    results = cleaner.clean_many(pages, jobs=2, errors="return")
    assert len(results) == 3
    assert isinstance(results[1], boilerstrip.PageError) and str(results[1]).startswith("page 1: ")
    assert results[0].text == results[2].text == cleaner.clean(good).text


def test_errors_survive_pickling_for_worker_processes():
    import pickle

    for err in (boilerstrip.PageError("page 3: binary file"), boilerstrip.RuleError("a.toml:1:1: x")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err)
    assert boilerstrip.PageError.__module__ == "boilerstrip._native"

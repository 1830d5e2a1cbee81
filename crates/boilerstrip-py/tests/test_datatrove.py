"""The datatrove step in a small LocalPipelineExecutor run."""

import gzip
import json
import os
import subprocess
import sys

import pytest

import boilerstrip
from conftest import FIXTURES, REPO, fixture_pages

if os.environ.get("CI") == "true":
    import datatrove  # noqa: F401 - CI installs it: its absence fails there
else:
    pytest.importorskip("datatrove")

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from boilerstrip.datatrove import BoilerstripExtractor  # noqa: E402

STORY = FIXTURES / "sites" / "example.com" / "story.html"


def records():
    """The HTML fixtures as crawl records, plus the site fixture on its own
    site and elsewhere, and one record that is not a page at all."""
    out = []
    for i, path in enumerate(fixture_pages("html", "input.html")):
        out.append({"id": f"html-{i}", "text": path.read_bytes().decode("utf-8", "replace"),
                    "url": f"https://news{i}.example.org/story"})
    story = STORY.read_text()
    out.append({"id": "story-on-site", "text": story, "url": "https://www.example.com/news/night-ferry"})
    out.append({"id": "story-elsewhere", "text": story, "url": "https://other.org/x"})
    out.append({"id": "binary", "text": "bad\0text dump", "url": None})
    return out


def run_pipeline(tmp_path, step, tasks=1):
    src = tmp_path / "in"
    src.mkdir(parents=True)
    recs = records()
    half = len(recs) // 2
    for n, part in enumerate((recs[:half], recs[half:])):
        with open(src / f"part{n}.jsonl", "w") as f:
            for r in part:
                f.write(json.dumps(r) + "\n")
    out = tmp_path / "out"
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(src)), step, JsonlWriter(str(out))],
        tasks=tasks,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    docs = {}
    for path in sorted(out.glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            for line in f:
                d = json.loads(line)
                d["metadata"].pop("file_path", None)  # the run's own input path
                docs[d["id"]] = d
    return recs, docs


def test_the_step_cleans_every_document_with_its_url(tmp_path):
    rules = str(REPO / "rules")
    recs, docs = run_pipeline(tmp_path, BoilerstripExtractor(rules=[rules]), tasks=2)
    cleaner = boilerstrip.Cleaner(rules=[rules])
    # The binary record is a text dump that cannot be read: dropped.
    assert set(docs) == {r["id"] for r in recs} - {"binary"}
    for r in recs:
        if r["id"] == "binary":
            continue
        expected = cleaner.clean(r["text"], r["url"]).text
        assert docs[r["id"]]["text"] == expected, r["id"]
        assert docs[r["id"]]["metadata"]["url"] == r["url"]
    # The URL in the metadata selected the site file's rules.
    assert "since 1921" not in docs["story-on-site"]["text"]
    assert "since 1921" in docs["story-elsewhere"]["text"]


def test_keep_on_failure_keeps_the_record_and_says_why(tmp_path):
    recs, docs = run_pipeline(
        tmp_path, BoilerstripExtractor(keep_on_failure=True, add_metadata=True)
    )
    assert set(docs) == {r["id"] for r in recs}
    bad = docs["binary"]
    assert bad["text"] == "bad\0text dump"
    assert "binary file (NUL byte at offset 3)" in bad["metadata"]["boilerstrip_error"]
    news = docs["html-0"]
    assert news["metadata"]["site"] == "news0.example.org"
    assert "boilerstrip_error" not in news["metadata"]


def test_the_sandbox_with_a_timeout_gives_the_same_documents(tmp_path):
    _, in_process = run_pipeline(tmp_path / "a", BoilerstripExtractor())
    _, sandboxed = run_pipeline(tmp_path / "b", BoilerstripExtractor(timeout=30))
    assert sandboxed == in_process


def test_bad_rules_fail_when_the_pipeline_is_built(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "x.toml").write_text('[[rule]]\nid = "x"\ncategory = "nope"\nphrases = ["a"]\n')
    with pytest.raises(boilerstrip.RuleError, match="x.toml:3:"):
        BoilerstripExtractor(rules=[tmp_path / "r"])


def test_importing_boilerstrip_does_not_import_datatrove():
    code = "import sys, boilerstrip; boilerstrip.clean('<p>x</p>'); print('datatrove' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

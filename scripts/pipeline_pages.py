"""The zyte pages as JSONL records, and the answers to check a pipeline's
output against; shared by spark-run.py and ray-run.py."""

import json
import subprocess
from pathlib import Path

import boilerstrip

ROOT = Path(__file__).resolve().parent.parent
ZYTE = ROOT.parent / "shared" / "evaldata" / "zyte"


def write_records(path):
    """Writes one {id, url, html} line per zyte page to path (the URL from
    ground-truth.json, the page decoded as UTF-8); returns the records."""
    truth = json.loads((ZYTE / "ground-truth.json").read_text())
    records = []
    for p in sorted((ZYTE / "html").glob("*.html")):
        html = p.read_bytes().decode("utf-8", "replace")
        records.append({"id": p.stem, "url": truth.get(p.stem, {}).get("url"), "html": html})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    return records


def expected(records, jsonl, bin_path):
    """{id: text} from the command run on the JSONL file outside any
    pipeline, after checking that the package's Cleaner gives the same text
    for every record."""
    out = subprocess.run([bin_path, "clean", "--jsonl", str(jsonl), "-q"],
                         check=True, capture_output=True).stdout
    by_cli = {}
    for line in out.decode().splitlines():
        r = json.loads(line)
        by_cli[r["id"]] = r["text"]
    if len(by_cli) != len(records):
        raise SystemExit(f"the command gave {len(by_cli)} records for {len(records)}")
    cleaner = boilerstrip.Cleaner()
    differ = [r["id"] for r in records if cleaner.clean(r["html"], r["url"]).text != by_cli[r["id"]]]
    if differ:
        raise SystemExit(f"Cleaner.clean and the command differ on {len(differ)} records: {differ[:5]}")
    return by_cli


def check(name, got, want):
    """got: (id, text) pairs from a pipeline. Every id once, every text the
    expected one; prints the counts, returns the number of non-empty texts."""
    got = list(got)
    ids = [i for i, _ in got]
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} records out for {len(want)} in")
    if len(set(ids)) != len(ids):
        problems.append(f"{len(ids) - len(set(ids))} ids twice")
    missing = sorted(set(want) - set(ids))
    if missing:
        problems.append(f"{len(missing)} ids missing: {missing[:3]}")
    wrong = [i for i, t in got if i in want and t != want[i]]
    if wrong:
        problems.append(f"{len(wrong)} texts differ from the command's: {wrong[:3]}")
    nonempty = sum(1 for _, t in got if t and t.strip())
    if problems:
        raise SystemExit(f"{name}: FAILED: " + "; ".join(problems))
    print(f"{name}: {len(want)} records in, {len(got)} out, every text equal to the command's "
          f"({nonempty} non-empty)")
    return nonempty
